import { createHash } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { ContactListOptions } from '../../../shared/list/list-pass.js';
import { runParallelContactList } from '../../../shared/list/parallel-engine.js';
import { phoneReader } from '../../../shared/list/phone-bytes.js';
import { byteEngine, generateList, int, prng, randomCuts, randomOptions, runWith, type Engine } from './random-lists.js';

/**
 * The byte engine with worker threads against the byte engine alone, over random lists (random-lists.ts): batches of
 * a few rows, so that a small list makes many batches on two threads, merged in list order.
 */

const parallelEngine =
  (threads: number, batchRows: number): Engine =>
  (source, options) =>
    runParallelContactList(source, options, phoneReader, { threads, minBytes: 0, batchRows });

async function compareOne(seed: number): Promise<void> {
  const r = prng(seed);
  const { bytes, description } = generateList(r);
  const sizes = randomCuts(r);
  const options: Omit<ContactListOptions, 'output' | 'consentSample'> = { ...(await randomOptions(r, bytes)), expectedBytes: bytes.length };
  const sampled = r() < 0.5;
  const engine = parallelEngine(int(r, 1, 2), int(r, 1, 7));
  const expected = await runWith(byteEngine, bytes, sizes, options, sampled);
  const actual = await runWith(engine, bytes, sizes, options, sampled);
  const context = `seed ${seed}, chunks ${sizes.join(',')}: ${description}`;
  expect(actual.report, context).toEqual(expected.report);
  expect(Buffer.from(actual.output).toString('latin1'), context).toBe(Buffer.from(expected.output).toString('latin1'));
  expect(actual.calls, context).toEqual(expected.calls);
}

describe('the byte engine on worker threads gives the byte engine\'s results', () => {
  it('over random lists cut in batches of 1 to 7 rows on 1 or 2 threads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        await compareOne(seed);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('keeps the first occurrence of a number across batches and threads, and stays the byte engine on a small list', async () => {
    // Prepare: the same number in every batch of 2 rows
    const rows = Array.from({ length: 40 }, (_, i) => `r${i};${i % 3 === 0 ? '347 123 4567' : `34712345${String(i).padStart(2, '0')}`};15/03/2024`);
    const bytes = new TextEncoder().encode(`nome;telefono;data_consenso\r\n${rows.join('\r\n')}\r\n`);
    const options = { maxBytes: 1 << 20, expectedBytes: bytes.length };
    // Act
    const expected = await runWith(byteEngine, bytes, [17], options, true);
    const threaded = await runWith(parallelEngine(2, 2), bytes, [17], options, true);
    const small = await runWith((s, o) => runParallelContactList(s, o, phoneReader, { threads: 2, batchRows: 2 }), bytes, [17], options, true);
    // Assess
    expect(threaded).toEqual(expected);
    expect(small).toEqual(expected);
    expect(expected.report.excluded.duplicate).toBe(13);
    expect(expected.report.samples.filter((s) => s.reason === 'duplicate').map((s) => s.row).slice(0, 3)).toEqual([4, 7, 10]);
  });

  it('hashes a source that hands out Buffer views of one pool, leaving the pool as it was', async () => {
    // Prepare: a file stream's way, chunks that are views of one shared ArrayBuffer
    const rows = Array.from({ length: 50 }, (_, i) => `r${i};34712345${String(i).padStart(2, '0')}`);
    const text = `nome;telefono\r\n${rows.join('\r\n')}\r\n`;
    const pool = Buffer.from(new TextEncoder().encode(text).buffer); // its own ArrayBuffer, not Node's small-buffer pool
    const views = async function* () {
      for (let at = 0; at < pool.length; at += 100) yield pool.subarray(at, Math.min(pool.length, at + 100));
    };
    const options = { maxBytes: 1 << 20, expectedBytes: pool.length };
    // Act
    const threaded = await runParallelContactList(views(), options, phoneReader, { threads: 2, minBytes: 0, batchRows: 3 });
    const alone = await byteEngine(views(), options);
    // Assess
    expect(threaded).toEqual(alone);
    expect(threaded.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(pool.toString()).toBe(text);
  });
});
