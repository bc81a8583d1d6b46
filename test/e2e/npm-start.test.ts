import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` itself (infra/local/start.ts), as the README's first command runs it: it starts, says where it
 * serves, answers, and stops cleanly on Ctrl-C; a mistyped option is one line and the usage, exit 2.
 */
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function start(args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

describe('npm start', () => {
  it('serves the API and the console on loopback, then stops on Ctrl-C with exit 0', async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'filiera-npm-start-'));
    dirs.push(data);
    const run = start(['--data', data, '--port', '0']);
    try {
      let baseUrl: string | undefined;
      while (!baseUrl) {
        const code = await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 100, 'running'))]);
        if (code !== 'running') throw new Error(`npm start exited (${String(code)}): ${run.output().stderr}`);
        baseUrl = /Filiera is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output().stdout)?.[1];
      }
      expect(run.output().stdout).toContain(`data             ${data}`);
      const spec = await fetch(`${baseUrl}/openapi.json`);
      expect(spec.status).toBe(200);
      expect(((await spec.json()) as { openapi?: string }).openapi).toMatch(/^3\./);
      expect((await fetch(`${baseUrl}/v1/intakes`)).status).toBe(401);
      expect((await fetch(`${baseUrl}/`)).headers.get('content-type')).toMatch(/text\/html/);

      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(run.output().stdout).toContain('Stopping...');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('a mistyped option is one line with the usage, exit 2', async () => {
    const run = start(['--bogus']);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toBe("filiera: Unknown option '--bogus'\nusage: npm start -- [--config FILE] [--data DIR] [--port N]\n");
  });
});
