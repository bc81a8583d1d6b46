import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleOrigin } from '../../../infra/local/engines/s3.js';
import { createS3Client, S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { startTestEngines, TEST_BUCKETS, type TestEngines } from '../../fixtures/engines.js';

/**
 * The local S3 engine and the console's browser (another loopback port): preflights answered for loopback origins
 * only, as a bucket CORS rule naming the console would; the request itself still needs its signature, and its
 * answer, a refusal included, is readable by the console's page.
 */
const BUCKET = TEST_BUCKETS.intake;
const KEY = 'tenants/acme/intakes/FIL-0000000009/list.csv';
const CONSOLE = 'http://127.0.0.1:4510';

let engines: TestEngines;
let store: S3ObjectStore;

beforeAll(async () => {
  engines = await startTestEngines({ engines: ['s3'] });
  store = new S3ObjectStore(createS3Client({ endpoint: engines.s3Endpoint }));
});

afterAll(async () => {
  await engines?.stop();
});

const preflight = (origin: string, method: string, headers = 'content-type') =>
  fetch(`${engines.s3Endpoint}/${BUCKET}/${KEY}?X-Amz-Signature=x`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

describe('the local S3 engine and the console in a browser (CORS)', () => {
  it("answers a loopback origin's preflight for PUT and GET, echoing the headers asked", async () => {
    const put = await preflight(CONSOLE, 'PUT');
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(put.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(put.headers.get('access-control-allow-headers')).toBe('content-type');
    expect((await preflight('http://localhost:4510', 'GET')).headers.get('access-control-allow-origin')).toBe('http://localhost:4510');
  });

  it("refuses another site's preflight, and a preflight for DELETE", async () => {
    const foreign = await preflight('https://evil.example', 'PUT');
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const deleting = await preflight(CONSOLE, 'DELETE');
    expect(deleting.status).toBe(403);
    expect(deleting.headers.get('access-control-allow-origin')).toBeNull();
    expect(consoleOrigin('http://127.0.0.1.evil.example:4510')).toBeNull();
    expect(consoleOrigin('https://127.0.0.1:4510')).toBeNull();
  });

  it('still checks the signature: an unsigned PUT from the console is refused (readably) and writes nothing; a signed one works', async () => {
    const unsigned = await fetch(`${engines.s3Endpoint}/${BUCKET}/${KEY}`, { method: 'PUT', headers: { origin: CONSOLE }, body: 'telefono\n' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(await store.head(BUCKET, KEY)).toBeNull();

    const link = await store.presignPut(BUCKET, KEY, { expiresInSeconds: 60, contentType: 'text/csv' });
    const put = await fetch(link.url, { method: 'PUT', headers: { ...link.headers, origin: CONSOLE }, body: 'telefono\n' });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    const get = await fetch((await store.presignGet(BUCKET, KEY, { expiresInSeconds: 60 })).url, { headers: { origin: CONSOLE } });
    expect(get.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(await get.text()).toBe('telefono\n');
  });
});
