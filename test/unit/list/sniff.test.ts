import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseCsv } from '../../../shared/list/csv.js';
import { createListDecoder } from '../../../shared/list/decode.js';
import type { Delimiter, ListEncoding } from '../../../shared/list/model.js';
import { sniffDelimiter, sniffEncoding } from '../../../shared/list/sniff.js';
import { canEncodeWindows1252, encodeText, encodeWindows1252, toCsv } from '../../fixtures/lists.js';

describe('sniffEncoding', () => {
  it.each<[string, Uint8Array, ListEncoding | 'binary']>([
    ['UTF-8 without BOM', new TextEncoder().encode('nome;telefono\nNicolò;347\n'), 'utf-8'],
    ['pure ASCII', new TextEncoder().encode('nome;telefono\n'), 'utf-8'],
    ['UTF-8 with BOM', encodeText('nome;telefono\n', 'utf-8-bom'), 'utf-8-bom'],
    ['UTF-16LE with BOM', encodeText('nome;telefono\n', 'utf-16le'), 'utf-16le'],
    ['UTF-16BE with BOM', encodeText('nome;telefono\n', 'utf-16be'), 'utf-16be'],
    ['Windows-1252', encodeWindows1252('nome;telefono\nNicolò;347 ’€\n'), 'windows-1252'],
    ['NUL bytes', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]), 'binary'],
    ['control bytes', new Uint8Array([0x01, 0x02, 0x03, 0x41, 0x42, 0x05, 0x06, 0x07]), 'binary'],
    ['UTF-16 without BOM (NULs)', encodeText('nome;telefono\n', 'utf-16le').subarray(2), 'binary'],
  ])('%s', (_name, bytes, expected) => {
    expect(sniffEncoding(bytes)).toBe(expected);
  });

  it('decodes Windows-1252 0x80-0x9F as the characters Excel meant (€, ’), not C1 controls', () => {
    const decoder = createListDecoder('windows-1252');
    expect(decoder.decode(new Uint8Array([0x80, 0x92, 0xe8, 0x93, 0x94]))).toBe('€’è“”');
  });
});

describe('sniffDelimiter', () => {
  it.each<[string, string, Delimiter | null]>([
    ['semicolon', 'nome;telefono;note\nA;1;x\nB;2;y\n', ';'],
    ['comma', 'nome,telefono\nA,1\n', ','],
    ['tab', 'nome\ttelefono\nA\t1\n', '\t'],
    ['pipe', 'nome|telefono\nA|1\n', '|'],
    ['semicolon file with commas in text', 'nome;telefono;note\nA;1;uno, due\nB;2;tre\n', ';'],
    ['quoted delimiters are ignored', 'nome,telefono\n"Rossi; Mario",1\n"Bianchi; Anna",2\n', ','],
    ['quoted newlines are ignored', 'nome;telefono\n"via Roma,\n1";1\nB;2\n', ';'],
    ['single column', 'telefono\n3471234567\n', null],
  ])('%s', (_name, text, expected) => {
    expect(sniffDelimiter(text)).toBe(expected);
  });
});

const DELIMITERS: Delimiter[] = [';', ',', '\t', '|'];
const ENCODINGS: ListEncoding[] = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252'];

describe('a generated table round-trips through the sniffers and the reader', () => {
  const cellChars = fc.constantFrom('a', 'Z', '1', ' ', ';', ',', '\t', '|', '"', '\n', '\r\n', 'è', '’', '€', 'ß', '=', "'");
  const cell = fc.array(cellChars, { maxLength: 6 }).map((cs) => cs.join(''));
  const table = fc
    .tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 6 }))
    .chain(([width, rows]) =>
      fc.tuple(
        fc.array(fc.array(fc.constantFrom('a', 'b', 'n', 'o', 'x'), { minLength: 1, maxLength: 8 }).map((cs) => cs.join('')), { minLength: width, maxLength: width }),
        fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: rows, maxLength: rows }),
      ),
    );

  it('sniffed encoding and delimiter, and parsed cells, equal the generated ones', () => {
    fc.assert(
      fc.property(table, fc.constantFrom(...DELIMITERS), fc.constantFrom(...ENCODINGS), ([header, rows], delimiter, encoding) => {
        // Prepare
        const all = [header, ...rows];
        const text = toCsv(all, delimiter);
        const isAscii = !/[^\x00-\x7f]/.test(text);
        if (encoding === 'windows-1252') fc.pre(canEncodeWindows1252(text) && !isAscii);
        const bytes = encodeText(text, encoding);
        if (encoding === 'windows-1252') {
          // Text whose Windows-1252 bytes happen to be valid UTF-8 is ambiguous by nature: skip it.
          let validUtf8 = true;
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          } catch {
            validUtf8 = false;
          }
          fc.pre(!validUtf8);
        }
        // Act
        const sniffed = sniffEncoding(bytes);
        const decoder = createListDecoder(sniffed === 'binary' ? 'utf-8' : sniffed);
        const decoded = decoder.decode(bytes) + decoder.end();
        const parsed = parseCsv(decoded, sniffDelimiter(decoded) ?? ';');
        // Assess
        expect(sniffed).toBe(encoding);
        expect(decoded).toBe(text);
        expect(sniffDelimiter(decoded)).toBe(delimiter);
        expect(parsed.complete).toBe(true);
        expect(parsed.records).toEqual(all);
      }),
      { numRuns: 400 },
    );
  });
});
