import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * Builds the console into static files with esbuild (from the npm registry; no CDN, no download at build time):
 * index.html, console.css and console.js, one bundle of web/src. The embedded stack builds it in memory on first
 * request; the CDK app deploys the folder written by `npm run console:build` (dist/console) to S3 behind CloudFront,
 * beside a console-config.json of its own.
 */
const webDir = path.dirname(fileURLToPath(import.meta.url));

export interface ConsoleAsset {
  body: Uint8Array;
  contentType: string;
}

export async function buildConsole(): Promise<Map<string, ConsoleAsset>> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(webDir, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'none',
    write: false,
    outfile: 'console.js',
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((f) => f.path.endsWith('console.js'));
  if (!script) throw new Error('esbuild produced no console.js');
  const [html, css] = await Promise.all([readFile(path.join(webDir, 'index.html')), readFile(path.join(webDir, 'console.css'))]);
  return new Map<string, ConsoleAsset>([
    ['index.html', { body: html, contentType: 'text/html; charset=utf-8' }],
    ['console.css', { body: css, contentType: 'text/css; charset=utf-8' }],
    ['console.js', { body: script.contents, contentType: 'text/javascript; charset=utf-8' }],
  ]);
}

/** Writes the built console to a folder (for S3). */
export async function writeConsole(outDir: string): Promise<string[]> {
  const assets = await buildConsole();
  await mkdir(outDir, { recursive: true });
  for (const [name, asset] of assets) await writeFile(path.join(outDir, name), asset.body);
  return [...assets.keys()];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist/console' } }, strict: true });
  const names = await writeConsole(values.out!);
  console.log(`console built into ${values.out}: ${names.join(', ')}`);
}
