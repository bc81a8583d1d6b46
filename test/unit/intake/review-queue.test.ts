import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoIntakeRepository, MAX_QUERY_PAGES } from '../../../shared/adapters/dynamodb/dynamodb-intake-repository.js';
import { buildCountersQuery, buildTransitionInput, counterPk, toIntakeItem } from '../../../shared/adapters/dynamodb/intake-items.js';
import { chainAuditEvent } from '../../../shared/intake/audit.js';
import { Intake } from '../../../shared/intake/intake.js';
import type { IntakeRepository } from '../../../shared/ports/intake-repository.js';
import { listIntakes, reviewQueue } from '../../../shared/pipeline/queries.js';
import { intakeWithVerdict, memoryDeps, NOW } from './approved-fixture.js';

/**
 * The compliance queue (docs/api.md) is read on every visit, and REJECTED only grows: a call reads one page
 * of the byStatus index (status, then age) and the counts from counters kept as intakes move, never every intake.
 */
const everyTenant = { role: 'compliance' as const, sub: 'carla', tenants: 'all' as const };
const betaOnly = { role: 'compliance' as const, sub: 'berta', tenants: ['beta'] };

/** Counts the intakes the listing hands back to the use case. */
function countingReads(repo: IntakeRepository): { read: () => number } {
  let read = 0;
  const list = repo.listByStatus.bind(repo);
  repo.listByStatus = async (statuses, options) => {
    const page = await list(statuses, options);
    read += page.items.length;
    return page;
  };
  return { read: () => read };
}

describe('the review queue', () => {
  it('reads one page however many intakes were rejected, and counts them all within the scope', async () => {
    // Prepare: 40 rejected and 3 in review for acme, 5 rejected for beta
    const deps = memoryDeps();
    for (let i = 0; i < 40; i++) await intakeWithVerdict(deps, { verdict: 'rejected', at: new Date(NOW.getTime() + i * 60_000) });
    for (let i = 0; i < 3; i++) await intakeWithVerdict(deps, { verdict: 'review' });
    for (let i = 0; i < 5; i++) await intakeWithVerdict(deps, { verdict: 'rejected', tenantId: 'beta' });
    const reads = countingReads(deps.intakes);
    // Act
    const page = await reviewQueue(deps, everyTenant, { limit: 10 });
    // Assess
    expect(page.items).toHaveLength(10);
    expect(page.nextCursor).toBeDefined();
    expect(page.counts).toEqual({ IN_REVIEW: 3, REJECTED: 45 });
    expect(reads.read()).toBeLessThanOrEqual(20);
  });

  it('pages by age, oldest first when asked, across both statuses', async () => {
    // Prepare
    const deps = memoryDeps();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const intake = await intakeWithVerdict(deps, { verdict: i % 2 ? 'review' : 'rejected', at: new Date(NOW.getTime() + i * 60_000) });
      made.push(intake.intakeId);
    }
    // Act
    const first = await reviewQueue(deps, everyTenant, { order: 'oldest', limit: 3 });
    const second = await reviewQueue(deps, everyTenant, { order: 'oldest', limit: 3, cursor: first.nextCursor! });
    // Assess
    expect([...first.items, ...second.items].map((i) => i.intakeId)).toEqual(made);
    expect(second.nextCursor).toBeUndefined();
    expect((await reviewQueue(deps, everyTenant, { limit: 1 })).items[0]!.intakeId).toBe(made.at(-1));
  });

  it("counts only the officer's tenants, and the tenant asked for only when in scope", async () => {
    const deps = memoryDeps();
    for (let i = 0; i < 4; i++) await intakeWithVerdict(deps, { verdict: 'rejected' });
    await intakeWithVerdict(deps, { verdict: 'review', tenantId: 'beta' });
    expect((await reviewQueue(deps, betaOnly, {})).counts).toEqual({ IN_REVIEW: 1, REJECTED: 0 });
    expect((await reviewQueue(deps, betaOnly, { tenant: 'acme' })).counts).toEqual({ IN_REVIEW: 0, REJECTED: 0 });
    expect((await reviewQueue(deps, betaOnly, { tenant: 'acme' })).items).toEqual([]);
    expect((await reviewQueue(deps, everyTenant, { tenant: 'acme' })).counts).toEqual({ IN_REVIEW: 0, REJECTED: 4 });
    const noScope = { role: 'compliance' as const, sub: 'x', tenants: [] as string[] };
    expect(await reviewQueue(deps, noScope, {})).toMatchObject({ items: [], counts: { IN_REVIEW: 0, REJECTED: 0 } });
  });
});

