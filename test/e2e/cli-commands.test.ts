import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../bin/cli.js';
import { boundAttestation, cleanList, startTestStack, type TestStack } from '../fixtures/stack.js';

/**
 * The CLI's API commands as their users run them (docs/cli.md): the committente submits in two steps and
 * follows the verdict, the call center pulls the release. In process (runCli, the entry point's own function),
 * against the embedded stack: what a user sees is what runCli writes and returns.
 */
let stack: TestStack;
let dir: string;
let committente: string;
let callCenter: string;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(path.join(tmpdir(), 'filiera-cli-'));
  committente = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  callCenter = await stack.token({ role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' });
});

afterAll(async () => {
  await stack?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One command line: its exit status and what it wrote. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('filiera submit, status and pull', () => {
  it('a committente submits list then signed attestation, follows it to RELEASED; the call center pulls the checked release', async () => {
    const list = cleanList(6, 90);
    const listFile = path.join(dir, 'lista.csv');
    await writeFile(listFile, list);
    const template = path.join(dir, 'dichiarazione.pdf');
    const url = stack.baseUrl;

    const opened = await cli('submit', '--url', url, '--token', committente, '--list', listFile, '--call-center', 'cc-napoli', '--campaign', 'CLI', '--template-out', template);
    expect(opened.code, opened.stderr).toBe(0);
    const intakeId = /Intake (FIL-[0-9A-Z]+) opened/.exec(opened.stdout)?.[1];
    expect(intakeId, opened.stdout).toBeDefined();
    expect((await readFile(template)).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The legal representative signs (here: the demo signer's PAdES attestation bound to this intake and list).
    const signed = path.join(dir, 'firmata.pdf');
    await writeFile(signed, await boundAttestation(intakeId!, list, 6));
    const submitted = await cli('submit', '--url', url, '--token', committente, '--intake', intakeId!, '--attestation', signed);
    expect(submitted.code, submitted.stdout + submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/status\s+RELEASED/);

    const status = await cli('status', '--url', url, '--token', committente, '--intake', intakeId!, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ intakeId, status: 'RELEASED' });

    const out = path.join(dir, 'scaricati');
    const pulled = await cli('pull', '--url', url, '--token', callCenter, '--intake', intakeId!, '--out', out);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain('matches the receipt');
    const released = await readFile(path.join(out, `${intakeId}.csv`), 'utf8');
    expect(released.split('\r\n')[1]).toMatch(/^Nome0;Cognome0;\+39347\d{7};15\/03\/2026$/);
    expect(JSON.parse(await readFile(path.join(out, `${intakeId}.receipt.json`), 'utf8'))).toMatchObject({ released: { rows: 6 } });
  });

  it('a missing file is refused before anything is sent: exit 2, one line naming the flag and the path', async () => {
    const before = (await stack.deps.intakes.listForTenant('acme', { limit: 100 })).items.length;
    const missing = path.join(dir, 'non-esiste.csv');
    const result = await cli('submit', '--url', stack.baseUrl, '--token', committente, '--list', missing, '--call-center', 'cc-napoli', '--campaign', 'X');
    expect(result).toEqual({ code: 2, stdout: '', stderr: `filiera: --list ${missing}: cannot be read (no such file)\n` });
    expect((await stack.deps.intakes.listForTenant('acme', { limit: 100 })).items).toHaveLength(before);
    const empty = path.join(dir, 'vuota.pdf');
    await writeFile(empty, '');
    expect((await cli('submit', '--url', stack.baseUrl, '--token', committente, '--intake', 'FIL-0000000000', '--attestation', empty)).stderr).toBe(
      `filiera: --attestation ${empty}: the file is empty\n`,
    );
  });

  it("the API's refusals, an unreachable server and an unwritable folder are one line on stderr, exit 1, no stack trace", async () => {
    const attestation = path.join(dir, 'a.pdf');
    await writeFile(attestation, '%PDF-1.7\n');
    const unknown = await cli('submit', '--url', stack.baseUrl, '--token', committente, '--intake', 'FIL-ZZZZZZZZZZ', '--attestation', attestation);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'filiera: POST /v1/intakes/FIL-ZZZZZZZZZZ/uploads: 404 no such intake\n' });

    const wrongRole = await cli('pull', '--url', stack.baseUrl, '--token', committente, '--intake', 'FIL-ZZZZZZZZZZ');
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toMatch(/^filiera: GET \/v1\/releases\/FIL-ZZZZZZZZZZ: 40[34] .+\n$/);

    const down = await cli('status', '--url', 'http://127.0.0.1:9', '--token', committente);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^filiera: cannot reach http:\/\/127\.0\.0\.1:9 .*is "npm start" running\?\n$/);

    // --out under a regular file: the folder cannot be made.
    const released = (await stack.deps.intakes.listForTenant('acme', { limit: 100 })).items.find((i) => i.status === 'RELEASED');
    expect(released).toBeDefined();
    const notAFolder = path.join(dir, 'lista.csv', 'dentro');
    const unwritable = await cli('pull', '--url', stack.baseUrl, '--token', callCenter, '--intake', released!.intakeId, '--out', notAFolder);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^filiera: .*lista\.csv.*: a part of the path is not a folder \(mkdir failed\)\n$/);
    for (const r of [unknown, wrongRole, down, unwritable]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
