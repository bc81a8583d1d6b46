import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { functionBundling, functionsDir, handlerNames, repoRoot, shipPdfjs, shippedPdfjs } from '../../infra/cdk/bundling.js';
import { renderAttestationPdf } from '../../shared/attestation/template.js';
import { demoAttestationValues } from '../fixtures/attestations.js';

/**
 * The size of each Lambda bundle, built with the options the CDK construct hands to esbuild
 * (infra/cdk/bundling.ts): ESM, minified, node22, the AWS SDK clients inside, pdfjs-dist outside. One esbuild run
 * with every handler as an entry point and no code splitting, so each output is exactly one function's bundle.
 *
 * Beside the size, each bundle's import time: what a cold start pays before the handler runs (Lambda imports the
 * module during init). Measured in a fresh Node process per run, the median of BENCH_IMPORT_RUNS (default 5), with
 * pdfjs shipped beside the bundles as the construct ships it. For a bundle that imports pdfjs (lazily, on the first
 * PDF read), the same process then loads it from there and reads an attestation's text layer: what the first
 * PDF read adds, shown on a line of its own, so that the deferred cost is not hidden.
 */
const TARGET_BYTES = 1024 * 1024;
const TARGET_IMPORT_MS = 300;
/** The PDF reader's own bundle, for timing the first PDF read (no function exports readPdfText). */
const PDF_READER = 'pdf-reader';

/**
 * The given handlers' bundles, built with the construct's options, in memory or, with outdir, to disk; the
 * metafile says what is in each.
 */
export function buildFunctionBundles(handlers: string[], outdir?: string): Promise<Metafile> {
  return buildBundles(Object.fromEntries(handlers.map((h) => [h, path.join(functionsDir, `${h}.ts`)])), outdir);
}

/** Bundles of any entry points (name to source file), built as the construct builds a function's. */
export async function buildBundles(entryPoints: Record<string, string>, outdir?: string): Promise<Metafile> {
  const result = await build({
    entryPoints,
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

export interface ImportTimes {
  /** Importing the bundle (its top-level code included). */
  importMs: number;
  /** pdfjs was evaluated by the import (globalThis.pdfjsLib set): the lazy import was not lazy. */
  pdfjsAtImport: boolean;
  /** Then the first PDF read: readPdfText from a bundle of its own, loading pdfjs from beside it; with `pdf` only. */
  firstPdfReadMs?: number;
}

/**
 * Run in a fresh process: argv[1] the bundle; then, both or neither, the PDF reader's bundle (shared/attestation/pdf-text.ts
 * built like a function, beside the function's so that it finds the same pdfjs) and a PDF.
 */
const IMPORT_SCRIPT = `
const [bundle, reader, pdfFile] = process.argv.slice(1);
const start = performance.now();
await import(bundle);
const importMs = performance.now() - start;
const pdfjsAtImport = globalThis.pdfjsLib !== undefined;
let firstPdfReadMs;
if (pdfFile) {
  const { readFileSync } = await import('node:fs');
  const bytes = new Uint8Array(readFileSync(pdfFile));
  const readStart = performance.now();
  const { readPdfText } = await import(reader);
  const { text } = await readPdfText(bytes);
  firstPdfReadMs = performance.now() - readStart;
  if (!text.trim()) throw new Error('no text read from ' + pdfFile);
}
process.stdout.write('\\n' + JSON.stringify({ importMs, pdfjsAtImport, firstPdfReadMs }));
`;

/**
 * Import times of one bundle in a fresh Node process, the median of `runs` (each figure on its own). With `pdf`,
 * each process then reads that PDF's text with `reader` (the PDF reader's bundle, in the same folder), which loads
 * pdfjs from where the function's own lazy import finds it.
 * Environment the handlers read at import is given placeholder values, as the construct sets real ones.
 */
export function importTimes(file: string, runs: number, pdf?: { reader: string; file: string }): ImportTimes {
  const samples: ImportTimes[] = [];
  for (let i = 0; i < runs; i++) {
    const args = [pathToFileURL(file).href, ...(pdf ? [pathToFileURL(pdf.reader).href, pdf.file] : [])];
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...LAMBDA_ENV },
    });
    if (child.status !== 0) throw new Error(`importing ${path.basename(file)} failed: ${child.stderr.split('\n').slice(0, 6).join('\n')}`);
    // pdfjs prints its warnings on stdout: the figures are the last line.
    samples.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ImportTimes);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    importMs: median(samples.map((s) => s.importMs)),
    pdfjsAtImport: samples.some((s) => s.pdfjsAtImport),
    ...(pdf ? { firstPdfReadMs: median(samples.map((s) => s.firstPdfReadMs!)) } : {}),
  };
}

