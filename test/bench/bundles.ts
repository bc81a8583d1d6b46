import { statSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { functionBundling, functionsDir, handlerNames, pdfWorker, repoRoot } from '../../infra/cdk/bundling.js';

/**
 * The size of each Lambda bundle, built with the options the CDK construct hands to esbuild
 * (infra/cdk/bundling.ts): ESM, minified, node22, the AWS SDK clients inside. One esbuild run with every handler as
 * an entry point and no code splitting, so each output is exactly one function's bundle.
 */
const TARGET_BYTES = 1024 * 1024;

/** The given handlers' bundles, built in memory with the construct's options; the metafile says what is in each. */
export async function buildFunctionBundles(handlers: string[]): Promise<Metafile> {
  const result = await build({
    entryPoints: Object.fromEntries(handlers.map((h) => [h, path.join(functionsDir, `${h}.ts`)])),
    outdir: path.join(repoRoot, 'cdk.out', 'bench-bundles'),
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
    write: false,
    logLevel: 'error',
  });
  return result.metafile;
}

export async function run(): Promise<void> {
  const handlers = handlerNames();
  const started = performance.now();
  const metafile = await buildFunctionBundles(handlers);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const workerBytes = statSync(path.join(repoRoot, pdfWorker.source)).size;

  console.log(`esbuild, ${handlers.length} functions in ${seconds} s (target: under ${formatBytes(TARGET_BYTES)} each)`);
  console.log(`${'function'.padEnd(22)}${'bundle'.padStart(10)}  ${'sdk'.padEnd(4)}  largest inputs`);
  for (const handler of handlers) {
    const output = outputFor(metafile, handler);
    const packages = byPackage(output);
    const sdkBundled = Object.keys(packages).some((p) => p.startsWith('@aws-sdk/'));
    const largest = Object.entries(packages)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, bytes]) => `${name} ${formatBytes(bytes)}`)
      .join(', ');
    const verdict = output.bytes < TARGET_BYTES ? ' ' : '!';
    console.log(`${handler.padEnd(22)}${formatBytes(output.bytes).padStart(10)}${verdict} ${(sdkBundled ? 'in' : '-').padEnd(4)}  ${largest}`);
    if ('pdfjs-dist' in packages) {
      console.log(`${''.padEnd(22)}${`+ ${formatBytes(workerBytes)}`.padStart(10)}        pdf.worker.mjs shipped beside it (loaded when a PDF is read)`);
    }
  }
  console.log("'!' over the target; sdk 'in' = AWS SDK clients bundled, not taken from the runtime");
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
