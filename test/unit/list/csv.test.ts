import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { CsvRecordReader, parseCsv, quoteCell } from '../../../shared/list/csv.js';

describe('CsvRecordReader', () => {
  it.each<[string, string, string[][]]>([
    ['plain', 'a;b\nc;d\n', [['a', 'b'], ['c', 'd']]],
    ['CRLF and no final newline', 'a;b\r\nc;d', [['a', 'b'], ['c', 'd']]],
    ['lone CR', 'a;b\rc;d\r', [['a', 'b'], ['c', 'd']]],
    ['quoted delimiter, quote and newlines', '"a;1";"say ""hi""";"x\r\ny"\n', [['a;1', 'say "hi"', 'x\r\ny']]],
    ['empty cells', ';;\n', [['', '', '']]],
    ['blank line', 'a\n\nb\n', [['a'], [''], ['b']]],
    ['quote inside an unquoted field is kept', 'ab"c;d\n', [['ab"c', 'd']]],
    ['text after a closing quote is kept', '"ab"c;d\n', [['abc', 'd']]],
  ])('%s', (_name, text, records) => {
    const parsed = parseCsv(text, ';');
    expect(parsed.complete).toBe(true);
    expect(parsed.records).toEqual(records);
  });

  it('reports an unterminated quote at the end', () => {
    expect(parseCsv('a;b\n"c;d\n', ';').complete).toBe(false);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'nome;telefono;note\r\n"Rossi; ""M""";347;"uno\r\ndue"\r\nB;2;\r\n\r\nC;3;x';
    const whole = parseCsv(text, ';').records;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const records: string[][] = [];
        const reader = new CsvRecordReader(';', (cells, count) => {
          records.push(cells.slice(0, count));
        });
        let at = 0;
        for (const p of [...points, text.length]) {
          reader.push(text.slice(at, p));
          at = p;
        }
        expect(reader.end()).toBe(true);
        expect(records).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('stops when the handler says so', () => {
    const seen: string[] = [];
    const reader = new CsvRecordReader(',', (cells) => {
      seen.push(cells[0]!);
      return false;
    });
    reader.push('a\nb\nc\n');
    expect(seen).toEqual(['a']);
    expect(reader.isStopped).toBe(true);
  });
});

describe('quoteCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a;b', '"a;b"'],
    ['say "hi"', '"say ""hi"""'],
    ['x\ny', '"x\ny"'],
    ['x\ry', '"x\ry"'],
    ['a,b', 'a,b'],
  ])('%j -> %j', (cell, out) => {
    expect(quoteCell(cell)).toBe(out);
  });
});
