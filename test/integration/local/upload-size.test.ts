import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_START_TIMEOUT_MS } from '../../fixtures/engines.js';
import { cleanList, startTestStack, type TestStack } from '../../fixtures/stack.js';

/**
 * Through the embedded stack's API and S3 engine: an upload link opened for a declared size takes exactly that
 * many bytes and nothing larger; a declared size over the tenant's limit is refused with the limit named.
 */
let stack: TestStack;
let acme: string;
let beta: string;

beforeAll(async () => {
  stack = await startTestStack();
  acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  beta = await stack.token({ role: 'committente', tenant: 'beta', sub: 'bruno' });
}, ENGINE_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.dispose();
});

async function open(token: string, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const response = await fetch(`${stack.baseUrl}/v1/intakes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('upload links bound to the declared size', () => {
  it('take the declared bytes, refuse more, and store nothing refused', async () => {
    const list = cleanList(3);
    const opened = await open(acme, { callCenter: 'cc-napoli', campaign: 'Size', listBytes: Buffer.byteLength(list) });
    expect(opened.status).toBe(201);
    const link = opened.json.uploads.list as { url: string; method: string; headers: Record<string, string> };
    const bigger = await fetch(link.url, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: `${list}+39 347 0000000\r\n` });
    expect(bigger.status).toBe(403);
    expect(await stack.deps.objects.head(stack.deps.buckets.intake, new URL(link.url).pathname.split('/').slice(2).map(decodeURIComponent).join('/'))).toBeNull();
    const exact = await fetch(link.url, { method: link.method, headers: link.headers, body: list });
    expect(exact.status).toBe(200);
  });

  it("refuse a size over the tenant's limit, naming it", async () => {
    const refused = await open(beta, { callCenter: 'cc-milano', campaign: 'Big', listBytes: 2001 });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toContain('listBytes: 2001 bytes is over the limit of 2000 bytes for the list');
    const attestation = await open(acme, { callCenter: 'cc-napoli', campaign: 'Big', attestationBytes: 60 * 1024 * 1024 });
    expect(attestation.status).toBe(400);
    expect(attestation.json.message).toContain('over the limit of 50 MiB for the attestation');
  });
});
