// @ts-check
/**
 * The CLI, `npm start` and `npm run demo` run as JavaScript compiled from our TypeScript by esbuild, not through a
 * TypeScript loader at run time: tsx transformed pdfjs's 3.4 MB of modules and their source maps on every start
 * (about 450 MB and 4 s of CPU before the first row was read; plain Node imports the same in 94 MB and 0.4 s).
 * This file is plain JavaScript because it is what runs before anything is compiled.
 *
 * Our own sources are bundled, one file per entry point; npm packages stay external and load from node_modules as
 * plain JavaScript, resolved by Node as under tsx. The output lives in node_modules/.cache/filiera/compiled/
 * (git-ignored, as node_modules is) and is built on first run, then again whenever a source it was built from
 * changed: the stamp records each input's size, mtime and SHA-256 (a changed mtime with the same content, as after
 * a checkout, does not rebuild).
 *
 * Builds are written to a fresh folder and published by renaming it, then by replacing the stamp, so two processes
 * starting together never read a half-written build; an older build stays on disk a while for processes still
 * running from it (a processing worker is started from it again after a crash).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Entry points, by the name a launcher asks for. */
export const ENTRIES = {
  filiera: 'bin/filiera.ts',
  start: 'infra/local/start.ts',
  demo: 'bin/demo.ts',
  'processing-worker': 'infra/local/processing-worker.ts',
  // The list engine's row threads (shared/list/parallel-engine.ts), which filiera verify starts for a big list.
  'row-worker': 'shared/list/row-worker.ts',
};

/** Also inputs of every build, though no source imports them: how esbuild compiles our TypeScript. */
const BUILD_INPUTS = (/** @type {string} */ root) => [
  path.join(root, 'tsconfig.json'),
  fileURLToPath(import.meta.url),
  createRequire(path.join(root, 'package.json')).resolve('esbuild/package.json'),
];

/** Where a process that runs from the compiled output finds each entry's file (infra/local/processing-thread.ts). */
export const COMPILED_ENTRIES = Symbol.for('filiera.compiledEntries');

/** How long a superseded build is kept for processes still running from it. */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;

/**
 * @typedef {{ size: number, mtimeMs: number, sha256: string }} InputStamp
 * @typedef {{ format: 1, build: string, inputs: Record<string, InputStamp> }} Stamp
 * @typedef {{ dir: string, entries: Record<string, string>, built: boolean }} CompiledBuild
 * @typedef {{ root?: string, entries?: Record<string, string> }} BuildOptions the repository, and the entry points
 *   by name (relative to it): the defaults are this repository's; tests build a project of their own.
 */

/** @param {string} [root] */
export function compiledDir(root = repoRoot) {
  return path.join(root, 'node_modules', '.cache', 'filiera', 'compiled');
}

/** @param {string | Buffer} data */
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/**
 * The current build if every input is unchanged, else undefined.
 * @param {BuildOptions} [options]
 * @returns {CompiledBuild | undefined}
 */
export function freshBuild({ root = repoRoot, entries = ENTRIES } = {}) {
  const cache = compiledDir(root);
  /** @type {Stamp} */
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(cache, 'stamp.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (stamp.format !== 1 || typeof stamp.build !== 'string' || !stamp.inputs) return undefined;
  for (const [input, recorded] of Object.entries(stamp.inputs)) {
    const file = path.join(root, input);
    try {
      const now = statSync(file);
      if (now.size !== recorded.size) return undefined;
      if (now.mtimeMs !== recorded.mtimeMs && sha256(readFileSync(file)) !== recorded.sha256) return undefined;
    } catch {
      return undefined;
    }
  }
  const dir = path.join(cache, stamp.build);
  const files = entryFiles(entries, dir);
  for (const file of Object.values(files)) {
    try {
      statSync(file);
    } catch {
      return undefined;
    }
  }
  return { dir, entries: files, built: false };
}

/**
 * @param {Record<string, string>} entries
 * @param {string} dir
 */
function entryFiles(entries, dir) {
  return Object.fromEntries(Object.keys(entries).map((name) => [name, path.join(dir, `${name}.mjs`)]));
}

/**
 * Compiles every entry point and publishes the build.
 * @param {BuildOptions} [options]
 * @returns {Promise<CompiledBuild>}
 */
export async function build({ root = repoRoot, entries = ENTRIES } = {}) {
  const { build: esbuild } = await import('esbuild');
  const cache = compiledDir(root);
  mkdirSync(cache, { recursive: true });
  // The same depth as the published folder, so the relative paths written into the output hold after the rename.
  const staging = path.join(cache, `staging-${process.pid}-${randomBytes(6).toString('hex')}`);
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, source]) => [name, path.join(root, source)])),
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // A module behind a dynamic import() gets a file of its own, so a command loads only what it uses (and the
    // packages that those modules import): `filiera status` never loads pdfjs, pkijs or the list engine.
    splitting: true,
    // Beside the entries: the paths written by sourceLocations are relative to the output folder.
    chunkNames: '[name]-[hash]',
    // Error classes keep their names in messages and stacks.
    keepNames: true,
    // Linked, not inline: Node reads them only under --enable-source-maps.
    sourcemap: 'linked',
    metafile: true,
    // Its errors reach the user once, in the message of the error thrown.
    logLevel: 'silent',
    plugins: [sourceLocations(root, staging)],
  }).catch((/** @type {Error} */ err) => {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  });
  /** @type {Record<string, InputStamp>} */
  const inputs = {};
  for (const input of [...Object.keys(result.metafile.inputs), ...BUILD_INPUTS(root)]) {
    const file = path.resolve(root, input);
    const relative = path.relative(root, file).split(path.sep).join('/');
    const bytes = readFileSync(file);
    inputs[relative] = { size: bytes.length, mtimeMs: statSync(file).mtimeMs, sha256: sha256(bytes) };
  }
  // Named after its content: two processes that built the same sources publish the same folder.
  const outputs = Object.keys(entries)
    .map((name) => readFileSync(path.join(staging, `${name}.mjs`)))
    .reduce((hash, bytes) => hash.update(bytes), createHash('sha256'))
    .digest('hex')
    .slice(0, 16);
  const name = `build-${outputs}`;
  const dir = path.join(cache, name);
  try {
    renameSync(staging, dir);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    rmSync(staging, { recursive: true, force: true }); // another process published the same build
  }
  /** @type {Stamp} */
  const stamp = { format: 1, build: name, inputs };
  const temporary = path.join(cache, `stamp.json.${process.pid}`);
  writeFileSync(temporary, `${JSON.stringify(stamp)}\n`);
  renameSync(temporary, path.join(cache, 'stamp.json'));
  removeOldBuilds(cache, name);
  return { dir, entries: entryFiles(entries, dir), built: true };
}

