import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { copySource, createS3Client, S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { LOCAL_CREDENTIALS } from '../../../infra/local/engines/free-port.js';
import { checkPresignedRequest, checkSignedRequest, isPresigned } from '../../../infra/local/engines/presigned.js';

/**
 * The local S3 engine's check of presigned links, against links made by the AWS SDK's own presigner: what the SDK
 * signs passes, and any change to the key, method, signed header or expiry is refused as S3 refuses it.
 */
const ENDPOINT = 'http://127.0.0.1:4569';
const store = new S3ObjectStore(createS3Client({ endpoint: ENDPOINT }));
const secretFor = (id: string) => (id === LOCAL_CREDENTIALS.accessKeyId ? LOCAL_CREDENTIALS.secretAccessKey : undefined);

/** The request as the local server receives it: raw target (path and query) and headers. */
function received(url: string, headers: Record<string, string>) {
  const u = new URL(url);
  const all: Record<string, string> = { host: u.host, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
  return { url: `${u.pathname}${u.search}`, header: (name: string) => all[name.toLowerCase()] };
}

describe('presigned link check (local S3 engine)', () => {
  it('accepts a PUT exactly as the SDK presigned it, content type included', async () => {
    const link = await store.presignPut('filiera-intake', 'tenants/acme/intakes/FIL-0000000001/list.csv', { expiresInSeconds: 900, contentType: 'text/csv' });
    expect(isPresigned(new URL(link.url).search)).toBe(true);
    expect(checkPresignedRequest({ method: 'PUT', ...received(link.url, link.headers), secretFor })).toBeNull();
  });

  it('accepts keys the SDK percent-encodes (spaces, plus, accents, parentheses)', async () => {
    const link = await store.presignPut('filiera-intake', 'tenants/acme/a b+c(1)è.csv', { expiresInSeconds: 60 });
    expect(checkPresignedRequest({ method: 'PUT', ...received(link.url, link.headers), secretFor })).toBeNull();
  });

  it('refuses the link used for another key, another bucket, another method or another content type', async () => {
    const link = await store.presignPut('filiera-intake', 'tenants/acme/intakes/FIL-0000000001/list.csv', { expiresInSeconds: 900, contentType: 'text/csv' });
    const cases: [string, string, string, Record<string, string>][] = [
      ['another tenant', 'PUT', link.url.replace('/tenants/acme/', '/tenants/beta/'), link.headers],
      ['another file of the intake', 'PUT', link.url.replace('/list.csv', '/attestation'), link.headers],
      ['the release bucket', 'PUT', link.url.replace('/filiera-intake/', '/filiera-release/'), link.headers],
      ['a path traversal', 'PUT', link.url.replace('/list.csv', '/../../beta/list.csv'), link.headers],
      ['a GET', 'GET', link.url, link.headers],
      ['a DELETE', 'DELETE', link.url, link.headers],
      ['another content type', 'PUT', link.url, { 'content-type': 'text/html' }],
      ['no content type', 'PUT', link.url, {}],
    ];
    for (const [label, method, url, headers] of cases) {
      expect(checkPresignedRequest({ method, ...received(url, headers), secretFor }), label).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    }
  });

  it('refuses a longer expiry written into the link, an expired link and a link of unknown credentials', async () => {
    const link = await store.presignPut('filiera-intake', 'tenants/acme/intakes/FIL-0000000001/list.csv', { expiresInSeconds: 900 });
    const stretched = link.url.replace('X-Amz-Expires=900', 'X-Amz-Expires=604800');
    expect(checkPresignedRequest({ method: 'PUT', ...received(stretched, {}), secretFor })).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    const later = new Date(Date.now() + 901_000);
    expect(checkPresignedRequest({ method: 'PUT', ...received(link.url, {}), secretFor, now: later })).toEqual({
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
    });
    expect(checkPresignedRequest({ method: 'PUT', ...received(link.url, {}), secretFor: () => undefined })).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    const forged = link.url.replace(/X-Amz-Signature=[0-9a-f]{64}/, `X-Amz-Signature=${'0'.repeat(64)}`);
    expect(checkPresignedRequest({ method: 'PUT', ...received(forged, {}), secretFor })).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('answers malformed signing parameters with a 400 naming the parameter', async () => {
    const link = await store.presignPut('filiera-intake', 'k', { expiresInSeconds: 60 });
    const without = (name: string) => link.url.replace(new RegExp(`${name}=[^&]*&?`), '');
    expect(checkPresignedRequest({ method: 'PUT', ...received(without('X-Amz-Algorithm'), {}), secretFor })).toMatchObject({ status: 400, message: expect.stringContaining('X-Amz-Algorithm') });
    expect(checkPresignedRequest({ method: 'PUT', ...received(without('X-Amz-Credential'), {}), secretFor })).toMatchObject({ status: 400, message: expect.stringContaining('X-Amz-Credential') });
    expect(checkPresignedRequest({ method: 'PUT', ...received(without('X-Amz-Date'), {}), secretFor })).toMatchObject({ status: 400, message: expect.stringContaining('X-Amz-Date') });
    expect(checkPresignedRequest({ method: 'PUT', ...received(link.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=abc'), {}), secretFor })).toMatchObject({
      status: 400,
      message: expect.stringContaining('X-Amz-Expires'),
    });
  });
});

/** The request the SDK would send, signed, captured before it leaves (nothing is sent). */
async function signedBySdk(client: S3Client, command: PutObjectCommand | GetObjectCommand) {
  let captured: { method: string; path: string; query: Record<string, string | string[] | null>; headers: Record<string, string> } | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      captured = args.request as typeof captured;
      throw new Error('captured');
    },
    { step: 'deserialize', name: 'capture', override: true },
  );
  await client.send(command as PutObjectCommand).catch((err: Error) => {
    if (err.message !== 'captured') throw err;
  });
  const request = captured!;
  const query = Object.entries(request.query ?? {})
    .flatMap(([k, v]) => (v === null ? [encodeURIComponent(k)] : [v].flat().map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)))
    .join('&');
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: request.method,
    url: `${request.path}${query ? `?${query}` : ''}`,
    headers,
    check: (extra: Record<string, string> = {}, method = request.method) => {
      const all = { ...headers, ...extra };
      return checkSignedRequest({ method, url: `${request.path}${query ? `?${query}` : ''}`, header: (n) => all[n.toLowerCase()], headerNames: Object.keys(all), secretFor });
    },
  };
}

describe('every request to the local S3 engine is signed, with the headers it carries', () => {
  const listKey = 'tenants/acme/intakes/FIL-0000000001/list.csv';

  it('refuses an anonymous request, whatever it asks', () => {
    for (const [method, url] of [['GET', `/filiera-intake/${listKey}`], ['PUT', '/filiera-intake/x'], ['GET', '/filiera-intake'], ['DELETE', '/filiera-intake/x']]) {
      const headers: Record<string, string> = { host: '127.0.0.1:4569' };
      expect(checkSignedRequest({ method: method!, url: url!, header: (n) => headers[n], headerNames: Object.keys(headers), secretFor }), `${method} ${url}`).toEqual({
        status: 403,
        code: 'AccessDenied',
        message: 'Anonymous requests are not allowed.',
      });
    }
  });

  it('refuses an upload link that carries an unsigned x-amz-copy-source (it would copy another tenant\'s list)', async () => {
    const link = await store.presignPut('filiera-intake', listKey, { expiresInSeconds: 900, contentType: 'text/csv' });
    const headers = { ...link.headers, 'x-amz-copy-source': copySource('filiera-intake', 'tenants/beta/intakes/FIL-0000000002/list.csv') };
    const request = received(link.url, headers);
    expect(checkSignedRequest({ method: 'PUT', ...request, headerNames: ['host', ...Object.keys(headers)], secretFor })).toEqual({
      status: 403,
      code: 'AccessDenied',
      message: 'There were headers present in the request which were not signed: x-amz-copy-source',
    });
    // The same link as given passes.
    expect(checkSignedRequest({ method: 'PUT', ...received(link.url, link.headers), headerNames: ['host', 'content-type'], secretFor })).toBeNull();
  });

  it('refuses an upload link carrying unsigned headers S3 would store and serve with the object', async () => {
    const link = await store.presignPut('filiera-intake', 'tenants/acme/intakes/FIL-0000000001/attestation', { expiresInSeconds: 900 });
    const extras: [string, string][] = [
      ['content-encoding', 'gzip'],
      ['content-disposition', 'inline; filename="x.html"'],
      ['cache-control', 'max-age=99999'],
      ['x-amz-meta-verdict', 'approved'],
      ['x-amz-tagging', 'a=b'],
    ];
    for (const [name, value] of extras) {
      const headers = { [name]: value };
      expect(checkSignedRequest({ method: 'PUT', ...received(link.url, headers), headerNames: ['host', name], secretFor }), name).toMatchObject({
        status: 403,
        code: 'AccessDenied',
        message: `There were headers present in the request which were not signed: ${name}`,
      });
    }
    // A content type the link does not bind, as fetch adds one to a string body, is accepted.
    const plain = { 'content-type': 'text/plain;charset=UTF-8' };
    expect(checkSignedRequest({ method: 'PUT', ...received(link.url, plain), headerNames: ['host', 'content-type'], secretFor })).toBeNull();
  });

  it('lets a download link carry the Cache-Control a browser adds (nothing is stored on a GET), but never an unsigned x-amz header', async () => {
    const link = await store.presignGet('filiera-release', 'callcenters/cc-napoli/releases/FIL-0000000001/list.csv', { expiresInSeconds: 300 });
    const browser = { 'cache-control': 'no-cache' };
    expect(checkSignedRequest({ method: 'GET', ...received(link.url, browser), headerNames: ['host', 'cache-control'], secretFor })).toBeNull();
    const amz = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' };
    expect(checkSignedRequest({ method: 'GET', ...received(link.url, amz), headerNames: ['host', ...Object.keys(amz)], secretFor })).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('verifies a header-signed request as the SDK signs it, and refuses it altered or with an unsigned x-amz header', async () => {
    const client = createS3Client({ endpoint: ENDPOINT });
    const put = await signedBySdk(client, new PutObjectCommand({ Bucket: 'filiera-intake', Key: listKey, Body: 'telefono\n3471234567\n', ContentType: 'text/csv' }));
    expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=S3RVER\//);
    expect(put.check()).toBeNull();
    expect(put.check({ 'content-type': 'text/html' })).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(put.check({}, 'DELETE')).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(put.check({ 'x-amz-copy-source': 'filiera-intake/tenants/beta/list.csv' })).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(put.check({ authorization: put.headers.authorization!.replace(/Signature=[0-9a-f]{64}/, `Signature=${'1'.repeat(64)}`) })).toMatchObject({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    const other = createS3Client({ endpoint: ENDPOINT, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'guessed' } });
    expect((await signedBySdk(other, new GetObjectCommand({ Bucket: 'filiera-intake', Key: listKey }))).check()).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    client.destroy();
    other.destroy();
  });
});
