import type {
  GetCommandInput,
  QueryCommandInput,
  TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, AuditHead } from '../../intake/audit.js';
import { Intake, type IntakeChanges, type IntakeSnapshot, type IntakeStatus } from '../../intake/intake.js';
import { maskListReport } from '../../intake/retention.js';
import { InvalidCursorError } from '../../ports/intake-repository.js';
import { type IntakeIndexName, indexDesign, intakeTableDesign } from './table-design.js';

/**
 * The SDK inputs of the DynamoDB intake repository, built as pure data (STYLE.md practice 4) so that keys and
 * condition expressions are unit-tested without I/O. The repository only sends them.
 */

export type Key = Record<string, string>;
export type Item = Record<string, unknown>;

/**
 * The chain head stored on the intake item (auditSeq, auditHead), so the next event can be chained without reading
 * the trail, and a re-check of the trail can tell that none of its last events is missing.
 */
export type { AuditHead } from '../../intake/audit.js';

const INTAKE_SK = 'INTAKE';
const STORAGE_ATTRIBUTES = [
  'pk',
  'sk',
  'entity',
  'auditSeq',
  'auditHead',
  'tenantPk',
  'tenantSk',
  'statusPk',
  'statusSk',
  'releasePk',
  'releaseSk',
  intakeTableDesign.timeToLiveAttribute,
] as const;

export const intakePk = (intakeId: string): string => `INTAKE#${intakeId}`;
export const intakeKey = (intakeId: string): Key => ({ pk: intakePk(intakeId), sk: INTAKE_SK });
export const eventSk = (seq: number): string => `EVENT#${String(seq).padStart(10, '0')}`;
export const eventKey = (intakeId: string, seq: number): Key => ({ pk: intakePk(intakeId), sk: eventSk(seq) });
export const tenantPk = (tenantId: string): string => `TENANT#${tenantId}`;
export const statusPk = (status: IntakeStatus): string => `STATUS#${status}`;
export const callCenterPk = (callCenterId: string): string => `CALLCENTER#${callCenterId}`;
const createdSk = (s: { createdAt: string; intakeId: string }): string => `${s.createdAt}#${s.intakeId}`;

/**
 * The statuses whose intakes are counted as they move (the compliance queue's counts): one counter item per status,
 * tenant and call center, moved by ADD in the same transaction as the transition, so that counts are read from a few
 * small items instead of paging through every REJECTED intake ever made. Others are not counted: each counted move
 * is one more item in the transaction and one more hot item for concurrent transitions.
 */
export const countedStatuses: readonly IntakeStatus[] = ['IN_REVIEW', 'REJECTED'];
export const counterPk = (status: IntakeStatus): string => `COUNT#${status}`;
export const counterSk = (scope: CounterScope): string => `TENANT#${scope.tenantId}#CALLCENTER#${scope.callCenterId}`;

export interface CounterScope {
  tenantId: string;
  callCenterId: string;
}

/** ADD delta to the counter of a status in a scope; no condition (ADD creates the item at 0 first). */
function counterUpdate(tableName: string, status: IntakeStatus, scope: CounterScope, delta: 1 | -1) {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: counterPk(status), sk: counterSk(scope) },
      UpdateExpression: 'SET #entity = :entity, #tenantId = :tenantId, #callCenterId = :callCenterId ADD #n :delta',
      ExpressionAttributeNames: { '#entity': 'entity', '#tenantId': 'tenantId', '#callCenterId': 'callCenterId', '#n': 'n' },
      ExpressionAttributeValues: { ':entity': 'counter', ':tenantId': scope.tenantId, ':callCenterId': scope.callCenterId, ':delta': delta },
    },
  };
}

/** The counter moves of a status change: out of the old status, into the new one, for the counted statuses only. */
export function counterUpdates(tableName: string, from: IntakeStatus | null, to: IntakeStatus, scope: CounterScope) {
  if (from === to) return [];
  return [
    ...(from && countedStatuses.includes(from) ? [counterUpdate(tableName, from, scope, -1)] : []),
    ...(countedStatuses.includes(to) ? [counterUpdate(tableName, to, scope, 1)] : []),
  ];
}

