import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DEFAULT_EVIDENCE_MAX_BYTES, parseConfirmationKind, readConsentEvidence, type EvidenceReading } from '../../../shared/consent/evidence.js';
import { parseIp } from '../../../shared/consent/ip.js';
import { normalizePhone } from '../../../shared/list/phone.js';
import type { Delimiter, ListEncoding } from '../../../shared/list/model.js';
import { chunksOf, concatBytes, encodeText, listBytes, toCsv } from '../../fixtures/lists.js';

const HEADER = ['telefono', 'consenso_il', 'ip', 'fonte', 'informativa', 'conferma', 'confermato_il'];
const GOOD = ['347 123 4567', '2026-03-14T10:05:00+01:00', '93.184.216.34', 'https://acme.example/promo', 'informativa-v3', 'double_opt_in', '2026-03-14T10:20:00+01:00'];
const OFFLINE = ['+39 06 1234 5678', '2026-03-15T16:00:00+01:00', '', 'fiera di Milano', 'sha256:9f86d08', 'modulo', '2026-03-15T16:00:30+01:00'];

const LIMITS = { maxBytes: 1 << 20 };

function readable(result: EvidenceReading) {
  if (!result.readable) throw new Error(`not readable: ${result.error.message}`);
  return result.file;
}

function refused(result: EvidenceReading) {
  if (result.readable) throw new Error('expected the evidence file to be refused');
  return result;
}

