import { describe, expect, it } from 'vitest';
import { createS3Client, S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { LOCAL_CREDENTIALS } from '../../../infra/local/engines/free-port.js';
import { checkPresignedRequest, isPresigned } from '../../../infra/local/engines/presigned.js';

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