/** The counters of one status: a Query of its small partition (one item per tenant and call center seen). */
export function buildCountersQuery(tableName: string, status: IntakeStatus, startKey?: Key): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': counterPk(status) },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * The stored form of an intake: its snapshot (excluded-row samples masked: shared/intake/retention.ts), the chain
 * head, the index keys and, given a TTL, the instant DynamoDB may delete it (the evidence retention).
 */
export function toIntakeItem(snapshot: IntakeSnapshot, head: AuditHead, ttl?: number): Item {
  return {
    ...intakeKey(snapshot.intakeId),
    entity: 'intake',
    ...snapshot,
    ...(snapshot.list ? { list: maskListReport(snapshot.list) } : {}),
    ...(ttl !== undefined ? { [intakeTableDesign.timeToLiveAttribute]: ttl } : {}),
    auditSeq: head.seq,
    auditHead: head.hash,
    tenantPk: tenantPk(snapshot.tenantId),
    tenantSk: createdSk(snapshot),
    statusPk: statusPk(snapshot.status),
    statusSk: createdSk(snapshot),
    // The release index is sparse: releasePk is always there, releaseSk only once RELEASED.
    releasePk: callCenterPk(snapshot.callCenterId),
    ...(snapshot.status === 'RELEASED' && snapshot.release
      ? { releaseSk: `${snapshot.release.releasedAt}#${snapshot.intakeId}` }
      : {}),
  };
}

export function fromIntakeItem(item: Item): { intake: Intake; head: AuditHead } {
  const snapshot: Item = { ...item };
  for (const attribute of STORAGE_ATTRIBUTES) delete snapshot[attribute];
  return {
    intake: Intake.fromSnapshot(snapshot),
    head: { seq: Number(item.auditSeq), hash: String(item.auditHead) },
  };
}

/** An event item; with a TTL it goes with its intake (the trail is evidence: kept as long as the intake). */
export function toEventItem(event: AuditEvent, ttl?: number): Item {
  return {
    ...eventKey(event.intakeId, event.seq),
    entity: 'audit',
    ...event,
    ...(ttl !== undefined ? { [intakeTableDesign.timeToLiveAttribute]: ttl } : {}),
  };
}

/** The event as chained: storage attributes (keys, entity, TTL) are not part of what its hash covers. */
export function fromEventItem(item: Item): AuditEvent {
  const { pk: _pk, sk: _sk, entity: _entity, [intakeTableDesign.timeToLiveAttribute]: _ttl, ...event } = item;
  return event as unknown as AuditEvent;
}

export function buildGetIntakeInput(tableName: string, intakeId: string): GetCommandInput {
  return { TableName: tableName, Key: intakeKey(intakeId), ConsistentRead: true };
}

/** A new intake and its first event; both must be new. */
export function buildCreateInput(tableName: string, snapshot: IntakeSnapshot, firstEvent: AuditEvent, ttl?: number): TransactWriteCommandInput {
  return {
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: toIntakeItem(snapshot, { seq: firstEvent.seq, hash: firstEvent.hash }, ttl),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: { TableName: tableName, Item: toEventItem(firstEvent, ttl), ConditionExpression: 'attribute_not_exists(pk)' },
      },
      ...counterUpdates(tableName, null, snapshot.status, snapshot),
    ],
  };
}

/**
 * One status change: the Update of the intake, conditional on its status, version and chain head, and the Put of
 * the event that extends the chain, conditional on its key being new. All or nothing.
 */