/** Whether a bundle leaves an import of pdfjs-dist to run time (it then needs pdfjs shipped beside it). */
export function importsPdfjs(output: Metafile['outputs'][string]): boolean {
  return output.imports.some((i) => i.external && (i.path === shippedPdfjs.packageName || i.path.startsWith(`${shippedPdfjs.packageName}/`)));
}

/** What the Lambda runtime and the construct set, with placeholder values (nothing is called at import). */
export const LAMBDA_ENV: Record<string, string> = {
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
    shipPdfjs(outdir);
    await buildBundles({ [PDF_READER]: path.join(repoRoot, 'shared', 'attestation', 'pdf-text.ts') }, outdir);
    const shippedBytes = shippedPdfjs.files.filter((f) => f.target.endsWith('.mjs')).reduce((sum, f) => sum + statSync(path.join(outdir, f.target)).size, 0);
    const pdf = path.join(outdir, 'attestation.pdf');
    writeFileSync(pdf, await renderAttestationPdf(demoAttestationValues(), { language: 'it', layout: 'same-line' }));

    console.log(
      `esbuild, ${handlers.length} functions in ${seconds} s; import: fresh Node ${process.version} process, median of ${runs} ` +
        `(target: the largest under ${TARGET_IMPORT_MS} ms; the 1 MB size target is withdrawn for the functions that read attestations)`,
    );
    console.log(`${'function'.padEnd(22)}${'bundle'.padStart(10)}${'import'.padStart(9)}  ${'sdk'.padEnd(4)}  largest inputs`);
    let largest = { handler: '', bytes: 0, ms: 0 };
    const lazy: string[] = [];
    for (const handler of handlers) {
      const output = outputFor(metafile, handler);
      const readsPdf = importsPdfjs(output);
      const times = importTimes(path.join(outdir, `${handler}.mjs`), runs, readsPdf ? { reader: path.join(outdir, `${PDF_READER}.mjs`), file: pdf } : undefined);
      const ms = times.importMs;
      if (output.bytes > largest.bytes) largest = { handler, bytes: output.bytes, ms };
      const packages = byPackage(output);
      const sdkBundled = Object.keys(packages).some((p) => p.startsWith('@aws-sdk/'));
      const inputs = Object.entries(packages)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([name, bytes]) => `${name} ${formatBytes(bytes)}`)
        .join(', ');
      const verdict = output.bytes < TARGET_BYTES || readsPdf ? ' ' : '!';
      console.log(
        `${handler.padEnd(22)}${formatBytes(output.bytes).padStart(10)}${verdict}${`${ms.toFixed(0)} ms`.padStart(8)}${ms < TARGET_IMPORT_MS ? ' ' : '!'} ` +
          `${(sdkBundled ? 'in' : '-').padEnd(4)}  ${inputs}`,
      );
      if (times.pdfjsAtImport) lazy.push(handler);
      if (readsPdf) {
        console.log(
          `${''.padEnd(22)}${`+ ${formatBytes(shippedBytes)}`.padStart(10)} ${`+${times.firstPdfReadMs!.toFixed(0)} ms`.padStart(8)}        ` +
            "pdfjs-dist beside it (pdf.mjs, pdf.worker.mjs): the first PDF read, loading it and reading an attestation's text",
        );
      }
    }
    console.log("'!' over a target (size: functions that do not read attestations); sdk 'in' = AWS SDK clients bundled, not taken from the runtime");
    if (lazy.length) console.log(`! pdfjs evaluated when importing ${lazy.join(', ')}: its import is not lazy`);
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
