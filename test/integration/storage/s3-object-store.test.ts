import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, PART_SIZE, S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { ObjectNotFoundError, ObjectTooLargeError, PreconditionFailedError } from '../../../shared/ports/object-store.js';
import { startTestEngines, TEST_BUCKETS, type TestEngines } from '../../fixtures/engines.js';

const BUCKET = TEST_BUCKETS.intake;
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

let engines: TestEngines;
let store: S3ObjectStore;
/** A store whose signing clock runs `seconds` behind: its links were signed that long ago. */
let storeSignedAgo: (seconds: number) => S3ObjectStore;

beforeAll(async () => {
  engines = await startTestEngines({ engines: ['s3'] });
  store = new S3ObjectStore(createS3Client({ endpoint: engines.s3Endpoint }));
  storeSignedAgo = (seconds) => new S3ObjectStore(createS3Client({ endpoint: engines.s3Endpoint }), () => new Date(Date.now() - seconds * 1000));
});

afterAll(async () => {
  await engines?.stop();
});

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function eventFor(key: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = engines.s3Events.flatMap((e) => e.Records).find((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) === key);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no event for ${key}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('S3 object store on the local engine', () => {
  it('accepts a presigned PUT sent with plain fetch, then heads and streams the object', async () => {
    // Prepare
    const key = 'tenants/acme/intakes/FIL-0000000001/list.csv';
    const body = Buffer.from('telefono;nome\n3471234567;Mario\n', 'utf8');
    const link = await store.presignPut(BUCKET, key, { expiresInSeconds: 900, contentType: 'text/csv' });
    // Act
    const res = await fetch(link.url, { method: link.method, headers: link.headers, body });
    // Assess
    expect(res.status).toBe(200);
    expect(link.headers).toEqual({ 'content-type': 'text/csv' });
    const head = await store.head(BUCKET, key);
    expect(head).toMatchObject({ size: body.byteLength, etag: md5(body), contentType: 'text/csv' });
    expect(await collect(store.getStream(BUCKET, key))).toEqual(body);
    expect(Buffer.from(await store.getBytes(BUCKET, key, 1024))).toEqual(body);
  });

  it('binds an upload link to its key: another key, bucket, method or content type is refused and nothing is written', async () => {
    // Prepare
    const key = 'tenants/acme/intakes/FIL-0000000011/list.csv';
    const link = await store.presignPut(BUCKET, key, { expiresInSeconds: 900, contentType: 'text/csv' });
    const body = new TextEncoder().encode('telefono\n3471234567\n');
    const attempts: [string, string, string, Record<string, string>][] = [
      ['tenants/beta/intakes/FIL-0000000011/list.csv', 'PUT', link.url.replace('/tenants/acme/', '/tenants/beta/'), link.headers],
      ['tenants/acme/intakes/FIL-0000000011/attestation', 'PUT', link.url.replace('/list.csv', '/attestation'), link.headers],
      [key, 'PUT', link.url, { 'content-type': 'text/html' }],
    ];
    // Act + Assess
    for (const [target, method, url, headers] of attempts) {
      const res = await fetch(url, { method, headers, body });
      expect(res.status, `${method} ${target}`).toBe(403);
      expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      expect(await store.head(BUCKET, target), target).toBeNull();
    }
    const released = link.url.replace(`/${BUCKET}/`, `/${TEST_BUCKETS.release}/`);
    expect((await fetch(released, { method: 'PUT', headers: link.headers, body })).status).toBe(403);
    expect(await store.head(TEST_BUCKETS.release, key)).toBeNull();
    // The genuine request still works.
    expect((await fetch(link.url, { method: 'PUT', headers: link.headers, body })).status).toBe(200);
    expect(await store.head(BUCKET, key)).toMatchObject({ size: body.byteLength });
  });

  it('refuses an upload link once expired', async () => {
    const key = 'tenants/acme/intakes/FIL-0000000012/list.csv';
    // Signed 16 minutes ago for 15: the link lapsed a minute ago (a clock, not a wait).
    const link = await storeSignedAgo(16 * 60).presignPut(BUCKET, key, { expiresInSeconds: 15 * 60 });
    const res = await fetch(link.url, { method: 'PUT', body: 'telefono\n' });
    expect(res.status).toBe(403);
    expect(await store.head(BUCKET, key)).toBeNull();
  });

  it('answers a refused upload with 403 even while a large body is still arriving, not a reset connection', async () => {
    const key = 'tenants/acme/intakes/FIL-0000000013/list.csv';
    const link = await store.presignPut(BUCKET, key, { expiresInSeconds: 900 });
    const elsewhere = link.url.replace('FIL-0000000013', 'FIL-0000000014');
    const body = new Uint8Array(8 * 1024 * 1024).fill(0x41);
    const res = await fetch(elsewhere, { method: 'PUT', body });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(await store.head(BUCKET, 'tenants/acme/intakes/FIL-0000000014/list.csv')).toBeNull();
  });

  it('raises a real-shaped S3 event with the key URL-encoded as AWS does', async () => {
    // Prepare
    const key = 'tenants/acme/intakes/FIL-0000000002/a b+c(1)è.csv';
    const body = new TextEncoder().encode('x;y\n');
    // Act
    const put = await store.putObject(BUCKET, key, body, { contentType: 'text/csv' });
    const record = await eventFor(key);
    // Assess
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'eu-south-1',
      s3: {
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: { key: 'tenants/acme/intakes/FIL-0000000002/a+b%2Bc(1)%C3%A8.csv', size: 4, eTag: put.etag },
      },
    });
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{16,}$/);
    expect(Date.parse(record.eventTime)).not.toBeNaN();
  });

  it('refuses a second write with If-None-Match: *', async () => {
    const key = 'callcenters/cc-napoli/releases/FIL-0000000003/list.csv';
    await store.putObject(BUCKET, key, new Uint8Array([1, 2, 3]), { contentType: 'text/csv', ifNoneMatch: '*' });
    await expect(store.putObject(BUCKET, key, new Uint8Array([9]), { contentType: 'text/csv', ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(Buffer.from(await store.getBytes(BUCKET, key, 10))).toEqual(Buffer.from([1, 2, 3]));
    // A large body is refused with S3's 412 too, not a connection reset while it is still arriving.
    await expect(store.putObject(BUCKET, key, new Uint8Array(8 * 1024 * 1024).fill(7), { contentType: 'text/csv', ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    // Two racing conditional writers: exactly one wins.
    const raced = 'callcenters/cc-napoli/releases/FIL-0000000004/list.csv';
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) => store.putObject(BUCKET, raced, new Uint8Array([n]), { contentType: 'text/csv', ifNoneMatch: '*' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('uploads a stream in parts without buffering it whole, and streams it back', async () => {
    // Prepare: a little over one part, generated chunk by chunk.
    const total = PART_SIZE + 12345;
    const chunk = 1024 * 1024;
    const expected = createHash('sha256');
    async function* generate() {
      for (let offset = 0; offset < total; offset += chunk) {
        const bytes = new Uint8Array(Math.min(chunk, total - offset)).map((_, i) => (offset + i) % 251);
        expected.update(bytes);
        yield bytes;
      }
    }
    const key = 'callcenters/cc-napoli/releases/FIL-0000000005/list.csv';
    // Act
    const put = await store.putObject(BUCKET, key, generate(), { contentType: 'text/csv' });
    // Assess
    expect(put.size).toBe(total);
    expect((await store.head(BUCKET, key))?.size).toBe(total);
    const actual = createHash('sha256');
    for await (const part of store.getStream(BUCKET, key)) actual.update(part);
    expect(actual.digest('hex')).toBe(expected.digest('hex'));
    expect((await eventFor(key)).eventName).toBe('ObjectCreated:CompleteMultipartUpload');
  });

  it('copies, reads small objects with a limit, deletes, and reports missing objects', async () => {
    const source = { bucket: BUCKET, key: 'tenants/acme/intakes/FIL-0000000006/list.csv' };
    const target = { bucket: TEST_BUCKETS.release, key: 'callcenters/cc-napoli/releases/FIL-0000000006/list.csv' };
    await store.putObject(source.bucket, source.key, new TextEncoder().encode('0123456789'), { contentType: 'text/csv' });
    const copied = await store.copyObject(source, target);
    expect(copied.size).toBe(10);
    await expect(store.getBytes(target.bucket, target.key, 9)).rejects.toBeInstanceOf(ObjectTooLargeError);
    await store.deleteObject(target.bucket, target.key);
    expect(await store.head(target.bucket, target.key)).toBeNull();
    await expect(collect(store.getStream(target.bucket, target.key))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.copyObject(target, source)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('serves a presigned GET with the download name, and refuses it once expired', async () => {
    const key = 'callcenters/cc-napoli/releases/FIL-0000000007/receipt.json';
    await store.putObject(TEST_BUCKETS.release, key, new TextEncoder().encode('{"ok":true}'), { contentType: 'application/json' });
    const link = await store.presignGet(TEST_BUCKETS.release, key, { expiresInSeconds: 300, downloadName: 'ricevuta FIL-0000000007.json' });
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"ok":true}');
    expect(res.headers.get('content-disposition')).toContain('attachment; filename="ricevuta FIL-0000000007.json"');

    const short = await storeSignedAgo(6 * 60).presignGet(TEST_BUCKETS.release, key, { expiresInSeconds: 5 * 60 });
    expect((await fetch(short.url)).status).toBe(403);
  });
});