export function buildTransitionInput(
  tableName: string,
  intakeId: string,
  expected: { from: IntakeStatus; version: number },
  changes: IntakeChanges,
  head: AuditHead,
  event: AuditEvent,
  /** The intake's tenant and call center: the counters a counted status change moves. */
  scope?: CounterScope,
  /** The intake's TTL, given to the new event item. */
  ttl?: number,
): TransactWriteCommandInput {
  if (event.seq !== head.seq + 1 || event.prevHash !== head.hash) {
    throw new Error(`event ${event.seq} does not extend the chain head ${head.seq}`);
  }
  const counters = counterUpdates(tableName, expected.from, changes.status, scope ?? { tenantId: '', callCenterId: '' });
  if (counters.length && !scope) throw new Error(`a move from ${expected.from} to ${changes.status} is counted: the scope is needed`);
  const names: Record<string, string> = {
    '#status': 'status',
    '#version': 'version',
    '#auditSeq': 'auditSeq',
    '#auditHead': 'auditHead',
    '#statusPk': 'statusPk',
  };
  const values: Record<string, unknown> = {
    ':from': expected.from,
    ':version': expected.version,
    ':nextVersion': expected.version + 1,
    ':headSeq': head.seq,
    ':nextSeq': event.seq,
    ':nextHead': event.hash,
    ':statusPk': statusPk(changes.status),
  };
  const sets = [
    '#version = :nextVersion',
    '#auditSeq = :nextSeq',
    '#auditHead = :nextHead',
    '#statusPk = :statusPk',
  ];
  let i = 0;
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const name = field === 'status' ? '#status' : `#f${i}`;
    const placeholder = field === 'status' ? ':status' : `:f${i}`;
    if (field !== 'status') i++;
    names[name] = field;
    values[placeholder] = field === 'list' ? maskListReport(value as IntakeSnapshot['list']) : value;
    sets.push(`${name} = ${placeholder}`);
  }
  if (changes.status === 'RELEASED') {
    if (!changes.release) throw new Error('a transition to RELEASED must carry the release');
    names['#releaseSk'] = 'releaseSk';
    values[':releaseSk'] = `${changes.release.releasedAt}#${intakeId}`;
    sets.push('#releaseSk = :releaseSk');
  }
  return {
    TransactItems: [
      {
        Update: {
          TableName: tableName,
          Key: intakeKey(intakeId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression:
            'attribute_exists(pk) AND #status = :from AND #version = :version AND #auditSeq = :headSeq',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      {
        Put: { TableName: tableName, Item: toEventItem(event, ttl), ConditionExpression: 'attribute_not_exists(pk)' },
      },
      ...counters,
    ],
  };
}

/**
 * Every top-level attribute an appended event touches (buildAppendEventInput): the event item's and the intake's
 * chain head. A function that only appends events (a link issued) is granted writes of these attributes alone
 * (IAM `dynamodb:Attributes`, infra/cdk/house-function.ts): it can neither move an intake's status nor write one.
 */
export const AUDIT_APPEND_ATTRIBUTES = [
  'pk',
  'sk',
  'entity',
  'intakeId',
  'seq',
  'at',
  'type',
  'actor',
  'data',
  'prevHash',
  'hash',
  'auditSeq',
  'auditHead',
  intakeTableDesign.timeToLiveAttribute,
] as const;

/** The partition keys an appended event writes under (IAM `dynamodb:LeadingKeys`): intakes' partitions only. */
export const AUDIT_APPEND_LEADING_KEYS = [`${intakePk('')}*`] as const;

/** An event that changes no status: moves the chain head only, conditional on it. */
export function buildAppendEventInput(tableName: string, head: AuditHead, event: AuditEvent, ttl?: number): TransactWriteCommandInput {
  if (event.seq !== head.seq + 1 || event.prevHash !== head.hash) {
    throw new Error(`event ${event.seq} does not extend the chain head ${head.seq}`);
  }
  return {
    TransactItems: [
      {
        Update: {
          TableName: tableName,
          Key: intakeKey(event.intakeId),
          UpdateExpression: 'SET #auditSeq = :nextSeq, #auditHead = :nextHead',
          ConditionExpression: 'attribute_exists(pk) AND #auditSeq = :headSeq',
          ExpressionAttributeNames: { '#auditSeq': 'auditSeq', '#auditHead': 'auditHead' },
          ExpressionAttributeValues: { ':headSeq': head.seq, ':nextSeq': event.seq, ':nextHead': event.hash },
        },
      },
      {
        Put: { TableName: tableName, Item: toEventItem(event, ttl), ConditionExpression: 'attribute_not_exists(pk)' },
      },
    ],
  };
}

export function buildAuditTrailQuery(tableName: string, intakeId: string, startKey?: Key): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
    ExpressionAttributeValues: { ':pk': intakePk(intakeId), ':events': 'EVENT#' },
    ConsistentRead: true,
    ScanIndexForward: true,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export interface IndexQuery {
  input: QueryCommandInput;
  /** The attributes that make up a position in this index (to build a cursor from the last item returned). */
  keyAttributes: string[];
}

function indexQuery(
  tableName: string,
  indexName: IntakeIndexName,
  partition: string,
  options: { newestFirst: boolean; limit: number; startKey?: Key; filters?: Record<string, string> },
): IndexQuery {
  const index = indexDesign(indexName);
  const names: Record<string, string> = { '#ipk': index.partitionKey.name };
  const values: Record<string, unknown> = { ':ipk': partition };
  const filterParts: string[] = [];
  let i = 0;
  for (const [field, value] of Object.entries(options.filters ?? {})) {
    names[`#q${i}`] = field;
    values[`:q${i}`] = value;
    filterParts.push(`#q${i} = :q${i}`);
    i++;
  }
  return {
    input: {
      TableName: tableName,
      IndexName: indexName,
      KeyConditionExpression: '#ipk = :ipk',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: !options.newestFirst,
      Limit: options.limit,
      ...(filterParts.length ? { FilterExpression: filterParts.join(' AND ') } : {}),
      ...(options.startKey ? { ExclusiveStartKey: options.startKey } : {}),
    },
    keyAttributes: ['pk', 'sk', index.partitionKey.name, index.sortKey.name],
  };
}

export function buildTenantQuery(
  tableName: string,
  tenantId: string,
  options: { limit: number; status?: IntakeStatus; startKey?: Key },
): IndexQuery {
  return indexQuery(tableName, 'byTenant', tenantPk(tenantId), {
    newestFirst: true,
    limit: options.limit,
    ...(options.startKey ? { startKey: options.startKey } : {}),
    ...(options.status ? { filters: { status: options.status } } : {}),
  });
}

export function buildStatusQuery(
  tableName: string,
  status: IntakeStatus,
  options: { limit: number; tenantId?: string; callCenterId?: string; newestFirst: boolean; startKey?: Key },
): IndexQuery {
  const filters: Record<string, string> = {};
  if (options.tenantId) filters.tenantId = options.tenantId;
  if (options.callCenterId) filters.callCenterId = options.callCenterId;
  return indexQuery(tableName, 'byStatus', statusPk(status), {
    newestFirst: options.newestFirst,
    limit: options.limit,
    filters,
    ...(options.startKey ? { startKey: options.startKey } : {}),
  });
}

export function buildReleasesQuery(
  tableName: string,
  callCenterId: string,
  options: { limit: number; startKey?: Key },
): IndexQuery {
  return indexQuery(tableName, 'releasesByCallCenter', callCenterPk(callCenterId), {
    newestFirst: true,
    limit: options.limit,
    // The index is sparse on releaseSk already; the filter guards against a status written by hand.
    filters: { status: 'RELEASED' },
    ...(options.startKey ? { startKey: options.startKey } : {}),
  });
}

export function pickKey(item: Item, attributes: readonly string[]): Key {
  const key: Key = {};
  for (const attribute of attributes) key[attribute] = String(item[attribute]);
  return key;
}

/** Cursors are opaque to callers: base64url of JSON. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, check: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this API issued');
  }
  if (!check(value)) throw new InvalidCursorError('the cursor is not one this API issued');
  return value;
}

export function isKey(value: unknown): value is Key {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}