describe('reading the evidence file (Filiera specification §10, with the list reading rules of Filiera specification §3)', () => {
  it('reads each column and normalises phones as list phones', async () => {
    const file = readable(await readConsentEvidence(listBytes([HEADER, GOOD, OFFLINE]), LIMITS));
    expect(file.dataRows).toBe(2);
    expect(file.delimiter).toBe(';');
    const [online, offline] = file.records;
    expect(online).toMatchObject({
      row: 1,
      phone: '+393471234567',
      consentAt: { text: '2026-03-14T10:05:00+01:00', epochMs: Date.parse('2026-03-14T09:05:00Z'), romeDay: '2026-03-14' },
      ip: { version: 4, text: '93.184.216.34' },
      source: 'https://acme.example/promo',
      notice: 'informativa-v3',
      confirmation: 'double_opt_in',
      confirmedAt: { epochMs: Date.parse('2026-03-14T09:20:00Z') },
    });
    expect(offline).toMatchObject({ row: 2, phone: '+390612345678', ip: null, source: 'fiera di Milano', confirmation: 'modulo' });
  });

  it.each<[string, Delimiter, ListEncoding, string]>([
    ['comma, UTF-8 with BOM, LF', ',', 'utf-8-bom', '\n'],
    ['TAB, UTF-16 LE', '\t', 'utf-16le', '\r\n'],
    ['pipe, UTF-16 BE, CR', '|', 'utf-16be', '\r'],
    ['semicolon, Windows-1252', ';', 'windows-1252', '\r\n'],
  ])('sniffs the delimiter and encoding: %s', async (_label, delimiter, encoding, eol) => {
    const header = ['Telefono', 'Consenso il', 'IP', 'Fonte', 'Informativa', 'Conferma', 'Confermato il', 'Note'];
    const bytes = listBytes([header, [...GOOD, 'è già stato verificato; sì'], OFFLINE], { delimiter, encoding, eol });
    const file = readable(await readConsentEvidence(chunksOf(bytes, 7), LIMITS));
    expect(file.delimiter).toBe(delimiter);
    expect(file.encoding).toBe(encoding);
    expect(file.records.map((r) => r.phone)).toEqual(['+393471234567', '+390612345678']);
  });

  it('matches header names case- and accent-insensitively, spaces and _ alike, in English too', async () => {
    const header = ['PHONE', 'Consent At', 'ip', 'SOURCE', 'notice', 'Confirmation', 'confirmed  at', 'CONSENSO_ÌL_extra'];
    const file = readable(await readConsentEvidence(listBytes([header, [...GOOD, 'x']]), LIMITS));
    expect(file.records[0]).toMatchObject({ phone: '+393471234567', confirmation: 'double_opt_in', notice: 'informativa-v3' });
  });

  it('takes the delimiter from an Excel sep= first line, which is not the header', async () => {
    const text = `sep=,\r\n${toCsv([HEADER, GOOD], ',')}`;
    const file = readable(await readConsentEvidence(encodeText(text, 'utf-8'), LIMITS));
    expect(file.delimiter).toBe(',');
    expect(file.records[0]!.phone).toBe('+393471234567');
    // The text after the sep= line would sniff as ';': the first line decides.
    const forced = `SEP=|\n${toCsv([HEADER, GOOD.map((c) => c.replace(/;/g, ''))], '|', '\n')}`;
    expect(readable(await readConsentEvidence(encodeText(forced, 'utf-8'), LIMITS)).delimiter).toBe('|');
    const odd = refused(await readConsentEvidence(encodeText(`sep=:\n${toCsv([HEADER, GOOD])}`, 'utf-8'), LIMITS));
    expect(odd.error.reason).toBe('unsupported_delimiter');
  });

  it('skips blank records and counts data rows as the list does', async () => {
    const rows = [HEADER, ['', '', '', '', '', '', ''], GOOD, [' ', '', ''], OFFLINE];
    const file = readable(await readConsentEvidence(listBytes(rows), LIMITS));
    expect(file.records.map((r) => r.row)).toEqual([1, 2]);
  });

  it('reads Excel text markers and notations in the phone column as list phones', async () => {
    const phones = ["'3471234567", '="3471234567"', '0039 347 123 4567', '+39-347-123-4567'];
    const file = readable(await readConsentEvidence(listBytes([HEADER, ...phones.map((p) => [p, ...GOOD.slice(1)])]), LIMITS));
    expect(file.records.map((r) => r.phone)).toEqual(phones.map(() => '+393471234567'));
  });

  it('leaves a missing value to the checks (a defect), not to the reader', async () => {
    const file = readable(await readConsentEvidence(listBytes([HEADER, ['3471234567', '', '', '', '  ', '', '']]), LIMITS));
    expect(file.records[0]).toEqual({
      row: 1,
      phone: '+393471234567',
      consentAt: null,
      ip: null,
      source: null,
      notice: null,
      confirmation: null,
      confirmedAt: null,
    });
  });

  it('needs no ip column when no consent was collected online', async () => {
    const header = HEADER.filter((h) => h !== 'ip');
    const file = readable(await readConsentEvidence(listBytes([header, OFFLINE.filter((_, i) => i !== 2)]), LIMITS));
    expect(file.records[0]!.ip).toBeNull();
  });

  it('keeps only the records asked for, still checking every row', async () => {
    const bad = ['3479999999', 'ieri', '', '', '', '', ''];
    const keep = (phone: string) => phone === '+390612345678';
    const file = readable(await readConsentEvidence(listBytes([HEADER, GOOD, OFFLINE]), { ...LIMITS, keep }));
    expect(file.records.map((r) => r.row)).toEqual([2]);
    expect(refused(await readConsentEvidence(listBytes([HEADER, GOOD, bad]), { ...LIMITS, keep })).error.row).toBe(2);
  });

  it.each([
    ['Double opt-in', 'double_opt_in'],
    ['DOUBLE_OPT_IN', 'double_opt_in'],
    ['double opt in', 'double_opt_in'],
    ['SMS', 'sms'],
    ['Registrazione', 'registrazione'],
    [' modulo ', 'modulo'],
    ['email', null],
    ['', null],
  ])('reads the confirmation %j as %j', (cell, kind) => {
    expect(parseConfirmationKind(cell)).toBe(kind);
  });
});

