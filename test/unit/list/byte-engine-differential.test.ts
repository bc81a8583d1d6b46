import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { concatBytes } from '../../fixtures/lists.js';
import { byteEngine, generateList, prng, randomCuts, randomOptions, runWith, stringEngine } from './random-lists.js';

/**
 * The byte engine against the string engine it replaced, over random lists (random-lists.ts): every field of the
 * report, the released list byte for byte and the consent sample's calls must be the same, whatever the encoding, the
 * delimiter, the quoting, the line ends, the damage (invalid UTF-8, NUL, unclosed quotes), the limits and the chunk cuts.
 */

async function compareOne(seed: number): Promise<void> {
  const r = prng(seed);
  const { bytes, description } = generateList(r);
  const sizes = randomCuts(r);
  const options = await randomOptions(r, bytes);
  const sampled = r() < 0.5;
  const expected = await runWith(stringEngine, bytes, sizes, options, sampled);
  const actual = await runWith(byteEngine, bytes, sizes, options, sampled);
  const context = `seed ${seed}, chunks ${sizes.join(',')}: ${description}`;
  expect(actual.report, context).toEqual(expected.report);
  expect(Buffer.from(actual.output).toString('latin1'), context).toBe(Buffer.from(expected.output).toString('latin1'));
  expect(actual.calls, context).toEqual(expected.calls);
}

describe('the byte engine gives the string engine\'s results to the byte', () => {
  it('over random lists, encodings, line ends, damage, limits and chunk cuts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        await compareOne(seed);
      }),
      { numRuns: 1500 },
    );
  }, 30_000);

  it('with expectedBytes: the same results, the dedupe table sized once and never regrown', async () => {
    // Prepare
    const rows = Array.from({ length: 12000 }, (_, i) => `Nome ${i};3${String(200000000 + i * 7919).padStart(9, '0')};15/03/2024`);
    const bytes = new TextEncoder().encode(`nome;telefono;data_consenso\r\n${rows.join('\r\n')}\r\n`);
    const options = { maxBytes: 1 << 30 };
    // Act
    const expected = await runWith(stringEngine, bytes, [65536], options, false);
    const sized = await runWith(byteEngine, bytes, [65536], { ...options, expectedBytes: bytes.length }, false);
    // Assess
    const { dedupeStateBytes: grown, ...rest } = expected.report;
    const { dedupeStateBytes: once, ...sizedRest } = sized.report;
    expect(sizedRest).toEqual(rest);
    expect(sized.output).toEqual(expected.output);
    expect(expected.report.releasedRows).toBe(12000);
    // sized for 12000 rows x 1.25 at the load limit, from the head's bytes per record: no regrowth happened
    expect(once).toBeGreaterThanOrEqual(Math.ceil(12000 / 0.8) * 8);
    expect(once).toBeLessThanOrEqual(Math.ceil((12000 * 1.3) / 0.8) * 8 + 16);
    expect(grown).not.toBe(once);
  });
});

describe('the byte engine on the string engine\'s decoding corners', () => {
  it('drops EF BB BF at the start of the chunk that decides UTF-8 after an ASCII head, as a fresh TextDecoder does', async () => {
    // Prepare: an ASCII head of 40 bytes, then a chunk that starts with a BOM and holds the first non-ASCII bytes
    const head = new TextEncoder().encode('telefono;nome\r\n3471234567;Mario\r\n'.padEnd(40, ' '));
    const rest = concatBytes([new Uint8Array([0xef, 0xbb, 0xbf]), new TextEncoder().encode('3471234568;Nicolò\r\n')]);
    const bytes = concatBytes([head, rest]);
    const options = { maxBytes: 1 << 20, headBytes: head.length };
    // Act
    const expected = await runWith(stringEngine, bytes, [head.length, rest.length], options, true);
    const actual = await runWith(byteEngine, bytes, [head.length, rest.length], options, true);
    // Assess
    expect(actual).toEqual(expected);
    expect(new TextDecoder().decode(actual.output)).toContain('\r\n+393471234568;Nicolò\r\n');
  });
});
