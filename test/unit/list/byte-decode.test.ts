import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Utf8Normaliser, heldBackTail, windows1252ToUtf8 } from '../../../shared/list/byte-decode.js';
import { createListDecoder, decodeWindows1252 } from '../../../shared/list/decode.js';
import type { ListEncoding } from '../../../shared/list/model.js';

/** Bytes near UTF-8's edges: ASCII, continuations, every kind of lead, the bounds after E0 ED F0 F4, a BOM. */
const edgyByte = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.constantFrom(0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xbb),
);
const bytes = fc.array(edgyByte, { maxLength: 40 }).map((a) => new Uint8Array(a));
const cuts = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 });

function chunked(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, k = 0; at < data.length; k++) {
    const size = sizes[k % sizes.length]!;
    out.push(data.subarray(at, at + size));
    at += size;
  }
  return out;
}

describe('Utf8Normaliser: each chunk out is the UTF-8 of what decode.ts decodes of the same chunk', () => {
  it.each<ListEncoding>(['utf-8', 'utf-8-bom', 'windows-1252', 'utf-16le', 'utf-16be'])('%s, chunk by chunk and at the end', (encoding) => {
    fc.assert(
      fc.property(bytes, cuts, fc.boolean(), (data, sizes, bom) => {
        const head = encoding === 'utf-8-bom' ? [0xef, 0xbb, 0xbf] : encoding === 'utf-16le' ? [0xff, 0xfe] : encoding === 'utf-16be' ? [0xfe, 0xff] : bom ? [0xef, 0xbb, 0xbf] : [];
        const all = new Uint8Array([...head, ...data]);
        const chunks = chunked(all, sizes);
        if (chunks.length === 0) return;
        const asciiHead = encoding === 'utf-8' && chunks[0]!.every((b) => b < 0x80);
        const decoder = createListDecoder(encoding, asciiHead);
        const normaliser = new Utf8Normaliser(encoding, asciiHead);
        for (const chunk of chunks) {
          expect(Buffer.from(normaliser.convert(chunk)).toString('hex')).toBe(Buffer.from(decoder.decode(chunk), 'utf8').toString('hex'));
          expect(normaliser.encoding).toBe(decoder.encoding);
        }
        expect(Buffer.from(normaliser.end()).toString('hex')).toBe(Buffer.from(decoder.end(), 'utf8').toString('hex'));
      }),
      { numRuns: 400 },
    );
  });

  it('holds back exactly what a streaming TextDecoder holds back', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        const streamed = new TextDecoder('utf-8', { ignoreBOM: true }).decode(data, { stream: true });
        const held = heldBackTail(data);
        expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(data.subarray(0, data.length - held))).toBe(streamed);
      }),
      { numRuns: 2000 },
    );
  });

  it('converts every Windows-1252 byte as decode.ts does, 0x80-0x9F included', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect(Buffer.from(windows1252ToUtf8(all)).toString('utf8')).toBe(decodeWindows1252(all));
  });
});
