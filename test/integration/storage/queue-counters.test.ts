import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../shared/adapters/local-engines.js';
import { createDynamoDocumentClient, DynamoIntakeRepository } from '../../../shared/adapters/dynamodb/dynamodb-intake-repository.js';
import { ensureTable } from '../../../shared/adapters/dynamodb/table-design.js';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Intake, type IntakeTransition } from '../../../shared/intake/intake.js';
import type { ListReport } from '../../../shared/list/model.js';
import { startTestEngines, type TestEngines } from '../../fixtures/engines.js';

/**
 * On DynamoDB Local: the review queue's counters, moved in the transition's transaction and read without the intakes;
 * the retention the intake and its trail carry (TTL) and the masked samples.
 */
const TABLE = 'filiera-counters-test';
const T0 = Date.parse('2026-03-10T09:00:00.000Z');
const ctx = (m: number) => ({ actor: 'system:test', now: new Date(T0 + m * 60_000) });

let engines: TestEngines;
let repo: DynamoIntakeRepository;

beforeAll(async () => {
  engines = await startTestEngines();
  const client = new DynamoDBClient({ endpoint: engines.dynamoEndpoint, region: 'eu-south-1', credentials: LOCAL_CREDENTIALS });
  await ensureTable(client, TABLE);
  client.destroy();
  repo = new DynamoIntakeRepository(createDynamoDocumentClient({ endpoint: engines.dynamoEndpoint }), TABLE);
});

afterAll(async () => {
  await engines?.stop();
});

const apply = async (t: IntakeTransition) => {
  await repo.transition(t.intakeId, t.expected, t.changes, t.event);
  return t.next;
};

async function withVerdict(tenantId: string, verdict: 'review' | 'rejected'): Promise<Intake> {
  const opened = Intake.open({ tenantId, callCenterId: 'cc-napoli', campaign: 'c', actor: 'a', now: ctx(0).now });
  await repo.create(opened.intake, opened.event);
  let intake = opened.intake;
  for (const kind of ['list', 'attestation'] as const) {
    intake = await apply(intake.recordUpload(kind, { key: intake.uploadKey(kind), size: 1, etag: 'e', uploadedAt: ctx(1).now.toISOString() }, ctx(1)));
  }
  intake = await apply(intake.startProcessing(ctx(2)));
  const severity = verdict === 'review' ? ('review' as const) : ('reject' as const);
  return apply(intake.recordVerdict({ verdict, findings: [{ code: 'x', severity, message: 'x' }] }, ctx(3)));
}

describe('queue counters on DynamoDB Local', () => {
  it('counts intakes into and out of review and rejection, per tenant', async () => {
    // Prepare
    const inReview = await Promise.all([withVerdict('acme', 'review'), withVerdict('acme', 'review'), withVerdict('beta', 'review')]);
    await Promise.all([withVerdict('acme', 'rejected'), withVerdict('beta', 'rejected')]);
    // Act: a reviewer rejects one acme intake in review
    await apply(inReview[0]!.decideReview({ decision: 'reject', justification: 'no consent', reviewer: 'compliance:carla' }, { now: ctx(10).now }));
    // Assess
    expect(await repo.countByStatus(['IN_REVIEW', 'REJECTED'], {})).toEqual({ IN_REVIEW: 2, REJECTED: 3 });
    expect(await repo.countByStatus(['IN_REVIEW', 'REJECTED'], { tenantIds: ['acme'] })).toEqual({ IN_REVIEW: 1, REJECTED: 2 });
    expect(await repo.countByStatus(['IN_REVIEW', 'REJECTED'], { tenantIds: ['beta'], callCenterId: 'cc-roma' })).toEqual({ IN_REVIEW: 0, REJECTED: 0 });
  });

  it('stores the intake and every event of its trail with the evidence retention as TTL, and the samples masked', async () => {
    // Prepare
    const opened = Intake.open({ tenantId: 'ttl', callCenterId: 'cc-napoli', campaign: 'c', actor: 'a', now: ctx(0).now });
    await repo.create(opened.intake, opened.event);
    let intake = opened.intake;
    for (const kind of ['list', 'attestation'] as const) {
      intake = await apply(intake.recordUpload(kind, { key: intake.uploadKey(kind), size: 1, etag: 'e', uploadedAt: ctx(1).now.toISOString() }, ctx(1)));
    }
    intake = await apply(intake.startProcessing(ctx(2)));
    const list = { sha256: 'x', dataRows: 1, releasedRows: 0, samples: [{ row: 1, reason: 'rpo_objection', phone: '+393471234567' }] } as unknown as ListReport;
    await apply(intake.recordVerdict({ verdict: 'review', findings: [{ code: 'x', severity: 'review', message: 'x' }], list }, ctx(3)));
    // Act
    const doc = createDynamoDocumentClient({ endpoint: engines.dynamoEndpoint });
    const { Items } = await doc.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `INTAKE#${intake.intakeId}` } }));
    doc.destroy();
    // Assess
    const fiveYears = Math.floor(T0 / 1000) + 1825 * 86_400;
    expect(Items!.length).toBeGreaterThan(4);
    expect(new Set(Items!.map((i) => i.ttl))).toEqual(new Set([fiveYears]));
    expect(Items!.find((i) => i.sk === 'INTAKE')!.list.samples[0].phone).toBe('+39347*****67');
    expect(JSON.stringify(Items)).not.toContain('+393471234567');
  });
});
