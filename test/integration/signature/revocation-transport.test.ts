/**
 * docs/configuration.md, revocation.fetch: how fetched revocation data travels and is kept. The HTTP fetcher against a
 * real server on 127.0.0.1 (schemes, loopback, size caps, redirects, the OCSP POST), and the cache's items in the
 * run's DynamoDB Local, in a table made as the app's is.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient } from '../../../shared/adapters/dynamodb/dynamodb-intake-repository.js';
import { DynamoRevocationCache, MAX_CACHED_BYTES } from '../../../shared/adapters/dynamodb/dynamodb-revocation-cache.js';
import { ensureTable } from '../../../shared/adapters/dynamodb/table-design.js';
import { HttpRevocationFetcher } from '../../../shared/adapters/http/http-revocation-fetcher.js';
import { LOCAL_CREDENTIALS } from '../../../shared/adapters/local-engines.js';

let server: Server;
let base: string;
const received: { method: string; url: string; type?: string; body: Buffer }[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ method: req.method!, url: req.url!, ...(req.headers['content-type'] ? { type: req.headers['content-type'] } : {}), body: Buffer.concat(chunks) });
    if (req.url === '/small.crl') res.writeHead(200).end(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]));
    else if (req.url === '/big-declared.crl') res.writeHead(200, { 'content-length': '2048' }).end(Buffer.alloc(2048, 0x30));
    else if (req.url === '/big-chunked.crl') {
      // No Content-Length: the cap is applied while reading.
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 4; i++) res.write(Buffer.alloc(512, 0x30));
      res.end();
    } else if (req.url === '/moved.crl') res.writeHead(302, { location: '/small.crl' }).end();
    else if (req.url === '/elsewhere.crl') res.writeHead(302, { location: 'ftp://example.test/x.crl' }).end();
    else if (req.url === '/ocsp') res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x06]));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const never = new AbortController().signal;

describe('the HTTP fetcher', () => {
  const fetcher = new HttpRevocationFetcher({ allowLoopback: true, maxCrlBytes: 1024 });

  it('GETs a CRL; POSTs an OCSP request as application/ocsp-request', async () => {
    expect(await fetcher.fetch({ kind: 'crl', url: `${base}/small.crl` }, never)).toEqual({ der: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) });
    const request = new Uint8Array([0x30, 0x00]);
    expect(await fetcher.fetch({ kind: 'ocsp', url: `${base}/ocsp`, request }, never)).toEqual({ der: new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x06]) });
    expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/ocsp', type: 'application/ocsp-request', body: Buffer.from(request) });
  });

  it('refuses answers over the size cap, declared or streamed', async () => {
    expect(await fetcher.fetch({ kind: 'crl', url: `${base}/big-declared.crl` }, never)).toEqual({ error: 'the answer is larger than 1 KiB (2048 bytes)' });
    expect(await fetcher.fetch({ kind: 'crl', url: `${base}/big-chunked.crl` }, never)).toEqual({ error: 'the answer is larger than 1 KiB' });
  });

  it('follows a redirect to http(s) only; an HTTP error is its status', async () => {
    expect(await fetcher.fetch({ kind: 'crl', url: `${base}/moved.crl` }, never)).toEqual({ der: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) });
    expect(await fetcher.fetch({ kind: 'crl', url: `${base}/elsewhere.crl` }, never)).toEqual({ error: 'the scheme ftp: is not fetched (http and https only)' });
    expect(await fetcher.fetch({ kind: 'crl', url: `${base}/missing.crl` }, never)).toEqual({ error: 'HTTP 404' });
  });

  it('fetches nothing but http(s), and no loopback address unless allowed (in Lambda it reaches the runtime)', async () => {
    const before = received.length;
    expect(await fetcher.fetch({ kind: 'crl', url: 'ldap://ldap.test/cn=CA?certificateRevocationList' }, never)).toEqual({ error: 'the scheme ldap: is not fetched (http and https only)' });
    expect(await new HttpRevocationFetcher().fetch({ kind: 'crl', url: `${base}/small.crl` }, never)).toEqual({ error: 'the host 127.0.0.1 is a loopback or link-local address' });
    expect(await new HttpRevocationFetcher().fetch({ kind: 'crl', url: 'http://169.254.169.254/latest' }, never)).toMatchObject({ error: expect.stringMatching(/link-local/) });
    expect(received.length).toBe(before);
  });

  it('a refused connection is a cause, not an exception', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await fetcher.fetch({ kind: 'crl', url: `http://127.0.0.1:${port}/x.crl` }, never)).toEqual({ error: 'ECONNREFUSED' });
  });
});

describe('the cache in DynamoDB Local', () => {
  const table = `filiera-revocation-${process.pid}`;
  let cache: DynamoRevocationCache;

  beforeAll(async () => {
    const endpoint = inject('dynamoEndpoint');
    const client = new DynamoDBClient({ endpoint, region: 'eu-south-1', credentials: LOCAL_CREDENTIALS });
    await ensureTable(client, table);
    client.destroy();
    cache = new DynamoRevocationCache(createDynamoDocumentClient({ endpoint }), table);
  }, 120_000);

  it('keeps an answer until it expires (checked on read: DynamoDB Local never deletes expired items)', async () => {
    const der = new Uint8Array(randomBytes(20_000));
    const expiresAt = new Date(Date.now() + 3_600_000);
    await cache.put('crl http://crl.test/a.crl', der, expiresAt);
    expect(await cache.get('crl http://crl.test/a.crl', new Date())).toEqual({ der, expiresAt });
    expect(await cache.get('crl http://crl.test/a.crl', new Date(expiresAt.getTime() + 1000))).toBeUndefined();
    expect(await cache.get('crl http://crl.test/b.crl', new Date())).toBeUndefined();
  });

  it('an answer too large for an item is not written, and not an error', async () => {
    await cache.put('crl http://crl.test/huge.crl', new Uint8Array(randomBytes(MAX_CACHED_BYTES + 10_000)), new Date(Date.now() + 3_600_000));
    expect(await cache.get('crl http://crl.test/huge.crl', new Date())).toBeUndefined();
  });
});
