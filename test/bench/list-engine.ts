/**
 * The contact list engine against its floor (read + SHA-256), the string engine it replaced and the obvious stack a
 * newcomer would write, at 1M and 5M rows. Each measurement runs in a fresh child process so its peak RSS is clean:
 * the worker is bundled with esbuild and run by plain node, as the CLI runs precompiled, so that the figures are the
 * engine's and not the tsx loader's (which holds some 60 MB of its own).
 *
 * Environment: BENCH_ROWS_SMALL (default 1000000), BENCH_ROWS_LARGE (default 5000000, 0 to skip),
 * BENCH_NEWCOMER_LARGE=1 to also run the newcomer at the large size (slow), BENCH_DIR (default os.tmpdir()).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { writeList, writeRpo } from './list-data.js';

interface Measurement {
  mode: string;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  rows: number;
  released?: number;
  dedupeStateBytes?: number;
  maxRssBytes: number;
}

const workerSource = fileURLToPath(new URL('./list-worker.ts', import.meta.url));

/**
 * The worker as one ESM file for plain node (its packages inside, `require` given for the CommonJS ones), and the
 * parallel engine's row thread beside it, where the bundled engine looks for it.
 */
async function bundleWorker(dir: string): Promise<string> {
  const outdir = join(dir, 'list-worker');
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
  await build({
    entryPoints: { 'list-worker': workerSource, 'row-worker': fileURLToPath(new URL('../../shared/list/row-worker.ts', import.meta.url)) },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return join(outdir, 'list-worker.js');
}

function measure(worker: string, mode: string, list: string, rpo: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, mode, list, rpo], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${mode} worker exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Measurement);
    });
  });
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

function line(label: string, m: Measurement, rows: number, engine?: Measurement): string {
  const perSecond = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US').padStart(11);
  const ratio = engine ? `  x${(m.cpuSeconds / engine.cpuSeconds).toFixed(2)} the engine's CPU time` : '';
  return (
    `${label.padEnd(10)} wall ${m.seconds.toFixed(2).padStart(7)} s ${perSecond(rows, m.seconds)} rows/s ${(m.bytes / 1024 / 1024 / m.seconds).toFixed(1).padStart(6)} MB/s | ` +
    `CPU ${m.cpuSeconds.toFixed(2).padStart(7)} s ${perSecond(rows, m.cpuSeconds)} rows/s ${(m.bytes / 1024 / 1024 / m.cpuSeconds).toFixed(1).padStart(6)} MB/s | ` +
    `peak RSS ${mb(m.maxRssBytes).padStart(6)} MB${ratio}`
  );
}

/**
 * The machine's speed in the same process kind, so that figures from a slow or shared machine can be compared with
 * the targets (set on a quiet machine): a fixed integer loop and SHA-256 of 64 MB, wall and CPU.
 */
function calibrate(): string {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let acc = 0;
  for (let i = 0; i < 100_000_000; i++) acc = (acc + i * 7) | 0;
  const t1 = performance.now();
  const block = Buffer.alloc(64 * 1024 * 1024, acc & 0xff);
  const t2 = performance.now();
  createHash('sha256').update(block).digest();
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return (
    `machine: 1e8-step integer loop ${((t1 - t0) / 1000).toFixed(2)} s wall, SHA-256 ${(64 / ((t3 - t2) / 1000)).toFixed(0)} MB/s wall; ` +
    `CPU/wall over the calibration ${((cpu.user + cpu.system) / 1000 / (t3 - t0)).toFixed(2)} (well under 1: the machine is shared or stolen from), ` +
    `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`
  );
}

async function ensureList(dir: string, rows: number): Promise<string> {
  const path = join(dir, `list-${rows}.csv`);
  if (!existsSync(path)) {
    const t = Date.now();
    await writeList(path, rows);
    console.log(`generated ${path} (${mb(statSync(path).size)} MB) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return path;
}

export async function run(): Promise<void> {
  const small = Number(process.env['BENCH_ROWS_SMALL'] ?? 1_000_000);
  const large = Number(process.env['BENCH_ROWS_LARGE'] ?? 5_000_000);
  const newcomerLarge = process.env['BENCH_NEWCOMER_LARGE'] === '1';
  const dir = process.env['BENCH_DIR'] ?? join(tmpdir(), 'filiera-bench');
  mkdirSync(dir, { recursive: true });
  const rpo = join(dir, 'rpo-50k.txt');
  if (!existsSync(rpo)) await writeRpo(rpo, 50_000);

  const worker = await bundleWorker(dir);
  console.log(calibrate());
  const results = new Map<number, Measurement>();
  for (const rows of large > 0 ? [small, large] : [small]) {
    const list = await ensureList(dir, rows);
    console.log(`\n${rows.toLocaleString('en-US')} rows, ${mb(statSync(list).size)} MB, RPO 50,000 numbers, every check on:`);
    const engine = await measure(worker, 'engine', list, rpo);
    results.set(rows, engine);
    console.log(line('engine', engine, rows));
    const parallel = await measure(worker, 'parallel', list, rpo);
    console.log(line('parallel', parallel, rows, engine) + '  (the byte engine, rows read by worker threads)');
    const stringEngine = await measure(worker, 'string-engine', list, rpo);
    console.log(line('string', stringEngine, rows, engine) + '  (the string engine the byte engine replaced)');
    const floor = await measure(worker, 'floor', list, rpo);
    console.log(line('floor', floor, rows, engine) + '  (read + SHA-256 only)');
    if (rows === small || newcomerLarge) {
      const newcomer = await measure(worker, 'newcomer', list, rpo);
      console.log(line('newcomer', newcomer, rows, engine) + '  (csv-parse + zod + libphonenumber-js + Set)');
    } else {
      console.log('newcomer   skipped at this size (BENCH_NEWCOMER_LARGE=1 to run it)');
    }
    console.log(`           dedupe state ${mb(engine.dedupeStateBytes ?? 0)} MB, released ${engine.released?.toLocaleString('en-US')} rows`);
  }
  console.log(
    '\ntargets (set on a quiet machine): engine >= 450,000 rows/s of CPU on one core with every check on; ' +
      'peak RSS <= 128 MB at 1M rows and <= 160 MB at 5M; 1M -> 5M: dedupe state <= 24 bytes per added row',
  );
  const a = results.get(small);
  const b = results.get(large);
  if (a && b) {
    const added = large - small;
    console.log(
      `\n1M -> 5M: dedupe state +${(((b.dedupeStateBytes ?? 0) - (a.dedupeStateBytes ?? 0)) / added).toFixed(1)} bytes per added row; ` +
        `peak RSS +${((b.maxRssBytes - a.maxRssBytes) / added).toFixed(1)} bytes per added row`,
    );
  }
}
