import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { MemoryObjectStore } from '../../../shared/adapters/memory/memory-object-store.js';
import { S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { startDocumentAnalysisInput } from '../../../shared/adapters/textract/requests.js';
import { parseConfig } from '../../../shared/config.js';
import { Intake } from '../../../shared/intake/intake.js';
import { silentLogger, type PipelineDeps } from '../../../shared/pipeline/deps.js';
import { documentLinks } from '../../../shared/pipeline/document-links.js';
import { handleObjectCreated } from '../../../shared/pipeline/process-intake.js';
import { boundAttestation, cleanList } from '../../fixtures/stack.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki } from '../../fixtures/pki.js';

/**
 * In AWS the intake bucket keeps versions, and each S3 event names the version it is about. Processing reads, and
 * document links show, the version recorded when the upload arrived: bytes written later at the same key (an event
 * delivered late, a re-upload through a link still valid) are another file, never the one the verdict judged.
 */
const BUCKETS = { intake: 'filiera-intake', release: 'filiera-release', evidence: 'filiera-evidence' };
const NOW = new Date();
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
let trustAnchor: string;

beforeAll(async () => {
  trustAnchor = (await makePki()).rootCaPem;
});

function memoryDeps(): PipelineDeps & { objects: MemoryObjectStore } {
  return {
    intakes: new MemoryIntakeRepository(),
    objects: new MemoryObjectStore(Object.values(BUCKETS), { versioning: true }),
    buckets: BUCKETS,
    config: async () => ({
      config: parseConfig({
        tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: `IT${DEMO_TENANT_VAT}`, signatories: [DEMO_SIGNATORY], callCenters: ['cc-napoli'] }],
        callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
        trustAnchors: [],
        // Not about the consent sample (docs/consent-sampling.md): approved lists are released straight away.
        policy: { consentSampleSize: 0 },
      }),
      file: 'test',
      trustAnchorPems: [trustAnchor],
    }),
    now: () => NOW,
    log: silentLogger,
  };
}

/** Writes an upload and returns the event S3 would send for it (not delivered yet). */
async function write(deps: PipelineDeps, key: string, body: Uint8Array | string) {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const head = await deps.objects.putObject(BUCKETS.intake, key, bytes, { contentType: 'application/octet-stream' });
  return { bucket: BUCKETS.intake, key, size: head.size, etag: head.etag, ...(head.versionId ? { versionId: head.versionId } : {}) };
}

async function openIntake(deps: PipelineDeps) {
  const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'luce', actor: 'committente:acme', now: NOW });
  await deps.intakes.create(intake, event);
  return intake;
}

