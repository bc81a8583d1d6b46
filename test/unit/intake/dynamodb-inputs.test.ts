import { describe, expect, it } from 'vitest';
import {
  AUDIT_APPEND_ATTRIBUTES,
  AUDIT_APPEND_LEADING_KEYS,
  buildAppendEventInput,
  buildAuditTrailQuery,
  buildCreateInput,
  buildReleasesQuery,
  buildStatusQuery,
  buildTenantQuery,
  buildTransitionInput,
  decodeCursor,
  encodeCursor,
  fromIntakeItem,
  isKey,
  toIntakeItem,
} from '../../../shared/adapters/dynamodb/intake-items.js';
import { createTableInput, intakeTableDesign } from '../../../shared/adapters/dynamodb/table-design.js';
import { buildCompleteMultipartInput, buildCopyObjectInput, copySource } from '../../../shared/adapters/s3/s3-object-store.js';
import { chainAuditEvent } from '../../../shared/intake/audit.js';
import { Intake } from '../../../shared/intake/intake.js';
import { InvalidCursorError } from '../../../shared/ports/intake-repository.js';

const T0 = new Date('2025-03-10T09:00:00.000Z');
const opened = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'spring', actor: 'committente:acme', now: T0, intakeId: 'FIL-0123456789' });
const first = chainAuditEvent('FIL-0123456789', undefined, opened.event);
const TABLE = 'filiera';

describe('table design', () => {
  it('declares pk/sk, three GSIs and a TTL attribute as plain data', () => {
    const input = createTableInput(TABLE);
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.GlobalSecondaryIndexes!.map((i) => i.IndexName)).toEqual(['byTenant', 'byStatus', 'releasesByCallCenter']);
    expect(input.AttributeDefinitions).toHaveLength(8);
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(intakeTableDesign.timeToLiveAttribute).toBe('ttl');
  });
});

