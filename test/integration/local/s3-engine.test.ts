import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySource, createS3Client, S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { startTestEngines, TEST_BUCKETS, type TestEngines } from '../../fixtures/engines.js';

/**
 * The local S3 engine as an attacker on the machine (or a web page by DNS rebinding) would try it: anonymous
 * requests, an upload link carrying an unsigned `x-amz-copy-source`, a foreign `Host`. Each is refused and nothing
 * is read or written.
 */
const BUCKET = TEST_BUCKETS.intake;
const betaList = 'tenants/beta/intakes/FIL-0000000002/list.csv';
const acmeList = 'tenants/acme/intakes/FIL-0000000001/list.csv';

let engines: TestEngines;
let store: S3ObjectStore;

beforeAll(async () => {
  engines = await startTestEngines({ engines: ['s3'] });
  store = new S3ObjectStore(createS3Client({ endpoint: engines.s3Endpoint }));
  await store.putObject(BUCKET, betaList, new TextEncoder().encode('telefono\n3471234567\n'), { contentType: 'text/csv' });
});

afterAll(async () => {
  await engines?.stop();
});

/** A raw request (fetch cannot send a foreign Host). */
function raw(method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(engines.s3Endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local S3 engine refuses', () => {
  it('anonymous reads, listings and writes', async () => {
    expect(await raw('GET', `/${BUCKET}/${betaList}`)).toMatchObject({ status: 403, body: expect.stringContaining('<Code>AccessDenied</Code>') });
    expect((await raw('GET', `/${BUCKET}`)).status).toBe(403);
    expect((await raw('GET', '/')).status).toBe(403);
    expect((await raw('PUT', `/${BUCKET}/${acmeList}`, { 'content-length': '4' }, 'evil')).status).toBe(403);
    expect((await raw('DELETE', `/${BUCKET}/${betaList}`)).status).toBe(403);
    expect(await store.head(BUCKET, acmeList)).toBeNull();
    expect(await store.head(BUCKET, betaList)).not.toBeNull();
  });

  it("an upload link used to copy another tenant's list with an unsigned x-amz-copy-source", async () => {
    const link = await store.presignPut(BUCKET, acmeList, { expiresInSeconds: 900, contentType: 'text/csv' });
    const response = await fetch(link.url, { method: 'PUT', headers: { ...link.headers, 'x-amz-copy-source': copySource(BUCKET, betaList) } });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('not signed: x-amz-copy-source');
    expect(await store.head(BUCKET, acmeList)).toBeNull();
  });

  it('a request under a foreign Host (DNS rebinding), even validly signed for that Host with the well-known local key', async () => {
    const port = new URL(engines.s3Endpoint).port;
    const rebound = new S3ObjectStore(createS3Client({ endpoint: `http://attacker.example:${port}` }));
    const link = new URL((await rebound.presignGet(BUCKET, betaList, { expiresInSeconds: 60 })).url);
    const refused = await raw('GET', `${link.pathname}${link.search}`, { host: `attacker.example:${port}` });
    expect(refused).toMatchObject({ status: 403, body: expect.stringContaining('Host must be the address the engine listens on') });
    const own = new URL((await store.presignGet(BUCKET, betaList, { expiresInSeconds: 60 })).url);
    expect((await raw('GET', `${own.pathname}${own.search}`, { host: `127.0.0.1:${port}` })).status).toBe(200);
  });

  it('other users a look into its folder', async () => {
    expect((await stat(path.join(engines.dataDir, 's3'))).mode & 0o777).toBe(0o700);
  });
});