describe('uploads are read and linked at the version recorded when they arrived', () => {
  it('a list written after its event was recorded is not the one verified, and its late event changes nothing', async () => {
    const deps = memoryDeps();
    const intake = await openIntake(deps);
    const v1 = cleanList(5, 1);
    const v2 = cleanList(7, 2);
    const listKey = intake.uploadKey('list');
    expect(await handleObjectCreated(deps, await write(deps, listKey, v1))).toBe('recorded');
    // v2 lands at the same key; its event is still in the queue when the attestation (bound to v1) arrives.
    const lateEvent = await write(deps, listKey, v2);
    const attestation = await write(deps, intake.uploadKey('attestation'), await boundAttestation(intake.intakeId, v1, 5));
    expect(await handleObjectCreated(deps, attestation)).toBe('processed');

    const verified = (await deps.intakes.get(intake.intakeId))!.toSnapshot();
    expect(verified.status).toBe('RELEASED');
    expect(verified.list?.sha256).toBe(sha256(v1));
    expect(verified.uploads.list?.versionId).toBe('v1');
    // The late event is recorded as ignored; nothing is processed again.
    expect(await handleObjectCreated(deps, lateEvent)).toBe('late');
    const trail = await deps.intakes.auditTrail(intake.intakeId);
    expect(trail.filter((e) => e.type === 'verdict.recorded')).toHaveLength(1);
    expect(trail.at(-1)).toMatchObject({ type: 'upload.ignored', data: { kind: 'list', etag: lateEvent.etag } });
  });

  it('after a re-upload, the document links still point at the verified versions, whose bytes hash as listed', async () => {
    const deps = memoryDeps();
    const intake = await openIntake(deps);
    const list = cleanList(4, 3);
    await handleObjectCreated(deps, await write(deps, intake.uploadKey('list'), list));
    const attestation = await boundAttestation(intake.intakeId, list, 4);
    await handleObjectCreated(deps, await write(deps, intake.uploadKey('attestation'), attestation));
    // A re-upload after the verdict, through a link still valid.
    await write(deps, intake.uploadKey('list'), cleanList(9, 4));
    await write(deps, intake.uploadKey('attestation'), new TextEncoder().encode('%PDF-1.7 altro'));

    const links = await documentLinks(deps, { role: 'compliance', sub: 'carla', tenants: 'all' }, intake.intakeId);
    const snapshot = (await deps.intakes.get(intake.intakeId))!.toSnapshot();
    for (const kind of ['list', 'attestation'] as const) {
      const issued = deps.objects.issued.filter((r) => r.method === 'GET' && r.key === intake.uploadKey(kind));
      expect(issued, kind).toHaveLength(1);
      expect(issued[0]!.versionId).toBe(snapshot.uploads[kind]!.versionId);
      expect(links.documents.find((d) => d.kind === kind)?.url).toContain(`versionId=${issued[0]!.versionId}`);
      const bytes = await deps.objects.getBytes(BUCKETS.intake, intake.uploadKey(kind), 1 << 20, { versionId: issued[0]!.versionId! });
      expect(sha256(bytes), kind).toBe(links.documents.find((d) => d.kind === kind)?.sha256);
    }
    expect(sha256(await deps.objects.getBytes(BUCKETS.intake, intake.uploadKey('attestation'), 1 << 20, { versionId: snapshot.uploads.attestation!.versionId! }))).toBe(
      sha256(attestation),
    );
  });
});

describe('the adapters name the version', () => {
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());

  it('S3: reads send VersionId, and a presigned GET signs versionId into the link', async () => {
    s3.reset();
    s3.on(GetObjectCommand).resolves({ Body: (async function* () { yield new TextEncoder().encode('a;b\r\n'); })() as never });
    const store = new S3ObjectStore(new S3Client({ region: 'eu-south-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }));
    await store.getBytes('filiera-intake', 'tenants/acme/intakes/FIL-X/list.csv', 1024, { versionId: 'v-list-1' });
    for await (const _ of store.getStream('filiera-intake', 'tenants/acme/intakes/FIL-X/attestation', { versionId: 'v-att-1' })) void _;
    await store.getBytes('filiera-intake', 'tenants/acme/intakes/FIL-X/receipt.json', 1024);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.VersionId)).toEqual(['v-list-1', 'v-att-1', undefined]);
    const link = await store.presignGet('filiera-intake', 'tenants/acme/intakes/FIL-X/list.csv', { expiresInSeconds: 300, versionId: 'v-list-1' });
    expect(new URL(link.url).searchParams.get('versionId')).toBe('v-list-1');
    const current = await store.presignGet('filiera-intake', 'tenants/acme/intakes/FIL-X/list.csv', { expiresInSeconds: 300 });
    expect(new URL(current.url).searchParams.has('versionId')).toBe(false);
  });

  it('Textract: a job reads the stored scan at the recorded version', () => {
    const input = startDocumentAnalysisInput({
      stored: { bucket: 'filiera-intake', key: 'tenants/acme/intakes/FIL-X/attestation', versionId: 'v-att-1' },
      reference: 'FIL-X',
      sha256: 'a'.repeat(64),
      notification: { snsTopicArn: 'arn:aws:sns:eu-south-1:111122223333:t', roleArn: 'arn:aws:iam::111122223333:role/r' },
    });
    expect(input.DocumentLocation?.S3Object).toEqual({ Bucket: 'filiera-intake', Name: 'tenants/acme/intakes/FIL-X/attestation', Version: 'v-att-1' });
  });
});