describe('intake items', () => {
  it('stores the snapshot with the chain head and the index keys; the release index key only once released', () => {
    const item = toIntakeItem(opened.intake.toSnapshot(), { seq: 1, hash: first.hash });
    expect(item).toMatchObject({
      pk: 'INTAKE#FIL-0123456789',
      sk: 'INTAKE',
      auditSeq: 1,
      auditHead: first.hash,
      tenantPk: 'TENANT#acme',
      tenantSk: '2025-03-10T09:00:00.000Z#FIL-0123456789',
      statusPk: 'STATUS#AWAITING_UPLOADS',
      releasePk: 'CALLCENTER#cc-napoli',
    });
    expect(item).not.toHaveProperty('releaseSk');
    const back = fromIntakeItem(item);
    expect(back.intake.toSnapshot()).toEqual(opened.intake.toSnapshot());
    expect(back.head).toEqual({ seq: 1, hash: first.hash });
  });

  it('creates the intake and its first event only if neither exists', () => {
    const input = buildCreateInput(TABLE, opened.intake.toSnapshot(), first);
    expect(input.TransactItems).toHaveLength(2);
    expect(input.TransactItems![0]!.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)' });
    expect(input.TransactItems![1]!.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { pk: 'INTAKE#FIL-0123456789', sk: 'EVENT#0000000001', entity: 'audit', seq: 1, hash: first.hash },
    });
  });

  it('makes a transition one conditional write on status, version and chain head, plus the new event', () => {
    // Prepare
    const t = opened.intake.recordUpload('list', { key: opened.intake.uploadKey('list'), size: 5, etag: 'e', uploadedAt: T0.toISOString() }, { actor: 'system', now: T0 });
    const event = chainAuditEvent('FIL-0123456789', first, t.event);
    // Act
    const input = buildTransitionInput(TABLE, 'FIL-0123456789', t.expected, t.changes, { seq: 1, hash: first.hash }, event);
    // Assess
    const update = input.TransactItems![0]!.Update!;
    expect(update.Key).toEqual({ pk: 'INTAKE#FIL-0123456789', sk: 'INTAKE' });
    expect(update.ConditionExpression).toBe('attribute_exists(pk) AND #status = :from AND #version = :version AND #auditSeq = :headSeq');
    expect(update.ExpressionAttributeNames).toMatchObject({ '#status': 'status', '#version': 'version', '#auditSeq': 'auditSeq' });
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':from': 'AWAITING_UPLOADS',
      ':version': 0,
      ':nextVersion': 1,
      ':headSeq': 1,
      ':nextSeq': 2,
      ':nextHead': event.hash,
      ':status': 'AWAITING_UPLOADS',
      ':statusPk': 'STATUS#AWAITING_UPLOADS',
    });
    expect(update.UpdateExpression).toMatch(/^SET #version = :nextVersion, #auditSeq = :nextSeq, #auditHead = :nextHead, #statusPk = :statusPk, /);
    expect(Object.values(update.ExpressionAttributeNames!)).toContain('uploads');
    const put = input.TransactItems![1]!.Put!;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ sk: 'EVENT#0000000002', prevHash: first.hash });
  });

  it('sets the release index key when moving to RELEASED', () => {
    const t = {
      expected: { from: 'APPROVED' as const, version: 4 },
      changes: { status: 'RELEASED' as const, updatedAt: T0.toISOString(), release: { key: 'k', receiptKey: 'r', releasedAt: '2025-03-10T10:00:00.000Z', expiresAt: '2025-03-20T00:00:00.000Z' } },
    };
    const event = chainAuditEvent('FIL-0123456789', { seq: 7, hash: 'a'.repeat(64) }, { type: 'release.published', actor: 'system', at: T0.toISOString() });
    const update = buildTransitionInput(TABLE, 'FIL-0123456789', t.expected, t.changes, { seq: 7, hash: 'a'.repeat(64) }, event).TransactItems![0]!.Update!;
    expect(update.ExpressionAttributeValues).toMatchObject({ ':releaseSk': '2025-03-10T10:00:00.000Z#FIL-0123456789', ':statusPk': 'STATUS#RELEASED' });
    expect(update.UpdateExpression).toContain('#releaseSk = :releaseSk');
  });

  it('refuses to build a write whose event does not extend the stored head', () => {
    const event = chainAuditEvent('FIL-0123456789', first, { type: 'x', actor: 'a', at: T0.toISOString() });
    expect(() => buildAppendEventInput(TABLE, { seq: 2, hash: event.prevHash }, event)).toThrow(/chain head/);
    expect(() => buildAppendEventInput(TABLE, { seq: 1, hash: 'f'.repeat(64) }, event)).toThrow(/chain head/);
  });

  it('appends a non-transition event conditional on the chain head only', () => {
    const event = chainAuditEvent('FIL-0123456789', first, { type: 'release.link_issued', actor: 'callcenter:cc-napoli', at: T0.toISOString() });
    const input = buildAppendEventInput(TABLE, { seq: 1, hash: first.hash }, event);
    expect(input.TransactItems![0]!.Update).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND #auditSeq = :headSeq',
      ExpressionAttributeValues: { ':headSeq': 1, ':nextSeq': 2, ':nextHead': event.hash },
    });
  });
});

