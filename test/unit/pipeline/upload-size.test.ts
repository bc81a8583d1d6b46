import { describe, expect, it } from 'vitest';
import { checkSignedRequest } from '../../../infra/local/engines/presigned.js';
import { LOCAL_CREDENTIALS } from '../../../infra/local/engines/free-port.js';
import { createS3Client, S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import type { Principal } from '../../../shared/auth/principal.js';
import { describeBytes, openIntake, renewUploadLinks } from '../../../shared/pipeline/open-intake.js';
import type { PresignedRequest } from '../../../shared/ports/object-store.js';
import { startMemoryStack } from '../../fixtures/memory-stack.js';

/**
 * Upload links bound to the size the uploader declared: S3 (and the local engine, which checks as S3 does) takes
 * a body of exactly that length and nothing larger; a declared size over the limit gets no link, and the refusal
 * names the limit (docs/verdict-rules.md: lists 1 GiB or the tenant's own, attestations 50 MiB).
 */
const ENDPOINT = 'http://127.0.0.1:4569';
const acme: Principal = { role: 'committente', sub: 'alice', tenantId: 'acme' };

function stack(policy: Record<string, unknown> = {}) {
  const memory = startMemoryStack({ policy });
  return { ...memory.deps, objects: new S3ObjectStore(createS3Client({ endpoint: ENDPOINT })) };
}

/** What the local engine answers to a PUT of `length` bytes on the link. */
function putOf(link: PresignedRequest, length: number) {
  const url = new URL(link.url);
  const headers: Record<string, string> = { host: url.host, ...link.headers, 'content-length': String(length) };
  return checkSignedRequest({
    method: 'PUT',
    url: `${url.pathname}${url.search}`,
    header: (name) => headers[name.toLowerCase()],
    headerNames: Object.keys(headers),
    secretFor: (id) => (id === LOCAL_CREDENTIALS.accessKeyId ? LOCAL_CREDENTIALS.secretAccessKey : undefined),
  });
}

describe('upload links bound to a declared size', () => {
  it('take a body of exactly the declared length, and refuse a larger or smaller one', async () => {
    const deps = stack();
    const { uploads } = await openIntake(deps, acme, { callCenter: 'cc-napoli', campaign: 'Estate', listBytes: 1200, attestationBytes: 80_000 });
    expect(uploads.list.headers).toEqual({ 'content-type': 'text/csv', 'content-length': '1200' });
    expect(uploads.attestation.headers).toEqual({ 'content-length': '80000' });
    expect(putOf(uploads.list, 1200)).toBeNull();
    expect(putOf(uploads.attestation, 80_000)).toBeNull();
    expect(putOf(uploads.list, 1201)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(putOf(uploads.attestation, 60 * 1024 * 1024)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('are refused for a declared size over the limit, naming it, and no intake is opened', async () => {
    const deps = stack();
    await expect(openIntake(deps, acme, { callCenter: 'cc-napoli', campaign: 'x', attestationBytes: 50 * 1024 * 1024 + 1 })).rejects.toThrow(
      'attestationBytes: 52428801 bytes is over the limit of 50 MiB for the attestation (Filiera specification §5)',
    );
    await expect(openIntake(deps, acme, { callCenter: 'cc-napoli', campaign: 'x', listBytes: 1024 ** 3 + 1 })).rejects.toThrow(/over the limit of 1 GiB for the list/);
    await expect(openIntake(deps, acme, { callCenter: 'cc-napoli', campaign: 'x', listBytes: 0 })).rejects.toThrow(/listBytes: the list's size in bytes/);
    expect((await deps.intakes.listForTenant('acme', { limit: 10 })).items).toEqual([]);
  });

  it("follow the tenant's own list limit, and apply to renewed links", async () => {
    const deps = stack({ maxListBytes: 2000 });
    await expect(openIntake(deps, acme, { callCenter: 'cc-napoli', campaign: 'x', listBytes: 2001 })).rejects.toThrow(/over the limit of 2000 bytes for the list/);
    const { intake } = await openIntake(deps, acme, { callCenter: 'cc-napoli', campaign: 'x', listBytes: 2000 });
    const renewed = await renewUploadLinks(deps, acme, intake.intakeId, { attestationBytes: 4096 });
    expect(putOf(renewed.uploads.attestation, 4096)).toBeNull();
    expect(putOf(renewed.uploads.attestation, 4097)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(renewUploadLinks(deps, acme, intake.intakeId, { attestationBytes: 51 * 1024 * 1024 })).rejects.toThrow(/over the limit of 50 MiB/);
  });

  it('an attestation over 50 MiB that reaches storage anyway is rejected with the limit named, not as "empty"', async () => {
    const memory = startMemoryStack();
    const caller = { role: 'committente' as const, tenant: 'acme' };
    const opened = await memory.call('POST', '/v1/intakes', caller, { callCenter: 'cc-napoli', campaign: 'Big' });
    const intakeId = opened.json.intakeId as string;
    await memory.upload(intakeId, 'list', 'telefono\r\n+39 347 1234567\r\n');
    await memory.upload(intakeId, 'attestation', new Uint8Array(50 * 1024 * 1024 + 1));
    const view = (await memory.call('GET', `/v1/intakes/${intakeId}`, caller)).json;
    expect(view.status).toBe('REJECTED');
    const finding = view.findings.find((f: { code: string }) => f.code === 'attestation_unreadable');
    expect(finding.message).toBe('The attestation cannot be read: the file is over the 50 MiB limit for an attestation and was not read.');
    expect(JSON.stringify(view.findings)).not.toMatch(/empty/i);
  });

  it('name limits as a person reads them', () => {
    expect([describeBytes(1024 ** 3), describeBytes(50 * 1024 ** 2), describeBytes(2000), describeBytes(4096)]).toEqual(['1 GiB', '50 MiB', '2000 bytes', '4 KiB']);
  });
});
