import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, COMPILED_ENTRIES, ensureBuilt, freshBuild } from '../../bin/compiled.mjs';
import { ProcessingThread } from '../../infra/local/processing-thread.js';
import { demoAttestationValues, makeAttestation } from '../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki } from '../fixtures/pki.js';
import { cleanList, sha256 } from '../fixtures/stack.js';
import { addDays, italianDate, romeDate } from '../../shared/verdict/dates.js';

/**
 * The CLI, `npm start` and `npm run demo` run from JavaScript compiled by bin/compiled.mjs, without a TypeScript
 * loader: built when missing, rebuilt when a source changed, finding the files beside their sources.
 */
const run = promisify(execFile);
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

describe('the compiled output of a project', () => {
  let root: string;
  const entries = { main: 'src/main.ts' };
  const output = async () => (await run(process.execPath, [(await ensureBuilt({ root, entries })).entries['main']!])).stdout;

  beforeAll(async () => {
    // Prepare: a project of its own (never this repository's sources, which others edit), with the packages it
    // imports linked from ours and a node_modules of its own for the cache.
    root = await tempDir('filiera-compiled-');
    await mkdir(path.join(root, 'src', 'assets'), { recursive: true });
    await mkdir(path.join(root, 'node_modules'));
    for (const name of ['zod', 'libphonenumber-js', 'esbuild']) {
      await symlink(path.resolve('node_modules', name), path.join(root, 'node_modules', name), 'dir');
    }
    await writeFile(path.join(root, 'package.json'), '{ "type": "module" }\n');
    await writeFile(path.join(root, 'tsconfig.json'), await readFile('tsconfig.json'));
    await writeFile(path.join(root, 'src', 'assets', 'note.txt'), 'beside the source\n');
    await writeFile(path.join(root, 'src', 'greeting.ts'), "export const greeting: string = 'ciao';\n");
    await writeFile(
      path.join(root, 'src', 'main.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import metadata from 'libphonenumber-js/metadata.min.json';",
        "import { greeting } from './greeting.js';",
        "const note = readFileSync(new URL('./assets/note.txt', import.meta.url), 'utf8').trim();",
        "const { z } = await import('zod');",
        "console.log(JSON.stringify({ greeting, note, italy: Object.hasOwn(metadata.countries, 'IT'), zod: z.string().parse('ok') }));",
        '',
      ].join('\n'),
    );
  });

  it('compiles on first use, finds a file beside its source, loads packages (their JSON modules too) from node_modules', async () => {
    expect(freshBuild({ root, entries })).toBeUndefined();
    const first = await ensureBuilt({ root, entries });
    expect(first.built).toBe(true);
    expect(first.dir.startsWith(path.join(root, 'node_modules', '.cache', 'filiera', 'compiled'))).toBe(true);
    expect(JSON.parse(await output())).toEqual({ greeting: 'ciao', note: 'beside the source', italy: true, zod: 'ok' });
    const compiled = await readFile(first.entries['main']!, 'utf8');
    // the packages stay external
    expect(compiled).toContain('from "libphonenumber-js/metadata.min.json"');
    expect(compiled).toMatch(/import\("zod"\)/);
  });

  it('runs the build on disk while no source changed, also when a file was only touched', async () => {
    const current = await ensureBuilt({ root, entries });
    expect((await ensureBuilt({ root, entries })).built).toBe(false);
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(root, 'src', 'greeting.ts'), later, later);
    const again = await ensureBuilt({ root, entries });
    expect(again).toMatchObject({ built: false, dir: current.dir });
  });

  it('rebuilds when a source changed, and when the stamp or an output is gone', async () => {
    await writeFile(path.join(root, 'src', 'greeting.ts'), "export const greeting: string = 'buongiorno';\n");
    expect(freshBuild({ root, entries })).toBeUndefined();
    const rebuilt = await ensureBuilt({ root, entries });
    expect(rebuilt.built).toBe(true);
    expect(JSON.parse(await output()).greeting).toBe('buongiorno');

    await rm(rebuilt.entries['main']!);
    expect((await ensureBuilt({ root, entries })).built).toBe(true);
    await rm(path.join(root, 'node_modules', '.cache', 'filiera', 'compiled', 'stamp.json'));
    expect((await ensureBuilt({ root, entries })).built).toBe(true);
  });

  it('a source that does not compile fails with its error, and leaves no half-written build behind', async () => {
    const cache = path.join(root, 'node_modules', '.cache', 'filiera', 'compiled');
    const greeting = path.join(root, 'src', 'greeting.ts');
    const before = await readFile(greeting, 'utf8');
    await writeFile(greeting, "export { greeting } from './nowhere.js';\n");
    try {
      await expect(ensureBuilt({ root, entries })).rejects.toThrow(/greeting\.ts.*nowhere/s);
      expect((await readdir(cache)).filter((name) => name.startsWith('staging-'))).toEqual([]);
    } finally {
      await writeFile(greeting, before);
    }
  });

  it('publishes one build when two processes compile the same sources at once', async () => {
    await rm(path.join(root, 'node_modules', '.cache', 'filiera', 'compiled'), { recursive: true });
    const [a, b] = await Promise.all([build({ root, entries }), build({ root, entries })]);
    expect(a.dir).toBe(b.dir);
    expect(freshBuild({ root, entries })?.dir).toBe(a.dir);
    expect(JSON.parse(await output()).greeting).toBe('buongiorno');
  });
});