describe('queries', () => {
  it('reads the trail in seq order, consistently', () => {
    expect(buildAuditTrailQuery(TABLE, 'FIL-0123456789')).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
      ExpressionAttributeValues: { ':pk': 'INTAKE#FIL-0123456789', ':events': 'EVENT#' },
      ScanIndexForward: true,
      ConsistentRead: true,
    });
  });

  it.each([
    ['tenant, newest first', buildTenantQuery(TABLE, 'acme', { limit: 10 }), { IndexName: 'byTenant', ScanIndexForward: false, ExpressionAttributeValues: { ':ipk': 'TENANT#acme' } }],
    ['tenant by status', buildTenantQuery(TABLE, 'acme', { limit: 10, status: 'REJECTED' }), { FilterExpression: '#q0 = :q0', ExpressionAttributeNames: { '#q0': 'status' }, ExpressionAttributeValues: { ':q0': 'REJECTED' } }],
    ['status queue, oldest first, one tenant', buildStatusQuery(TABLE, 'IN_REVIEW', { limit: 5, tenantId: 'acme', newestFirst: false }), { IndexName: 'byStatus', ScanIndexForward: true, FilterExpression: '#q0 = :q0', ExpressionAttributeValues: { ':ipk': 'STATUS#IN_REVIEW', ':q0': 'acme' } }],
    ['releases of a call center', buildReleasesQuery(TABLE, 'cc-napoli', { limit: 5 }), { IndexName: 'releasesByCallCenter', ScanIndexForward: false, ExpressionAttributeValues: { ':ipk': 'CALLCENTER#cc-napoli', ':q0': 'RELEASED' } }],
  ])('%s', (_name, query, expected) => {
    expect(query.input).toMatchObject({ TableName: TABLE, KeyConditionExpression: '#ipk = :ipk', ...expected });
  });

  it('encodes cursors opaquely and refuses forged ones', () => {
    const key = { pk: 'INTAKE#FIL-0123456789', sk: 'INTAKE', tenantPk: 'TENANT#acme', tenantSk: 'x' };
    expect(decodeCursor(encodeCursor(key), isKey)).toEqual(key);
    expect(() => decodeCursor('not-base64-json', isKey)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(encodeCursor({ pk: 1 }), isKey)).toThrow(InvalidCursorError);
  });
});

describe('S3 inputs', () => {
  it('encodes the copy source per segment (s3rver 404s an encoded slash)', () => {
    expect(copySource('b', 'tenants/acme/intakes/FIL-1/list.csv')).toBe('b/tenants/acme/intakes/FIL-1/list.csv');
    expect(copySource('b', 'a b/c+d.csv')).toBe('b/a%20b/c%2Bd.csv');
    expect(buildCopyObjectInput({ bucket: 'in', key: 'k' }, { bucket: 'out', key: 'j' })).toEqual({ Bucket: 'out', Key: 'j', CopySource: 'in/k', MetadataDirective: 'COPY' });
    expect(buildCopyObjectInput({ bucket: 'in', key: 'k' }, { bucket: 'out', key: 'j' }, { contentType: 'text/csv' })).toMatchObject({ MetadataDirective: 'REPLACE', ContentType: 'text/csv' });
  });

  it('makes a multipart completion conditional when asked', () => {
    expect(buildCompleteMultipartInput('b', 'k', 'u', [{ ETag: '"e"', PartNumber: 1 }], '*')).toMatchObject({ IfNoneMatch: '*', MultipartUpload: { Parts: [{ PartNumber: 1 }] } });
    expect(buildCompleteMultipartInput('b', 'k', 'u', [])).not.toHaveProperty('IfNoneMatch');
  });
});

describe('what an appended event writes (the IAM grant of the functions that only append)', () => {
  it('touches only the attributes in AUDIT_APPEND_ATTRIBUTES, under an intake partition', () => {
    // Prepare
    const event = chainAuditEvent('FIL-0123456789', first, { type: 'release.link_issued', actor: 'callcenter:cc:nadia', at: T0.toISOString(), data: { expiresAt: T0.toISOString() } });
    // Act
    const input = buildAppendEventInput(TABLE, { seq: 1, hash: first.hash }, event);
    // Assess
    const touched = new Set<string>();
    for (const item of input.TransactItems!) {
      for (const name of Object.keys(item.Put?.Item ?? {})) touched.add(name);
      for (const name of Object.values(item.Update?.ExpressionAttributeNames ?? {})) touched.add(name);
      for (const name of Object.keys(item.Update?.Key ?? {})) touched.add(name);
      const pk = String(item.Put?.Item?.pk ?? item.Update?.Key?.pk);
      expect(AUDIT_APPEND_LEADING_KEYS.some((pattern) => pk.startsWith(pattern.replace(/\*$/, '')))).toBe(true);
    }
    // pk appears by name in the condition expressions too
    expect([...touched].filter((name) => !(AUDIT_APPEND_ATTRIBUTES as readonly string[]).includes(name))).toEqual([]);
    expect(input.TransactItems!.map((i) => i.Put?.ConditionExpression ?? i.Update?.ConditionExpression).join(' ')).not.toMatch(/#status|#version/);
  });
});
