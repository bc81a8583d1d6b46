import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` on a fresh data folder with the demo configuration, then `npm run demo` against it, as the README's
 * commands run them (`node bin/compiled.mjs start|demo`: the compiled output, no TypeScript loader): it says where it
 * serves, serves the API and the console, makes the demo PKI at first start (no key ships with the project), judges
 * the demo's intakes (its webhook receiver told of the release, signature checked), keeps the data folder, the
 * engines' files included, readable by its owner only, and stops cleanly on Ctrl-C. One stack for all of it.
 */
const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function npm(command: 'start' | 'demo', args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env.FILIERA_CONFIG;
  const child = spawn(process.execPath, ['bin/compiled.mjs', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** Every entry under a folder with its permission bits. */
async function modes(root: string): Promise<{ path: string; dir: boolean; mode: number }[]> {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  const walk = async (dir: string) => {
    for (const name of await readdir(dir)) {
      const full = path.join(dir, name);
      const info = await lstat(full);
      out.push({ path: path.relative(root, full), dir: info.isDirectory(), mode: info.mode & 0o777 });
      if (info.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return out;
}

describe('npm start and npm run demo', () => {
  it('serve, judge the demo intakes, keep every file private, and stop on Ctrl-C with exit 0', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'filiera-npm-start-'));
    dirs.push(parent);
    const data = path.join(parent, 'data');
    const stack = npm('start', ['--data', data, '--port', '0']);
    try {
      let baseUrl: string | undefined;
      while (!baseUrl) {
        const code = await Promise.race([stack.exited, new Promise((resolve) => setTimeout(resolve, 100, 'running'))]);
        if (code !== 'running') throw new Error(`npm start exited (${String(code)}): ${stack.output().stderr}`);
        baseUrl = /Filiera is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(stack.output().stdout)?.[1];
      }
      // Where it serves and from what: config/demo.json with the demo PKI made in the data folder
      expect(stack.output().stdout).toContain(`data             ${data}`);
      expect(stack.output().stdout).toContain(`configuration    ${path.resolve('config/demo.json')}`);
      expect(stack.output().stdout).toContain(`demo CA          ${path.join(data, 'demo-pki', 'ca.pem')}`);
      const spec = await fetch(`${baseUrl}/openapi.json`);
      expect(spec.status).toBe(200);
      expect(((await spec.json()) as { openapi?: string }).openapi).toMatch(/^3\./);
      expect((await fetch(`${baseUrl}/v1/intakes`)).status).toBe(401);
      expect((await fetch(`${baseUrl}/`)).headers.get('content-type')).toMatch(/text\/html/);
      const script = await fetch(`${baseUrl}/console.js`);
      expect(script.status).toBe(200);
      expect((await script.text()).length).toBeGreaterThan(10_000);

      // The demo, read by the processing worker of the same build
      const demo = await run(process.execPath, ['bin/compiled.mjs', 'demo', '--data', data, '--url', baseUrl], { timeout: 200_000 });
      expect(demo.stdout).toMatch(/FIL-\S+\s+RELEASED\s+signed, bound to the list/);
      expect(demo.stdout).toMatch(/FIL-\S+\s+REJECTED\s+RPO check 20 days old/);
      expect(demo.stdout).toContain('[reject] rpo_check_stale');
      expect(demo.stdout).toMatch(/FIL-\S+\s+IN_REVIEW\s+attestation not digitally signed/);
      expect(demo.stdout).toContain('[review] attestation_unsigned');
      // docs/events.md: the demo's webhook receiver got the released event, its signature checked
      expect(demo.stdout).toMatch(/webhook received filiera\.intake\.released FIL-\S+ status RELEASED \(event FIL-\S+, signature valid\)/);

      // Contact lists and keys: 0700 folders, 0600 files, the engines' own included
      expect((await lstat(data)).mode & 0o777).toBe(0o700);
      const entries = await modes(data);
      expect(entries.map((e) => e.path)).toEqual(expect.arrayContaining(['demo-pki/signer.key.pem', 'identity/jwt-private.pem', 's3', 'dynamodb']));
      expect(entries.filter((e) => e.path.startsWith('s3/') && !e.dir).length).toBeGreaterThan(0);
      expect(entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))).toEqual([]);

      stack.child.kill('SIGINT');
      expect(await stack.exited).toBe(0);
      expect(stack.output().stdout).toContain('Stopping...');
    } finally {
      stack.child.kill('SIGKILL');
    }
  });

  it('a mistyped option is one line with the usage, exit 2', async () => {
    const start = npm('start', ['--bogus']);
    expect(await start.exited).toBe(2);
    expect(start.output().stderr).toBe("filiera: Unknown option '--bogus'\nusage: npm start -- [--config FILE] [--data DIR] [--port N]\n");
  });
});
