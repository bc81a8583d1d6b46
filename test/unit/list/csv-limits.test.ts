import { describe, expect, it } from 'vitest';

import { CsvRecordReader, MAX_FIELD_CHARS } from '../../../shared/list/csv.js';
import { processContactList, readListFacts, type ContactListOptions } from '../../../shared/list/index.js';
import { chunksOf } from '../../fixtures/lists.js';

/**
 * docs/list-format.md, docs/limits-and-retention.md: a field too long for a string (V8 stops near 512 MiB) must be a malformed list naming
 * its row, never a RangeError that leaves the intake in PROCESSING. The caps are lowered here so the inputs stay small;
 * one test runs the default 1 MiB cap on a 1.5 MiB field.
 */

const encode = (text: string) => new TextEncoder().encode(text);

async function read(text: string, options: Partial<ContactListOptions> = {}, chunk = 4096) {
  return processContactList(chunksOf(encode(text), chunk), { maxBytes: 1 << 30, ...options });
}

describe('the CSV reader caps what one record can hold', () => {
  it.each([
    ['an unquoted field', `telefono;note\r\n3471234567;ok\r\n3471234568;${'x'.repeat(5000)}\r\n3471234569;z\r\n`, 'data row 2'],
    ['a quoted field never closed', `telefono;note\r\n3471234567;"${'y'.repeat(5000)}\r\n3471234569;z\r\n`, 'data row 1'],
    ['a quoted field with doubled quotes', `telefono;note\r\n3471234567;"${'a""'.repeat(2000)}"\r\n`, 'data row 1'],
    ['a header cell', `telefono;${'h'.repeat(5000)}\r\n3471234567;ok\r\n`, 'the header'],
  ])('%s longer than the cap is malformed_csv naming its row', async (_name, text, where) => {
    const report = await read(text, { csvLimits: { maxFieldChars: 1000 } });
    expect(report.readable).toBe(false);
    expect(report.unreadable?.reason).toBe('malformed_csv');
    expect(report.unreadable?.detail).toBe(`${where} holds a field longer than 1000 characters (an unquoted or never-closed field?)`);
    expect(report.releasedRows).toBe(0);
  });

  it('the cap holds however the text is chunked (a field cut across many chunks)', async () => {
    const text = `telefono;note\r\n3471234567;${'x'.repeat(3000)}\r\n`;
    for (const chunk of [1, 7, 999, 1 << 16]) {
      const report = await read(text, { csvLimits: { maxFieldChars: 2999 } }, chunk);
      expect(report.unreadable?.detail, `chunk ${chunk}`).toContain('data row 1 holds a field longer than 2999');
    }
    // One character under the cap reads fine.
    expect((await read(text, { csvLimits: { maxFieldChars: 3000 } }, 7)).readable).toBe(true);
  });

  it('a record with too many cells, or too many characters in all, is malformed_csv too', async () => {
    const cells = await read(`telefono;note\r\n3471234567${';'.repeat(50)}\r\n`, { csvLimits: { maxRecordCells: 20 } });
    expect(cells.unreadable).toEqual({ reason: 'malformed_csv', detail: 'data row 1 holds more than 20 cells' });
    const total = await read(`telefono;a;b;c\r\n3471234567;${'x'.repeat(400)};${'y'.repeat(400)};${'z'.repeat(400)}\r\n`, {
      csvLimits: { maxRecordChars: 1000 },
    });
    expect(total.unreadable).toEqual({ reason: 'malformed_csv', detail: 'data row 1 holds more than 1000 characters in one record' });
  });

  it('readListFacts (the attestation template) applies the same caps', async () => {
    const facts = await readListFacts(chunksOf(encode(`telefono\r\n${'9'.repeat(2000)}\r\n`)), { maxBytes: 1 << 30, csvLimits: { maxFieldChars: 100 } });
    expect(facts.unreadable?.reason).toBe('malformed_csv');
  });

  it('the default cap is 1 MiB per field: a 1.5 MiB unquoted field is malformed, the bytes are still all hashed', async () => {
    const text = `telefono;note\r\n3471234567;${'x'.repeat(1.5 * MAX_FIELD_CHARS)}\r\n`;
    const report = await read(text, {}, 64 * 1024);
    expect(report.unreadable?.detail).toBe(`data row 1 holds a field longer than ${MAX_FIELD_CHARS} characters (an unquoted or never-closed field?)`);
    expect(report.bytes).toBe(text.length);
  });

  it('the reader stops at the overflow and hands out no partial record', () => {
    const seen: string[][] = [];
    const reader = new CsvRecordReader(';', (cells, count) => void seen.push(cells.slice(0, count)), { maxFieldChars: 10 });
    reader.push('a;b\r\nc;01234567890\r\nd;e\r\n');
    expect(reader.end()).toBe(true);
    expect(seen).toEqual([['a', 'b']]);
    expect(reader.overflow).toEqual({ limit: 'field_chars', max: 10 });
    expect(reader.isStopped).toBe(true);
  });
});

describe('a source that hands over one huge chunk', () => {
  it('gets the same field cap inside the chunk, and the hash still covers every byte', async () => {
    const text = `telefono;note\r\n3471234567;${'x'.repeat(3 * 1024 * 1024)}\r\n`;
    const bytes = encode(text);
    async function* whole() {
      yield bytes;
    }
    const report = await processContactList(whole(), { maxBytes: 1 << 30, csvLimits: { maxFieldChars: 2 * 1024 * 1024, maxRecordChars: 4 * 1024 * 1024 } });
    expect(report.unreadable?.detail).toBe('data row 1 holds a field longer than 2097152 characters (an unquoted or never-closed field?)');
    const { createHash } = await import('node:crypto');
    expect(report.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