describe('the processing thread', () => {
  it('starts its worker from the compiled output when the process runs from it', async () => {
    // Prepare: a worker that exists only as compiled JavaScript; its TypeScript source does not exist, so bundling
    // it at run time (the path without a compiled output) would fail.
    const dir = await tempDir('filiera-worker-');
    const script = path.join(dir, 'worker.mjs');
    await writeFile(
      script,
      [
        "import { parentPort } from 'node:worker_threads';",
        "parentPort.postMessage({ kind: 'ready' });",
        "parentPort.on('message', ({ id, event }) => parentPort.postMessage({ kind: 'done', id, response: { batchItemFailures: [{ itemIdentifier: String(event.Records.length) }] } }));",
        '',
      ].join('\n'),
    );
    const source = path.join(dir, 'missing-worker.ts');
    const globals = globalThis as { [key: symbol]: unknown };
    globals[COMPILED_ENTRIES] = { [source]: script };
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const thread = new ProcessingThread(new URL(`file://${source}`), {}, log);
    try {
      // Act
      const response = await thread.handler({ Records: [] });
      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '0' }] });
    } finally {
      delete globals[COMPILED_ENTRIES];
      await thread.close();
    }
  });
});

describe('filiera (bin/filiera.mjs)', () => {
  it('answers verify from the compiled output, as before: a signed, bound attestation is approved', async () => {
    // Prepare
    const dir = await tempDir('filiera-bin-');
    const list = cleanList(20, 71);
    const listFile = path.join(dir, 'lista.csv');
    await writeFile(listFile, list);
    const pki = await makePki();
    const attestation = await makeAttestation({
      values: demoAttestationValues({
        intakeId: 'FIL-COMPILED01',
        listSha256: sha256(list),
        rowCount: '20',
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
      }),
      signing: 'cades-der',
      signer: 'mario',
    });
    // Act
    const { stdout, stderr } = await run(
      process.execPath,
      ['bin/filiera.mjs', 'verify', '--list', listFile, '--attestation', attestation.path, '--intake', 'FIL-COMPILED01',
        '--tenant-vat', `IT${DEMO_TENANT_VAT}`, '--trust', pki.rootCaPath, '--signatory', DEMO_SIGNATORY, '--json'],
      { env },
    );
    // Assess: the same answer as the TypeScript CLI's, from the build on disk
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({
      intakeId: 'FIL-COMPILED01',
      verdict: 'approved',
      list: { sha256: sha256(list), dataRows: 20, releasedRows: 20 },
      attestation: { format: 'cades-pdf', signature: { present: true, valid: true } },
    });
    expect(freshBuild()).toBeDefined();
  });

  it('the installed bin loads compiled JavaScript only: no TypeScript loader, no .ts module', async () => {
    // Prepare: module hooks that report every module Node loads
    const dir = await tempDir('filiera-hooks-');
    const hooks = path.join(dir, 'hooks.mjs');
    await writeFile(hooks, 'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`LOADED ${r.url}\\n`); return r; }\n');
    const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`;
    // Act
    const { stdout, stderr } = await run(process.execPath, ['--import', register, 'bin/filiera.mjs', '--help'], { env });
    // Assess
    expect(stdout).toContain('filiera <command> [options]');
    const loaded = [...stderr.matchAll(/^LOADED (.+)$/gm)].map((m) => m[1]!);
    expect(loaded).toContain(pathToFileURL(freshBuild()!.entries['filiera']!).href);
    expect(loaded.filter((url) => url.includes('/node_modules/tsx/') || url.endsWith('.ts'))).toEqual([]);
    // pdfjs (3.4 MB of modules) loads when a PDF is read, not with the CLI; nor the list engine's phone library
    expect(loaded.filter((url) => /\/node_modules\/(pdfjs-dist|libphonenumber-js|pkijs)\//.test(url))).toEqual([]);
  });
});

describe('filiera verify on a big list (bin/filiera.mjs)', () => {
  it('reads a list over 128 MiB with row threads from the compiled build, with the same answer', async () => {
    // Prepare: 620,000 rows with a long note each (about 130 MiB), bound by a signed attestation
    const dir = await tempDir('filiera-big-');
    const note = 'x'.repeat(210);
    const rows: string[] = ['telefono;nota'];
    for (let i = 0; i < 620_000; i++) rows.push(`347${String(1_000_000 + i).padStart(7, '0')};${note}`);
    const list = rows.join('\r\n') + '\r\n';
    expect(Buffer.byteLength(list)).toBeGreaterThan(128 * 1024 * 1024);
    const listFile = path.join(dir, 'lista.csv');
    await writeFile(listFile, list);
    const pki = await makePki();
    const attestation = await makeAttestation({
      values: demoAttestationValues({
        intakeId: 'FIL-BIGLIST001',
        listSha256: sha256(list),
        rowCount: '620000',
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
      }),
      signing: 'cades-der',
      signer: 'mario',
    });
    // A preload that reports each worker thread the process starts (verify starts none for a small list).
    const watch = "data:text/javascript,process.on('worker', () => process.stderr.write('WORKER STARTED\\n'));";
    // Act
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', watch, 'bin/filiera.mjs', 'verify', '--list', listFile, '--attestation', attestation.path, '--intake', 'FIL-BIGLIST001',
        '--tenant-vat', `IT${DEMO_TENANT_VAT}`, '--trust', pki.rootCaPath, '--signatory', DEMO_SIGNATORY, '--json'],
      { env, maxBuffer: 64 * 1024 * 1024 },
    );
    // Assess: row threads ran (the compiled build ships their code), and the list reads as it always did
    expect(stderr).toContain('WORKER STARTED');
    expect(JSON.parse(stdout)).toMatchObject({
      verdict: 'approved',
      list: { sha256: sha256(list), dataRows: 620_000, releasedRows: 620_000 },
    });
  });
});
