/**
 * The consent sample drawn inside the list's single pass (docs/consent-sampling.md; issue "done when": a 1,000,000-row
 * list, no second read, bounded memory): processContactList over the same list without a sample, with the default
 * 59 rows and with 1,000, each in a fresh process so that its peak RSS is its own. Printed per mode: wall and CPU time,
 * peak RSS, the times the list was opened (1: one pass), the rows offered to the selector and kept, and the heap the
 * selector holds once the pass is over (after a full garbage collection).
 *
 * Run alone: `npx tsx test/bench/consent-pass.ts`. Environment: BENCH_CONSENT_ROWS (default 1000000), BENCH_DIR.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

import { ConsentSampleSelector, consentSampleSeed } from '../../shared/consent/draw.js';
import { processContactList } from '../../shared/list/index.js';
import { BENCH_PERIOD, writeList } from './list-data.js';

interface Measurement {
  mode: string;
  rows: number;
  released: number;
  opened: number;
  offered: number;
  kept: number;
  seconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  selectorHeapBytes: number;
}

const SEED = consentSampleSeed('11'.repeat(32), '22'.repeat(32), '33'.repeat(32));
const CHUNK = 1 << 20;

/** One measurement, in this process: `consent-pass.ts worker <size|none> <list.csv>`. */
async function worker(size: string, listPath: string): Promise<Measurement> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const selector = size === 'none' ? null : new ConsentSampleSelector(SEED, Number(size));
  let opened = 0;
  const source = () => {
    opened++;
    return createReadStream(listPath, { highWaterMark: CHUNK });
  };
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = await processContactList(source(), { maxBytes: 1024 ** 3, consentPeriod: BENCH_PERIOD, output: () => {}, consentSample: selector });
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!report.readable) throw new Error(JSON.stringify(report.unreadable));
  gc();
  gc();
  const selectorHeapBytes = Math.max(0, process.memoryUsage().heapUsed - heapBefore);
  const kept = selector?.rows().length ?? 0;
  return {
    mode: size === 'none' ? 'no sample' : `sample ${size}`,
    rows: report.dataRows,
    released: report.releasedRows,
    opened,
    offered: selector?.offered ?? 0,
    kept,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    selectorHeapBytes,
  };
}

function measure(size: string, list: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'worker', size, list], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`consent-pass worker (${size}) exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Measurement);
    });
  });
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

export async function run(): Promise<void> {
  const rows = Number(process.env.BENCH_CONSENT_ROWS ?? 1_000_000);
  const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'filiera-bench');
  mkdirSync(dir, { recursive: true });
  const list = join(dir, `consent-list-${rows}.csv`);
  if (!existsSync(list)) await writeList(list, rows);
  console.log(`list: ${rows.toLocaleString('en-US')} data rows, ${mb(statSync(list).size)} MB`);
  const plain = await measure('none', list);
  for (const m of [plain, await measure('59', list), await measure('1000', list)]) {
    const extra = m.seconds - plain.seconds;
    console.log(
      `${m.mode.padEnd(12)} wall ${m.seconds.toFixed(2).padStart(6)} s (${extra >= 0 ? '+' : ''}${extra.toFixed(2)} s) | CPU ${m.cpuSeconds.toFixed(2).padStart(6)} s | ` +
        `peak RSS ${mb(m.maxRssBytes).padStart(6)} MB | list opened ${m.opened}x | offered ${m.offered.toLocaleString('en-US')} of ${m.released.toLocaleString('en-US')} released, kept ${m.kept} | ` +
        `selector heap after the pass ${mb(m.selectorHeapBytes)} MB`,
    );
  }
}

if (process.argv[2] === 'worker') {
  console.log(JSON.stringify(await worker(process.argv[3]!, process.argv[4]!)));
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