/**
 * @param {string} cache
 * @param {string} current
 */
function removeOldBuilds(cache, current) {
  for (const name of readdirSync(cache)) {
    if (name === current || !(name.startsWith('build-') || name.startsWith('staging-'))) continue;
    const folder = path.join(cache, name);
    try {
      if (Date.now() - statSync(folder).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(folder, { recursive: true, force: true });
    } catch {
      // another process removed it first
    }
  }
}

/**
 * The build to run: the current one, else a new one.
 * @param {BuildOptions} [options]
 */
export async function ensureBuilt(options = {}) {
  return freshBuild(options) ?? (await build(options));
}

/**
 * Our modules find files beside their sources with `import.meta.url` (the DynamoDB launcher, config/demo.json, the
 * console's web/ sources, packages through createRequire): in the output it names the source file again, as a path
 * relative to the output file, so it holds wherever the repository is.
 * @param {string} root
 * @param {string} outdir
 * @returns {import('esbuild').Plugin}
 */
function sourceLocations(root, outdir) {
  return {
    name: 'filiera-source-locations',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const contents = readFileSync(args.path, 'utf8');
        if (!contents.includes('import.meta.url')) return { contents, loader: 'ts' };
        const relative = path.relative(outdir, args.path).split(path.sep).join('/');
        return { contents: contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/**
 * Runs an entry point from the compiled output, with the arguments after its name as its own (process.argv[2...]).
 * @param {keyof typeof ENTRIES} name
 */
export async function runCompiled(name) {
  const compiled = await ensureBuilt().catch((/** @type {Error} */ err) => {
    process.stderr.write(`filiera: cannot compile the TypeScript sources into ${compiledDir()}: ${err.message}\n`);
    process.exit(1);
  });
  // esbuild's service process would outlive this one by a moment; a later build in this process starts it again.
  if (compiled.built) await (await import('esbuild')).stop();
  const sources = Object.fromEntries(Object.entries(ENTRIES).map(([entry, source]) => [path.join(repoRoot, source), compiled.entries[entry]]));
  Object.assign(globalThis, { [COMPILED_ENTRIES]: sources });
  const file = compiled.entries[name];
  if (!file) throw new Error(`no compiled entry ${name}`);
  process.argv[1] = file;
  await import(pathToFileURL(file).href);
}

const invokedAs = process.argv[1] ? path.resolve(process.argv[1]) : '';
if (invokedAs === fileURLToPath(import.meta.url)) {
  const [, , name] = process.argv;
  if (name === '--build') {
    const started = performance.now();
    const result = await build();
    console.log(`compiled ${Object.keys(result.entries).join(', ')} into ${path.relative(process.cwd(), result.dir)} in ${Math.round(performance.now() - started)} ms`);
  } else if (name && Object.hasOwn(ENTRIES, name)) {
    process.argv.splice(2, 1);
    await runCompiled(/** @type {keyof typeof ENTRIES} */ (name));
  } else {
    process.stderr.write(`usage: node bin/compiled.mjs --build | ${Object.keys(ENTRIES).join(' | ')} [arguments]\n`);
    process.exitCode = 2;
  }
}