describe('the compliance listing', () => {
  it("reads a one-tenant officer's tenant only, fills pages with it, and pages oldest first when asked", async () => {
    // Prepare: beta's two intakes among many of acme's
    const deps = memoryDeps();
    const betas: string[] = [];
    for (let i = 0; i < 12; i++) {
      const intake = await intakeWithVerdict(deps, { verdict: 'rejected', tenantId: i % 6 ? 'acme' : 'beta', at: new Date(NOW.getTime() + i * 60_000) });
      if (i % 6 === 0) betas.push(intake.intakeId);
    }
    // Act
    const page = await listIntakes(deps, betaOnly, { limit: 2, order: 'oldest' });
    // Assess
    expect(page.items.map((i) => i.intakeId)).toEqual(betas);
  });
});

describe('queue counters in DynamoDB (pure inputs)', () => {
  const opened = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'c', actor: 'a', now: NOW, intakeId: 'FIL-0123456789' });
  const first = chainAuditEvent('FIL-0123456789', undefined, opened.event);
  const scope = { tenantId: 'acme', callCenterId: 'cc-napoli' };
  const move = (from: 'PROCESSING' | 'IN_REVIEW', to: 'IN_REVIEW' | 'RELEASED' | 'APPROVED' | 'REJECTED') => {
    const event = chainAuditEvent('FIL-0123456789', first, { type: 'x', actor: 'a', at: NOW.toISOString() });
    return buildTransitionInput('t', 'FIL-0123456789', { from, version: 3 }, { status: to, updatedAt: NOW.toISOString() }, { seq: 1, hash: first.hash }, event, scope);
  };
  const counterMoves = (input: ReturnType<typeof move>) =>
    input.TransactItems!.slice(2).map((i) => ({ key: i.Update!.Key, delta: i.Update!.ExpressionAttributeValues![':delta'] }));

  it('moves the counters of the queue statuses in the same transaction as the status', () => {
    const key = (status: string) => ({ pk: `COUNT#${status}`, sk: 'TENANT#acme#CALLCENTER#cc-napoli' });
    expect(counterMoves(move('PROCESSING', 'IN_REVIEW'))).toEqual([{ key: key('IN_REVIEW'), delta: 1 }]);
    expect(counterMoves(move('IN_REVIEW', 'REJECTED'))).toEqual([{ key: key('IN_REVIEW'), delta: -1 }, { key: key('REJECTED'), delta: 1 }]);
    expect(counterMoves(move('IN_REVIEW', 'APPROVED'))).toEqual([{ key: key('IN_REVIEW'), delta: -1 }]);
    expect(counterMoves(move('PROCESSING', 'APPROVED'))).toEqual([]);
    expect(move('PROCESSING', 'IN_REVIEW').TransactItems![2]!.Update!.UpdateExpression).toMatch(/ADD #n :delta$/);
  });

  it('refuses a counted move without the intake scope', () => {
    const event = chainAuditEvent('FIL-0123456789', first, { type: 'x', actor: 'a', at: NOW.toISOString() });
    expect(() =>
      buildTransitionInput('t', 'FIL-0123456789', { from: 'PROCESSING', version: 3 }, { status: 'REJECTED', updatedAt: NOW.toISOString() }, { seq: 1, hash: first.hash }, event),
    ).toThrow(/scope/);
  });

  it('reads counts from the counter partition of each status, summed within the scope, never below zero', async () => {
    // Prepare: a fake client answering the counter queries
    const counters: Record<string, Record<string, unknown>[]> = {
      [counterPk('IN_REVIEW')]: [
        { tenantId: 'acme', callCenterId: 'cc-napoli', n: 2 },
        { tenantId: 'beta', callCenterId: 'cc-napoli', n: -1 },
      ],
      [counterPk('REJECTED')]: [
        { tenantId: 'acme', callCenterId: 'cc-napoli', n: 700 },
        { tenantId: 'acme', callCenterId: 'cc-roma', n: 5 },
        { tenantId: 'beta', callCenterId: 'cc-napoli', n: 30 },
      ],
    };
    const sent: unknown[] = [];
    const doc = {
      send: async (command: { input: ReturnType<typeof buildCountersQuery> }) => {
        sent.push(command.input);
        return { Items: counters[String(command.input.ExpressionAttributeValues![':pk'])] ?? [] };
      },
    } as unknown as DynamoDBDocumentClient;
    const repo = new DynamoIntakeRepository(doc, 't');
    // Act, Assess
    expect(await repo.countByStatus(['IN_REVIEW', 'REJECTED'], {})).toEqual({ IN_REVIEW: 1, REJECTED: 735 });
    expect(await repo.countByStatus(['IN_REVIEW', 'REJECTED'], { tenantIds: ['beta'] })).toEqual({ IN_REVIEW: 0, REJECTED: 30 });
    expect(await repo.countByStatus(['REJECTED'], { tenantIds: ['acme'], callCenterId: 'cc-napoli' })).toEqual({ REJECTED: 700 });
    expect(sent[0]).toEqual({ TableName: 't', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'COUNT#IN_REVIEW' } });
    await expect(repo.countByStatus(['RELEASED'], {})).rejects.toThrow(RangeError);
  });

  it('stops a filtered listing after a bounded number of reads and goes on from there with the cursor', async () => {
    // Prepare: a REJECTED partition of 1,500 beta intakes, then one acme intake at the very end
    const items = Array.from({ length: 1501 }, (_, i) => {
      const at = new Date(NOW.getTime() - i * 60_000);
      const { intake } = Intake.open({ tenantId: i === 1500 ? 'acme' : 'beta', callCenterId: 'cc-napoli', campaign: 'c', actor: 'a', now: at });
      return toIntakeItem({ ...intake.toSnapshot(), status: 'REJECTED' }, { seq: 1, hash: 'h' });
    });
    const position = new Map(items.map((item, i) => [String(item.pk), i]));
    let queries = 0;
    const doc = {
      send: async (command: { input: { Limit: number; ExclusiveStartKey?: Record<string, string>; FilterExpression?: string } }) => {
        queries++;
        const { Limit, ExclusiveStartKey } = command.input;
        const from = ExclusiveStartKey ? position.get(String(ExclusiveStartKey.pk))! + 1 : 0;
        const evaluated = items.slice(from, from + Limit);
        const last = evaluated.at(-1);
        return {
          Items: evaluated.filter((i) => i.tenantId === 'acme'),
          ...(from + Limit < items.length && last ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk, statusPk: last.statusPk, statusSk: last.statusSk } } : {}),
        };
      },
    } as unknown as DynamoDBDocumentClient;
    const repo = new DynamoIntakeRepository(doc, 't');
    // Act: page after page, as the console would follow the cursor
    const found: string[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      const before = queries;
      const page = await repo.listByStatus(['REJECTED'], { tenantId: 'acme', limit: 100, ...(cursor ? { cursor } : {}) });
      expect(queries - before).toBeLessThanOrEqual(MAX_QUERY_PAGES);
      found.push(...page.items.map((i) => i.tenantId));
      cursor = page.nextCursor;
      calls++;
    } while (cursor && calls < 10);
    // Assess
    expect(found).toEqual(['acme']);
    expect(cursor).toBeUndefined();
  });

  it('keeps pages in age order across statuses when one status is read only in part', async () => {
    // Prepare: REJECTED holds 1,200 beta intakes (newest) then 3 acme ones; IN_REVIEW holds 6 acme ones spread in time
    const minute = 60_000;
    const item = (tenantId: string, status: 'REJECTED' | 'IN_REVIEW', minutesAgo: number) => {
      const { intake } = Intake.open({ tenantId, callCenterId: 'cc-napoli', campaign: 'c', actor: 'a', now: new Date(NOW.getTime() - minutesAgo * minute) });
      return toIntakeItem({ ...intake.toSnapshot(), status }, { seq: 1, hash: 'h' });
    };
    const partitions: Record<string, ReturnType<typeof item>[]> = {
      'STATUS#REJECTED': [...Array.from({ length: 1200 }, (_, i) => item('beta', 'REJECTED', i)), item('acme', 'REJECTED', 1300), item('acme', 'REJECTED', 1400), item('acme', 'REJECTED', 1500)],
      'STATUS#IN_REVIEW': [5, 600, 1250, 1350, 1450, 1600].map((m) => item('acme', 'IN_REVIEW', m)),
    };
    const doc = {
      send: async (command: { input: { Limit: number; ExclusiveStartKey?: Record<string, string>; ExpressionAttributeValues: Record<string, string> } }) => {
        const { Limit, ExclusiveStartKey, ExpressionAttributeValues } = command.input;
        const all = partitions[ExpressionAttributeValues[':ipk']!]!;
        const from = ExclusiveStartKey ? all.findIndex((i) => i.pk === ExclusiveStartKey.pk) + 1 : 0;
        const evaluated = all.slice(from, from + Limit);
        const last = evaluated.at(-1);
        return {
          Items: evaluated.filter((i) => i.tenantId === ExpressionAttributeValues[':q0']),
          ...(from + Limit < all.length && last ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk, statusPk: last.statusPk, statusSk: last.statusSk } } : {}),
        };
      },
    } as unknown as DynamoDBDocumentClient;
    const repo = new DynamoIntakeRepository(doc, 't');
    // Act: follow the cursor with pages of 4
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let calls = 0; calls < 100; calls++) {
      const page = await repo.listByStatus(['IN_REVIEW', 'REJECTED'], { tenantId: 'acme', limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.createdAt));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    // Assess: all nine acme intakes, newest first, none twice
    expect(cursor).toBeUndefined();
    expect(seen).toHaveLength(9);
    expect(seen).toEqual([...seen].sort().reverse());
  });
});
