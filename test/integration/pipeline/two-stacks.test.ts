import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundAttestation, cleanList, startTestStack, type TestStack } from '../../fixtures/stack.js';

/**
 * Each handler is built with its own stack's dependencies (functions/lib/deps-source.ts): two stacks in one process
 * serve their own tables and buckets. With one process-wide dependency set, the second stack to start took over the
 * first one's handlers.
 */
let first: TestStack;
let second: TestStack;
let openFolder: string; // made 0755, as a folder made by hand or by an older version would be

beforeAll(async () => {
  openFolder = await mkdtemp(path.join(tmpdir(), 'filiera-open-'));
  await chmod(openFolder, 0o755);
  [first, second] = await Promise.all([startTestStack(), startTestStack({ policy: { maxListBytes: 100 }, dataDir: openFolder })]);
});

afterAll(async () => {
  await Promise.all([first?.dispose(), second?.dispose()]);
  await rm(openFolder, { recursive: true, force: true });
});

async function call(stack: TestStack, method: string, path: string, body?: unknown) {
  const token = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as any;
}

async function submit(stack: TestStack): Promise<string> {
  const created = await call(stack, 'POST', '/v1/intakes', { callCenter: 'cc-napoli', campaign: 'luce' });
  const list = cleanList(6, 3);
  const put = (link: { url: string; headers: Record<string, string> }, body: BodyInit) => fetch(link.url, { method: 'PUT', headers: link.headers, body });
  await put(created.uploads.list, list);
  await put(created.uploads.attestation, (await boundAttestation(created.intakeId, list, 6)) as BodyInit);
  await stack.settle();
  return created.intakeId as string;
}

describe('two embedded stacks in one process', () => {
  it('each keeps its data folder private (0700), whoever started it', async () => {
    for (const stack of [first, second]) expect((await stat(stack.dataDir)).mode & 0o777).toBe(0o700);
  });

  it('each serves its own data with its own configuration', async () => {
    const [inFirst, inSecond] = await Promise.all([submit(first), submit(second)]);
    // The same list and attestation: released by the first, refused by the second's 100-byte list limit.
    expect((await call(first, 'GET', `/v1/intakes/${inFirst}`)).status).toBe('RELEASED');
    const refused = await call(second, 'GET', `/v1/intakes/${inSecond}`);
    expect(refused.status).toBe('REJECTED');
    expect(refused.findings.map((f: { code: string }) => f.code)).toContain('list_too_large');
    // Neither sees the other's intake.
    expect((await call(first, 'GET', `/v1/intakes/${inSecond}`)).error).toBe('not_found');
    expect((await call(second, 'GET', `/v1/intakes/${inFirst}`)).error).toBe('not_found');
  });
});
