import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * `npm start` on a fresh data folder with the demo configuration, then `npm run demo` against it, as the README's
 * first two commands: the demo PKI is made at first start (no key ships with the project), the demo's signed
 * attestation is released, and the data folder, engines' files included, is readable by its owner only.
 */
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function start(args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const env = { ...process.env };
  delete env.FILIERA_CONFIG;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
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

describe('npm start and npm run demo with the demo configuration', () => {
  it('make the demo PKI at first start, approve the signed sample, and keep every file private', { timeout: 1_200_000 }, async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'filiera-local-demo-'));
    dirs.push(parent);
    const data = path.join(parent, 'data');
    const stack = start(['--data', data, '--port', '0']);
    try {
      let baseUrl: string | undefined;
      while (!baseUrl) {
        const code = await Promise.race([stack.exited, new Promise((resolve) => setTimeout(resolve, 100, 'running'))]);
        if (code !== 'running') throw new Error(`npm start exited (${String(code)}): ${stack.output().stderr}`);
        baseUrl = /Filiera is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(stack.output().stdout)?.[1];
      }
      expect(stack.output().stdout).toContain(`demo CA          ${path.join(data, 'demo-pki', 'ca.pem')}`);

      const demo = await run(process.execPath, ['--import', 'tsx', 'bin/demo.ts', '--data', data, '--url', baseUrl], { timeout: 900_000 });
      // Approved on its signature (released at once, or by the next sweep).
      expect(demo.stdout).toMatch(/FIL-\S+\s+(APPROVED|RELEASED)\s+signed, bound to the list/);
      expect(demo.stdout).toMatch(/FIL-\S+\s+REJECTED\s+RPO check 20 days old/);
      expect(demo.stdout).toMatch(/FIL-\S+\s+IN_REVIEW\s+attestation not digitally signed/);
      // PRODUCT.md section 12: the demo's webhook receiver got the released event, its signature checked.
      expect(demo.stdout).toMatch(/webhook received filiera\.intake\.released FIL-\S+ status RELEASED \(event FIL-\S+, signature valid\)/);

      expect((await lstat(data)).mode & 0o777).toBe(0o700);
      const entries = await modes(data);
      expect(entries.map((e) => e.path)).toEqual(expect.arrayContaining(['demo-pki/signer.key.pem', 'identity/jwt-private.pem', 's3', 'dynamodb']));
      expect(entries.filter((e) => e.path.startsWith('s3/') && !e.dir).length).toBeGreaterThan(0);
      expect(entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))).toEqual([]);

      stack.child.kill('SIGINT');
      expect(await stack.exited).toBe(0);
    } finally {
      stack.child.kill('SIGKILL');
    }
  });
});
