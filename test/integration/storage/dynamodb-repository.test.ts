import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDocumentClient, DynamoIntakeRepository } from '../../../shared/adapters/dynamodb/dynamodb-intake-repository.js';
import { ensureTable } from '../../../shared/adapters/dynamodb/table-design.js';
import { createS3Client, S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { verifyAuditChain } from '../../../shared/intake/audit.js';
import { Intake, type IntakeTransition } from '../../../shared/intake/intake.js';
import { releaseKeys } from '../../../shared/intake/object-keys.js';
import { ConcurrentModificationError, IntakeAlreadyExistsError, IntakeNotFoundError } from '../../../shared/ports/intake-repository.js';
import { startTestEngines, TEST_BUCKETS, type TestEngines } from '../../fixtures/engines.js';
import { LOCAL_CREDENTIALS } from '../../../shared/adapters/local-engines.js';

const TABLE = 'filiera-test';
const BASE = Date.parse('2025-03-10T09:00:00.000Z');
const at = (minutes: number) => new Date(BASE + minutes * 60_000);
const system = (minutes: number) => ({ actor: 'system:pipeline', now: at(minutes) });

let engines: TestEngines;
let repo: DynamoIntakeRepository;

function connect(): DynamoIntakeRepository {
  return new DynamoIntakeRepository(createDynamoDocumentClient({ endpoint: engines.dynamoEndpoint }), TABLE);
}

beforeAll(async () => {
  engines = await startTestEngines();
  const client = new DynamoDBClient({ endpoint: engines.dynamoEndpoint, region: 'eu-south-1', credentials: LOCAL_CREDENTIALS });
  await ensureTable(client, TABLE);
  await ensureTable(client, TABLE); // idempotent
  client.destroy();
  repo = connect();
});

afterAll(async () => {
  await engines?.stop();
});

const apply = (t: IntakeTransition) => repo.transition(t.intakeId, t.expected, t.changes, t.event);

async function openIntake(tenantId: string, callCenterId: string, minutes: number): Promise<Intake> {
  const { intake, event } = Intake.open({ tenantId, callCenterId, campaign: 'spring', actor: `committente:${tenantId}`, now: at(minutes) });
  await repo.create(intake, event);
  return intake;
}

/** Both files recorded and processing started: the state where verdicts race. */
async function processing(tenantId: string, callCenterId: string, minutes: number): Promise<Intake> {
  let intake = await openIntake(tenantId, callCenterId, minutes);
  for (const kind of ['list', 'attestation'] as const) {
    const t = intake.recordUpload(kind, { key: intake.uploadKey(kind), size: 10, etag: kind, uploadedAt: at(minutes + 1).toISOString() }, system(minutes + 1));
    await apply(t);
    intake = t.next;
  }
  const t = intake.startProcessing(system(minutes + 2));
  await apply(t);
  return t.next;
}

async function toStatus(intake: Intake, verdict: 'approved' | 'review' | 'rejected', minutes: number, release = false): Promise<Intake> {
  const findings = verdict === 'approved' ? [] : [{ code: 'x', severity: verdict === 'review' ? ('review' as const) : ('reject' as const), message: 'x' }];
  const t = intake.recordVerdict({ verdict, findings }, system(minutes));
  await apply(t);
  if (!release) return t.next;
  const r = t.next.release({ ...releaseKeys(intake.callCenterId, intake.intakeId), expiresAt: at(minutes + 20_000).toISOString() }, system(minutes + 1));
  await apply(r);
  return r.next;
}

describe('DynamoDB intake repository on DynamoDB Local', () => {
  it('lets exactly one of several racing transitions from the same state win', async () => {
    // Prepare
    const intake = await processing('race', 'cc-a', 0);
    const contenders = (['approved', 'rejected', 'review', 'approved'] as const).map((verdict) =>
      intake.recordVerdict({ verdict, findings: verdict === 'approved' ? [] : [{ code: 'x', severity: verdict === 'review' ? 'review' : 'reject', message: 'x' }] }, system(5)),
    );
    // Act
    const results = await Promise.allSettled(contenders.map(apply));
    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(3);
    for (const l of lost) expect(l.reason).toBeInstanceOf(ConcurrentModificationError);
    const stored = (await repo.get(intake.intakeId))!;
    expect(stored.version).toBe(intake.version + 1);
    const trail = await repo.auditTrail(intake.intakeId);
    expect(trail.filter((e) => e.type === 'verdict.recorded')).toHaveLength(1);
    expect(verifyAuditChain(trail)).toEqual({ valid: true });
  });

  it('refuses a stale version and a missing intake, and a second create of the same id', async () => {
    const intake = await openIntake('stale', 'cc-a', 0);
    const t = intake.recordUpload('list', { key: intake.uploadKey('list'), size: 1, etag: 'e', uploadedAt: at(1).toISOString() }, system(1));
    await apply(t);
    const err = await apply(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrentModificationError);
    expect((err as ConcurrentModificationError).actual).toEqual({ status: 'AWAITING_UPLOADS', version: 1 });
    await expect(repo.transition('FIL-ZZZZZZZZZZ', t.expected, t.changes, t.event)).rejects.toBeInstanceOf(IntakeNotFoundError);
    const { event } = Intake.open({ tenantId: 'stale', callCenterId: 'cc-a', campaign: 'x', actor: 'a', now: at(0) });
    await expect(repo.create(intake, event)).rejects.toBeInstanceOf(IntakeAlreadyExistsError);
  });

  it('keeps a complete, valid trail through the whole lifecycle, with events appended concurrently', async () => {
    // Prepare / Act
    let intake = await processing('trail', 'cc-trail', 0);
    const review = await toStatus(intake, 'review', 5);
    // A link issuance racing the reviewer's decision: both must land, chained.
    const decision = review.decideReview({ decision: 'approve', justification: 'original checked', reviewer: 'bob' }, { now: at(6) });
    const [decided, ...appended] = await Promise.all([
      apply(decision),
      ...[1, 2, 3].map((n) => repo.appendEvent(intake.intakeId, (current) => ({ type: 'note.added', actor: 'compliance:carol', at: at(6).toISOString(), data: { n, status: current.status } }))),
    ]);
    expect(decided.type).toBe('review.decided');
    expect(appended).toHaveLength(3);
    const release = decision.next.release({ ...releaseKeys('cc-trail', intake.intakeId), expiresAt: at(20_000).toISOString() }, system(7));
    await apply(release);
    await repo.appendEvent(intake.intakeId, { type: 'release.link_issued', actor: 'callcenter:cc-trail', at: at(8).toISOString(), data: { expiresInSeconds: 300 } });
    intake = (await repo.get(intake.intakeId))!;
    // Assess
    expect(intake.status).toBe('RELEASED');
    expect(intake.version).toBe(6);
    expect(intake.review).toMatchObject({ decision: 'approve', reviewer: 'bob' });
    const trail = await repo.auditTrail(intake.intakeId);
    expect(verifyAuditChain(trail)).toEqual({ valid: true });
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
    expect(trail.map((e) => e.type).filter((t) => t !== 'note.added')).toEqual([
      'intake.created',
      'upload.received',
      'upload.received',
      'processing.started',
      'verdict.recorded',
      'review.decided',
      'release.published',
      'release.link_issued',
    ]);
    expect(trail.filter((e) => e.type === 'note.added')).toHaveLength(3);
  });

  it('lists by tenant (newest first, paged, by status), by status across tenants, and releases per call center', async () => {
    // Prepare: tenant list-a has four intakes in different states, list-b one.
    const a1 = await openIntake('list-a', 'cc-list-1', 100);
    const a2 = await toStatus(await processing('list-a', 'cc-list-1', 110), 'review', 115);
    const a3 = await toStatus(await processing('list-a', 'cc-list-1', 120), 'approved', 125, true);
    const a4 = await toStatus(await processing('list-a', 'cc-list-2', 130), 'approved', 135, true);
    const b1 = await toStatus(await processing('list-b', 'cc-list-1', 140), 'rejected', 145);
    const b2 = await toStatus(await processing('list-b', 'cc-list-1', 150), 'approved', 155, true);

    // Act / Assess: tenant listing, newest first, two pages of 3 + 1.
    const page1 = await repo.listForTenant('list-a', { limit: 3 });
    expect(page1.items.map((i) => i.intakeId)).toEqual([a4.intakeId, a3.intakeId, a2.intakeId]);
    expect(page1.nextCursor).toBeDefined();
    const page2 = await repo.listForTenant('list-a', { limit: 3, cursor: page1.nextCursor! });
    expect(page2.items.map((i) => i.intakeId)).toEqual([a1.intakeId]);
    expect(page2.nextCursor).toBeUndefined();
    const released = await repo.listForTenant('list-a', { status: 'RELEASED', limit: 1 });
    expect(released.items.map((i) => i.intakeId)).toEqual([a4.intakeId]);
    const releasedNext = await repo.listForTenant('list-a', { status: 'RELEASED', limit: 1, cursor: released.nextCursor! });
    expect(releasedNext.items.map((i) => i.intakeId)).toEqual([a3.intakeId]);

    // The compliance queue: in review or rejected, across tenants, newest first, one at a time.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.listByStatus(['IN_REVIEW', 'REJECTED'], { callCenterId: 'cc-list-1', limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.intakeId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([b1.intakeId, a2.intakeId]);
    const onlyA = await repo.listByStatus(['IN_REVIEW', 'REJECTED'], { tenantId: 'list-a', limit: 10 });
    expect(onlyA.items.map((i) => i.intakeId)).toEqual([a2.intakeId]);
    const oldestFirst = await repo.listByStatus(['IN_REVIEW', 'REJECTED'], { callCenterId: 'cc-list-1', limit: 10, order: 'oldest' });
    expect(oldestFirst.items.map((i) => i.intakeId)).toEqual([a2.intakeId, b1.intakeId]);

    // Releases addressed to a call center: only RELEASED ones, newest release first.
    const cc1 = await repo.listReleasesForCallCenter('cc-list-1');
    expect(cc1.items.map((i) => i.intakeId)).toEqual([b2.intakeId, a3.intakeId]);
    expect(cc1.items.every((i) => i.status === 'RELEASED')).toBe(true);
    expect((await repo.listReleasesForCallCenter('cc-list-2')).items.map((i) => i.intakeId)).toEqual([a4.intakeId]);
    expect((await repo.listReleasesForCallCenter('cc-nobody')).items).toEqual([]);
  });

  // Last: it restarts the engines.
  it('keeps intakes, trails and objects across a stop and restart of both engines on the same folder', async () => {
    // Prepare
    const intake = await toStatus(await processing('restart', 'cc-r', 0), 'approved', 5);
    const s3 = new S3ObjectStore(createS3Client({ endpoint: engines.s3Endpoint }));
    const key = intake.uploadKey('list');
    await s3.putObject(TEST_BUCKETS.intake, key, new TextEncoder().encode('telefono\n3471234567\n'), { contentType: 'text/csv' });
    const trailBefore = await repo.auditTrail(intake.intakeId);
    // Act
    await engines.restart();
    repo = connect();
    const s3After = new S3ObjectStore(createS3Client({ endpoint: engines.s3Endpoint }));
    // Assess
    const after = (await repo.get(intake.intakeId))!;
    expect(after.toSnapshot()).toEqual(intake.toSnapshot());
    const trailAfter = await repo.auditTrail(intake.intakeId);
    expect(trailAfter).toEqual(trailBefore);
    expect(verifyAuditChain(trailAfter).valid).toBe(true);
    expect(new TextDecoder().decode(await s3After.getBytes(TEST_BUCKETS.intake, key, 1000))).toBe('telefono\n3471234567\n');
    // And it still moves: the release after the restart.
    const r = after.release({ ...releaseKeys('cc-r', intake.intakeId), expiresAt: at(20_000).toISOString() }, system(9));
    await apply(r);
    expect((await repo.get(intake.intakeId))!.status).toBe('RELEASED');
  });
});