describe('a malformed evidence file is refused with errors naming the row and the column', () => {
  it.each<[string, number, string, RegExp]>([
    ['telefono', 0, '12345', /not a valid phone number/],
    ['telefono', 0, '', /no phone number/],
    ['consenso_il', 1, '2026-03-14T10:05:00', /not an ISO 8601 date and time with its offset/],
    ['consenso_il', 1, '14/03/2026', /ISO 8601/],
    ['ip', 2, '192.168.1', /not an IPv4 or IPv6 address/],
    ['conferma', 5, 'email', /not one of double_opt_in, sms, registrazione, modulo/],
    ['confermato_il', 6, '2026-02-30T10:00:00Z', /ISO 8601/],
  ])('column %s (cell %#)', async (column, at, value, message) => {
    const bad = [...GOOD];
    bad[at] = value;
    const result = refused(await readConsentEvidence(listBytes([HEADER, OFFLINE, OFFLINE, bad]), LIMITS));
    expect(result.error).toMatchObject({ reason: 'malformed_value', row: 3, column });
    expect(result.error.sheetRow).toBe(4);
    expect(result.error.message).toMatch(new RegExp(`^evidence row 3 \\(spreadsheet row 4\\), column "${column}": `));
    expect(result.error.message).toMatch(message);
    expect(result.error.messageIt).toMatch(new RegExp(`^riga 3 delle evidenze \\(riga 4 del foglio\\), colonna "${column}": `));
  });

  it('names the column as the header writes it, and every error of the file up to 20', async () => {
    const header = ['Telefono', 'Consent At', 'IP', 'Fonte', 'Informativa', 'Conferma', 'Confermato il'];
    const bad = ['3471234567', 'yesterday', '1.2.3', 'web', 'n', 'sms', 'today'];
    const result = refused(await readConsentEvidence(listBytes([header, bad, GOOD, bad]), LIMITS));
    expect(result.errors.map((e) => [e.row, e.column])).toEqual([
      [1, 'Consent At'],
      [1, 'Confermato il'],
      [1, 'IP'],
      [3, 'Consent At'],
      [3, 'Confermato il'],
      [3, 'IP'],
    ]);
    const many = refused(await readConsentEvidence(listBytes([header, ...Array.from({ length: 30 }, () => bad)]), LIMITS));
    expect(many.errors).toHaveLength(20);
    expect(many.errors[19]!.message).toMatch(/\(and 70 more errors\)$/);
  });

  it('refuses a header without a required column, naming it', async () => {
    const result = refused(await readConsentEvidence(listBytes([HEADER.filter((h) => h !== 'informativa'), GOOD.slice(0, 6)]), LIMITS));
    expect(result.error).toMatchObject({ reason: 'missing_column', row: null, column: 'informativa/notice' });
    expect(result.error.message).toMatch(/lacks the column\(s\) informativa\/notice; it has: "telefono"/);
  });

  it('refuses a header that names a column twice', async () => {
    const result = refused(await readConsentEvidence(listBytes([[...HEADER, 'Source'], [...GOOD, 'web']]), LIMITS));
    expect(result.error).toMatchObject({ reason: 'duplicate_column', column: 'Source' });
    expect(result.error.message).toMatch(/"fonte" and "Source"/);
  });

  it.each<[string, Uint8Array, string]>([
    ['empty', new Uint8Array(0), 'no_header'],
    ['header only', listBytes([HEADER]), 'no_records'],
    ['binary', concatBytes([listBytes([HEADER]), new Uint8Array([0, 1, 2, 0, 3, 4, 0, 0])]), 'not_text'],
    ['an unclosed quote', encodeText(`${toCsv([HEADER, GOOD])}3471234567;"2026`, 'utf-8'), 'malformed_csv'],
  ])('refuses an evidence file that is %s', async (_label, bytes, reason) => {
    expect(refused(await readConsentEvidence(bytes, LIMITS)).error.reason).toBe(reason);
  });

  it('names the row where a quoted field never closes', async () => {
    const result = refused(await readConsentEvidence(encodeText(`${toCsv([HEADER, GOOD, OFFLINE])}3471234567;"2026`, 'utf-8'), LIMITS));
    expect(result.error).toMatchObject({ reason: 'malformed_csv', row: 3, sheetRow: 4 });
  });

  it('refuses a cell too long to be evidence, naming its row', async () => {
    const text = `${toCsv([HEADER, GOOD])}3471234567;"${'x'.repeat(20_000)}\r\n`;
    const result = refused(await readConsentEvidence(encodeText(text, 'utf-8'), LIMITS));
    expect(result.error).toMatchObject({ reason: 'malformed_csv', row: 2, sheetRow: 3 });
    expect(result.error.message).toMatch(/a cell is longer than 16384 characters/);
  });

  it('counts spreadsheet rows with the header, blank lines and a sep= line, data rows without', async () => {
    const bad = [...GOOD];
    bad[1] = 'ieri';
    const text = `sep=;\r\n${toCsv([HEADER, GOOD, ['', '', ''], bad])}`;
    const result = refused(await readConsentEvidence(encodeText(text, 'utf-8'), LIMITS));
    expect(result.error).toMatchObject({ row: 2, sheetRow: 5, column: 'consenso_il' });
    expect(result.error.message).toMatch(/^evidence row 2 \(spreadsheet row 5\), column "consenso_il": "ieri"/);
  });

  it('stops at the size and record limits', async () => {
    const bytes = listBytes([HEADER, GOOD, OFFLINE, GOOD]);
    expect(refused(await readConsentEvidence(chunksOf(bytes, 10), { maxBytes: bytes.length - 1 })).error.reason).toBe('too_large');
    expect(refused(await readConsentEvidence(bytes, { maxBytes: bytes.length, maxRecords: 2 })).error.reason).toBe('too_many_records');
    readable(await readConsentEvidence(bytes, { maxBytes: bytes.length, maxRecords: 3 }));
    expect(DEFAULT_EVIDENCE_MAX_BYTES).toBe(16 * 1024 * 1024);
    const big = new Uint8Array(DEFAULT_EVIDENCE_MAX_BYTES + 1).fill(0x41);
    expect(refused(await readConsentEvidence(big)).error.reason).toBe('too_large');
  });

  it('reads back every well-formed record it is given, in any delimiter and encoding', async () => {
    const instant = fc
      .record({ t: fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }), offset: fc.integer({ min: -12, max: 14 }) })
      .map(({ t, offset }) => {
        const local = new Date(Math.floor(t / 1000) * 1000 + offset * 3_600_000).toISOString().slice(0, 19);
        const sign = offset < 0 ? '-' : '+';
        return { text: `${local}${sign}${String(Math.abs(offset)).padStart(2, '0')}:00`, epochMs: Math.floor(t / 1000) * 1000 };
      });
    const record = fc.record({
      national: fc.integer({ min: 3200000000, max: 3999999999 }),
      consentAt: fc.option(instant, { nil: null }),
      ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: null }),
      source: fc.option(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s !== '' && !/[\u0000-\u001f\u007f-\u009f]/.test(s)), { nil: null }),
      notice: fc.option(fc.stringMatching(/^[a-z0-9:-]{1,20}$/), { nil: null }),
      confirmation: fc.option(fc.constantFrom('double_opt_in', 'sms', 'registrazione', 'modulo'), { nil: null }),
      confirmedAt: fc.option(instant, { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.constantFrom<Delimiter>(';', ',', '\t', '|'),
        fc.constantFrom<ListEncoding>('utf-8', 'utf-8-bom', 'utf-16le'),
        async (records, delimiter, encoding) => {
          const table = records.map((r) => [
            String(r.national),
            r.consentAt?.text ?? '',
            r.ip ?? '',
            r.source ?? '',
            r.notice ?? '',
            r.confirmation ?? '',
            r.confirmedAt?.text ?? '',
          ]);
          const reading = await readConsentEvidence(listBytes([HEADER, ...table], { delimiter, encoding }));
          const phones = records.map((r) => normalizePhone(String(r.national)));
          if (phones.includes(null)) {
            expect(reading.readable).toBe(false);
            return;
          }
          const file = readable(reading);
          expect(
            file.records.map((r) => [r.phone, r.consentAt?.epochMs ?? null, r.ip?.text ?? null, r.source, r.notice, r.confirmation, r.confirmedAt?.epochMs ?? null]),
          ).toEqual(
            records.map((r, i) => [
              phones[i],
              r.consentAt?.epochMs ?? null,
              r.ip === null ? null : parseIp(r.ip)!.text,
              r.source,
              r.notice,
              r.confirmation,
              r.confirmedAt?.epochMs ?? null,
            ]),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads whatever it is given without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.array(fc.array(fc.string({ maxLength: 12 }), { maxLength: 8 }), { maxLength: 6 }), async (noise, table) => {
        await readConsentEvidence(noise, LIMITS);
        const result = await readConsentEvidence(listBytes([HEADER, ...table]), LIMITS);
        if (!result.readable) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
