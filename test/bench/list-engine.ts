/**
 * The contact list engine against its floor (read + SHA-256) and against the obvious stack a newcomer would write,
 * at 1M and 5M rows. Each measurement runs in a fresh child process so its peak RSS is clean.
 *
 * Environment: BENCH_ROWS_SMALL (default 1000000), BENCH_ROWS_LARGE (default 5000000, 0 to skip),
 * BENCH_NEWCOMER_LARGE=1 to also run the newcomer at the large size (slow), BENCH_DIR (default os.tmpdir()).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { writeList, writeRpo } from './list-data.js';

interface Measurement {
  mode: string;
  bytes: number;
  seconds: number;
  rows: number;
  released?: number;
  dedupeStateBytes?: number;
  maxRssBytes: number;
}

const worker = fileURLToPath(new URL('./list-worker.ts', import.meta.url));

function measure(mode: string, list: string, rpo: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, mode, list, rpo], {
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
  const rowsPerSecond = rows / m.seconds;
  const ratio = engine ? `  x${(m.seconds / engine.seconds).toFixed(2)} the engine's time` : '';
  return `${label.padEnd(10)} ${m.seconds.toFixed(2).padStart(7)} s  ${Math.round(rowsPerSecond).toLocaleString('en-US').padStart(11)} rows/s  ${(m.bytes / 1024 / 1024 / m.seconds).toFixed(1).padStart(7)} MB/s  peak RSS ${mb(m.maxRssBytes).padStart(7)} MB${ratio}`;
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

  const results = new Map<number, Measurement>();
  for (const rows of large > 0 ? [small, large] : [small]) {
    const list = await ensureList(dir, rows);
    console.log(`\n${rows.toLocaleString('en-US')} rows, ${mb(statSync(list).size)} MB, RPO 50,000 numbers, every check on:`);
    const engine = await measure('engine', list, rpo);
    results.set(rows, engine);
    console.log(line('engine', engine, rows));
    const floor = await measure('floor', list, rpo);
    console.log(line('floor', floor, rows, engine) + '  (read + SHA-256 only)');
    if (rows === small || newcomerLarge) {
      const newcomer = await measure('newcomer', list, rpo);
      console.log(line('newcomer', newcomer, rows, engine) + '  (csv-parse + zod + libphonenumber-js + Set)');
    } else {
      console.log('newcomer   skipped at this size (BENCH_NEWCOMER_LARGE=1 to run it)');
    }
    console.log(`           dedupe state ${mb(engine.dedupeStateBytes ?? 0)} MB, released ${engine.released?.toLocaleString('en-US')} rows`);
  }
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
