import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { functionBundling, functionsDir, handlerNames, pdfWorker, repoRoot } from '../../infra/cdk/bundling.js';

/**
 * The size of each Lambda bundle, built with the options the CDK construct hands to esbuild
 * (infra/cdk/bundling.ts): ESM, minified, node22, the AWS SDK clients inside. One esbuild run with every handler as
 * an entry point and no code splitting, so each output is exactly one function's bundle.
 *
 * Beside the size, each bundle's import time: what a cold start pays before the handler runs (Lambda imports the
 * module during init). Measured in a fresh Node process per run, the median of BENCH_IMPORT_RUNS (default 5),
 * pdf.worker.mjs beside the bundles as the construct ships it.
 */
const TARGET_BYTES = 1024 * 1024;
const TARGET_IMPORT_MS = 300;

/**
 * The given handlers' bundles, built with the construct's options, in memory or, with outdir, to disk; the
 * metafile says what is in each.
 */
export async function buildFunctionBundles(handlers: string[], outdir?: string): Promise<Metafile> {
  const result = await build({
    entryPoints: Object.fromEntries(handlers.map((h) => [h, path.join(functionsDir, `${h}.ts`)])),
    outdir: outdir ?? path.join(repoRoot, 'cdk.out', 'bench-bundles'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: functionBundling.target,
    format: functionBundling.format,
    minify: functionBundling.minify,
    sourcemap: functionBundling.sourceMap,
    mainFields: [...functionBundling.mainFields],
    external: [...functionBundling.externalModules],
    banner: { js: functionBundling.banner },
    alias: functionBundling.alias,
    absWorkingDir: repoRoot,
    metafile: true,
    write: outdir !== undefined,
    logLevel: 'error',
  });
  return result.metafile;
}

/**
 * Milliseconds to import one bundle in a fresh Node process (its top-level code included), the median of `runs`.
 * Environment the handlers read at import is given placeholder values, as the construct sets real ones.
 */
export function importMilliseconds(file: string, runs: number): number {
  const script = 'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
      encoding: 'utf8',
      env: { ...process.env, ...LAMBDA_ENV },
    });
    if (child.status !== 0) throw new Error(`importing ${path.basename(file)} failed: ${child.stderr.split('\n').slice(0, 6).join('\n')}`);
    times.push(Number(child.stdout));
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** What the Lambda runtime and the construct set, with placeholder values (nothing is called at import). */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'eu-south-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export async function run(): Promise<void> {
  const handlers = handlerNames();
  const runs = Number(process.env['BENCH_IMPORT_RUNS'] ?? 5);
  const outdir = mkdtempSync(path.join(tmpdir(), 'filiera-bench-bundles-'));
  try {
    const started = performance.now();
    const metafile = await buildFunctionBundles(handlers, outdir);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const workerBytes = statSync(path.join(repoRoot, pdfWorker.source)).size;
    copyFileSync(path.join(repoRoot, pdfWorker.source), path.join(outdir, pdfWorker.target));

    console.log(
      `esbuild, ${handlers.length} functions in ${seconds} s; import: fresh Node ${process.version} process, median of ${runs} ` +
        `(target: the largest under ${TARGET_IMPORT_MS} ms; the 1 MB size target is withdrawn for the functions that read attestations)`,
    );
    console.log(`${'function'.padEnd(22)}${'bundle'.padStart(10)}${'import'.padStart(9)}  ${'sdk'.padEnd(4)}  largest inputs`);
    let largest = { handler: '', bytes: 0, ms: 0 };
    for (const handler of handlers) {
      const output = outputFor(metafile, handler);
      const ms = importMilliseconds(path.join(outdir, `${handler}.mjs`), runs);
      if (output.bytes > largest.bytes) largest = { handler, bytes: output.bytes, ms };
      const packages = byPackage(output);
      const sdkBundled = Object.keys(packages).some((p) => p.startsWith('@aws-sdk/'));
      const inputs = Object.entries(packages)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([name, bytes]) => `${name} ${formatBytes(bytes)}`)
        .join(', ');
      const verdict = output.bytes < TARGET_BYTES || 'pdfjs-dist' in packages ? ' ' : '!';
      console.log(
        `${handler.padEnd(22)}${formatBytes(output.bytes).padStart(10)}${verdict}${`${ms.toFixed(0)} ms`.padStart(8)}${ms < TARGET_IMPORT_MS ? ' ' : '!'} ` +
          `${(sdkBundled ? 'in' : '-').padEnd(4)}  ${inputs}`,
      );
      if ('pdfjs-dist' in packages) {
        console.log(`${''.padEnd(22)}${`+ ${formatBytes(workerBytes)}`.padStart(10)}                  pdf.worker.mjs shipped beside it (loaded when a PDF is read)`);
      }
    }
    console.log("'!' over a target (size: functions that do not read attestations); sdk 'in' = AWS SDK clients bundled, not taken from the runtime");
    console.log(`largest bundle: ${largest.handler}, ${formatBytes(largest.bytes)}, imports in ${largest.ms.toFixed(0)} ms (target < ${TARGET_IMPORT_MS} ms)`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function outputFor(metafile: Metafile, handler: string): Metafile['outputs'][string] {
  const entry = Object.entries(metafile.outputs).find(([file]) => path.basename(file) === `${handler}.mjs`);
  if (!entry) throw new Error(`no bundle for ${handler}`);
  return entry[1];
}

/** Bytes in the output per npm package (or per top-level folder of this repository). */
export function byPackage(output: Metafile['outputs'][string]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match ? match[1]! : `${input.split('/')[0]}/`;
    totals[name] = (totals[name] ?? 0) + bytesInOutput;
  }
  return totals;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(0)} kB`;
}
