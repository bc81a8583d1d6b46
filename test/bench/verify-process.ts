/**
 * The whole `filiera verify` process on a 1M-row list, as an auditor runs it (docs/cli.md): the installed
 * bin (bin/filiera.mjs, compiled JavaScript), a signed attestation bound to the list, the 50,000-number RPO file,
 * every check on. Wall time from spawn to exit, and the process's peak RSS (reported by the process itself at exit,
 * test/bench/exit-report.mjs). The median of BENCH_VERIFY_RUNS runs (default 3) after one unmeasured run, which
 * compiles the CLI if a source changed.
 *
 * Environment: BENCH_ROWS_SMALL (default 1000000), BENCH_DIR (default os.tmpdir()/filiera-bench), BENCH_VERIFY_RUNS,
 * BENCH_VERIFY_TSX=1 to also measure the same command through the tsx loader (what `npm run filiera` used to run).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoAttestationValues, italianDate, makeAttestation } from '../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki } from '../fixtures/pki.js';
import { BENCH_PERIOD, writeList, writeRpo } from './list-data.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const reporter = fileURLToPath(new URL('./exit-report.mjs', import.meta.url));

interface Run {
  seconds: number;
  maxRssBytes: number;
  code: number | null;
  stdout: string;
}

function timed(argv: string[], keepOutput = false): Promise<Run> {
  const report = join(tmpdir(), `filiera-bench-report-${process.pid}.json`);
  rmSync(report, { force: true });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', reporter, ...argv], {
      cwd: repoRoot,
      stdio: ['ignore', keepOutput ? 'pipe' : 'ignore', 'pipe'],
      env: { ...process.env, FILIERA_BENCH_REPORT: report, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stderr = '';
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (!existsSync(report)) return reject(new Error(`no report from ${argv.join(' ')} (exit ${code}): ${stderr}`));
      const { maxRssBytes } = JSON.parse(readFileSync(report, 'utf8')) as { maxRssBytes: number };
      rmSync(report, { force: true });
      resolve({ seconds, maxRssBytes, code, stdout });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (n: number) => (n / 1024 / 1024).toFixed(0);

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The inputs of the measured command: the bench list and RPO file (shared with list-engine), PKI and attestation. */
export async function verifyArguments(dir: string, rows: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const list = join(dir, `list-${rows}.csv`);
  if (!existsSync(list)) await writeList(list, rows);
  const rpo = join(dir, 'rpo-50k.txt');
  if (!existsSync(rpo)) await writeRpo(rpo, 50_000);
  const pki = await makePki();
  const [from, to] = [BENCH_PERIOD.from, BENCH_PERIOD.to].map((d) => italianDate(new Date(`${d}T12:00:00Z`)));
  const attestation = await makeAttestation({
    values: demoAttestationValues({
      intakeId: 'FIL-BENCH00001',
      listSha256: await fileSha256(list),
      rowCount: String(rows),
      collectionPeriod: `dal ${from} al ${to}`,
    }),
    signing: 'cades-der',
    signer: 'mario',
  });
  return [
    'verify', '--list', list, '--attestation', attestation.path, '--intake', 'FIL-BENCH00001', '--tenant-vat', `IT${DEMO_TENANT_VAT}`,
    '--trust', pki.rootCaPath, '--signatory', DEMO_SIGNATORY, '--rpo', rpo, '--json',
  ];
}

export interface VerifyFigures {
  rows: number;
  seconds: number;
  maxRssBytes: number;
}

/** Median wall time and peak RSS of `runs` runs of one command line. */
async function measure(argv: string[], runs: number): Promise<{ seconds: number; maxRssBytes: number; codes: number[]; stdout: string }> {
  const first = await timed(argv, true); // unmeasured: compiles the CLI if a source changed, warms the file cache
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await timed(argv));
  return {
    seconds: median(results.map((r) => r.seconds)),
    maxRssBytes: median(results.map((r) => r.maxRssBytes)),
    codes: [...new Set(results.map((r) => r.code ?? -1))],
    stdout: first.stdout,
  };
}

export async function measureVerify(): Promise<VerifyFigures> {
  const rows = Number(process.env['BENCH_ROWS_SMALL'] ?? 1_000_000);
  const dir = process.env['BENCH_DIR'] ?? join(tmpdir(), 'filiera-bench');
  const runs = Number(process.env['BENCH_VERIFY_RUNS'] ?? 3);
  const args = await verifyArguments(dir, rows);
  const mbytes = (statSync(args[2]!).size / 1024 / 1024).toFixed(1);
  console.log(`filiera verify, whole process, ${rows.toLocaleString('en-US')} rows (${mbytes} MB), RPO 50,000 numbers, median of ${runs}:`);
  const compiled = await measure(['bin/filiera.mjs', ...args], runs);
  console.log(line('compiled', rows, compiled));
  const answer = JSON.parse(compiled.stdout) as { verdict: string; findings: { code: string; severity: string }[]; list: { releasedRows: number } };
  const notable = answer.findings.filter((f) => f.severity !== 'info').map((f) => f.code);
  console.log(`           verdict ${answer.verdict}${notable.length ? ` (${notable.join(', ')})` : ''}, released ${answer.list.releasedRows.toLocaleString('en-US')} rows`);
  if (process.env['BENCH_VERIFY_TSX'] === '1') console.log(line('tsx', rows, await measure(['--import', 'tsx', 'bin/filiera.ts', ...args], runs)));
  const help = await measure(['bin/filiera.mjs', '--help'], runs);
  console.log(`start-up   filiera --help ${help.seconds.toFixed(2)} s wall, peak RSS ${mb(help.maxRssBytes)} MB`);
  return { rows, seconds: compiled.seconds, maxRssBytes: compiled.maxRssBytes };
}

function line(label: string, rows: number, m: { seconds: number; maxRssBytes: number; codes: number[] }): string {
  return (
    `${label.padEnd(10)} wall ${m.seconds.toFixed(2).padStart(6)} s ${Math.round(rows / m.seconds).toLocaleString('en-US').padStart(9)} rows/s | ` +
    `peak RSS ${mb(m.maxRssBytes).padStart(4)} MB | exit ${m.codes.join(',')}`
  );
}

export async function run(): Promise<void> {
  const figures = await measureVerify();
  console.log(
    `target (set on an idle two-core machine): >= 350,000 rows/s wall and <= 200 MB peak; here ` +
      `${Math.round(figures.rows / figures.seconds).toLocaleString('en-US')} rows/s and ${mb(figures.maxRssBytes)} MB`,
  );
}
