/**
 * The consent sample's draw (docs/consent-sampling.md) over a synthetic feed of released rows, as the list's single pass
 * hands them to the selector: rows per second and the heap it holds, against the obvious way (node:crypto for every
 * key). The heap figure is measured after a full garbage collection, before and after the feed, so that it shows
 * what the selector keeps, not what the loop left behind.
 *
 * Run alone: `npx tsx test/bench/consent-sample.ts`. Environment: BENCH_SAMPLE_ROWS (default 1000000).
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

import { ConsentSampleSelector, consentSampleSeed } from '../../shared/consent/draw.js';

function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
const perSecond = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');

const PHONES = Array.from({ length: 1024 }, (_, i) => `+39347${String(1000000 + i * 7919).slice(-7)}`);
const DATES = ['14/03/2025', '2025-06-01', '', '01/12/2024'];
const SOURCES = ['https://acme.example/promo', 'fiera-milano-2025', 'concorso-primavera', 'app-acme-energia'];

/**
 * The list's reader hands out cells sliced from the decoded chunk (64 KiB of text): a selector that kept such a slice
 * would keep the whole chunk alive, so the feed here slices its cells from fresh chunks the same way.
 */
const ROWS_PER_CHUNK = 800;
function chunkOfRows(first: number): string {
  let text = '';
  for (let i = first; i < first + ROWS_PER_CHUNK; i++) {
    text += `${PHONES[i & 1023]!};${DATES[i & 3]!};${SOURCES[(i >> 2) & 3]!}/${i};n${i}\n`;
  }
  return text;
}

function drawWithSelector(seed: string, size: number, rows: number, gc: () => void) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const selector = new ConsentSampleSelector(seed, size);
  let maxRetained = 0;
  const cells: string[] = [];
  for (let first = 0; first < rows; first += ROWS_PER_CHUNK) {
    const chunk = chunkOfRows(first);
    let at = 0;
    for (let i = first; i < first + ROWS_PER_CHUNK && i < rows; i++) {
      const end = chunk.indexOf('\n', at);
      const line = chunk.slice(at, end);
      at = end + 1;
      const a = line.indexOf(';');
      const b = line.indexOf(';', a + 1);
      const c = line.indexOf(';', b + 1);
      cells[0] = line.slice(0, a);
      cells[1] = line.slice(a + 1, b);
      cells[2] = line.slice(b + 1, c);
      selector.offer(i, i + 1, cells[0], cells[1], cells[2]);
      if ((i & 0xffff) === 0 && selector.retained > maxRetained) maxRetained = selector.retained;
    }
  }
  const sample = selector.rows();
  const ms = performance.now() - t0;
  if (selector.retained > maxRetained) maxRetained = selector.retained;
  gc();
  const after = process.memoryUsage().heapUsed;
  return { ms, heapDelta: after - before, heapUsed: after, maxRetained, sampled: sample.length, indices: sample.map((r) => r.index).join(',') };
}

/** The obvious way: node:crypto for each key, then the same bounded comparison (no heap: a sorted array of n). */
function drawWithNodeCrypto(seed: string, size: number, rows: number) {
  const seedBytes = Buffer.from(seed, 'hex');
  const counter = Buffer.alloc(4);
  const kept: { key: Buffer; index: number }[] = [];
  const t0 = performance.now();
  for (let i = 0; i < rows; i++) {
    counter.writeUInt32BE(i, 0);
    const key = createHash('sha256').update(seedBytes).update(counter).digest();
    if (kept.length < size || Buffer.compare(key, kept[kept.length - 1]!.key) < 0) {
      kept.push({ key, index: i });
      kept.sort((a, b) => Buffer.compare(a.key, b.key));
      if (kept.length > size) kept.pop();
    }
  }
  const ms = performance.now() - t0;
  return { ms, indices: kept.map((k) => k.index).sort((a, b) => a - b).join(',') };
}

export async function run(): Promise<void> {
  const rows = Number(process.env['BENCH_SAMPLE_ROWS'] ?? 1_000_000);
  const gc = collector();
  const seed = consentSampleSeed(
    createHash('sha256').update('bench list').digest('hex'),
    createHash('sha256').update('bench attestation').digest('hex'),
    'a5'.repeat(32),
  );
  console.log(`consent sample over ${rows.toLocaleString('en-US')} released rows (Node ${process.version})`);
  for (const size of [59, 1000]) {
    drawWithSelector(seed, size, Math.min(rows, 100_000), gc); // warm-up: JIT
    const m = drawWithSelector(seed, size, rows, gc);
    console.log(
      `selector n=${String(size).padEnd(5)} ${(m.ms / 1000).toFixed(2).padStart(6)} s ${perSecond(rows, m.ms).padStart(11)} rows/s | ` +
        `${m.sampled} rows sampled, at most ${m.maxRetained} held | heap used ${mb(m.heapUsed)} MB, ${m.heapDelta >= 0 ? '+' : ''}${mb(m.heapDelta)} MB over the feed`,
    );
    if (size === 59) {
      const reference = drawWithNodeCrypto(seed, size, rows);
      if (reference.indices !== m.indices) throw new Error('the node:crypto draw and the selector disagree');
      console.log(
        `node:crypto n=${String(size).padEnd(2)} ${(reference.ms / 1000).toFixed(2).padStart(6)} s ${perSecond(rows, reference.ms).padStart(11)} rows/s | ` +
          `the same sample; x${(reference.ms / m.ms).toFixed(1)} the selector's time`,
      );
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
