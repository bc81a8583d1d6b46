import { DynamoDBClient, type DynamoDBClientConfig, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, type AuditEventDraft, chainAuditEvent } from '../../intake/audit.js';
import type { Intake, IntakeChanges, IntakeStatus } from '../../intake/intake.js';
import { DEFAULT_EVIDENCE_RETENTION_DAYS, retentionTtl } from '../../intake/retention.js';
import {
  ConcurrentModificationError,
  IntakeAlreadyExistsError,
  IntakeNotFoundError,
  InvalidCursorError,
  type IntakeRepository,
  type CountScope,
  type ListByStatusOptions,
  type ListForTenantOptions,
  type Page,
  type PageOptions,
  pageLimit,
} from '../../ports/intake-repository.js';
import {
  type AuditHead,
  buildAppendEventInput,
  buildAuditTrailQuery,
  buildCountersQuery,
  countedStatuses,
  buildCreateInput,
  buildGetIntakeInput,
  buildReleasesQuery,
  buildStatusQuery,
  buildTenantQuery,
  buildTransitionInput,
  decodeCursor,
  encodeCursor,
  fromEventItem,
  fromIntakeItem,
  type IndexQuery,
  type Item,
  isKey,
  type Key,
  pickKey,
} from './intake-items.js';
import { LOCAL_CREDENTIALS } from '../local-engines.js';

/** Query pages one listing call reads at most (each of at most the page limit, 100 items). */
export const MAX_QUERY_PAGES = 10;

/** How many times a write is retried when only the chain head moved (another writer appended an event). */
const MAX_CHAIN_RETRIES = 8;

export interface DynamoClientOptions {
  /** e.g. http://127.0.0.1:PORT for DynamoDB Local; omit in AWS. */
  endpoint?: string;
  region?: string;
  /** With an endpoint: the local engines' credentials unless given (shared/adapters/local-engines.ts). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A DocumentClient configured as the repository expects; locally with dummy credentials. */
export function createDynamoDocumentClient(options: DynamoClientOptions = {}): DynamoDBDocumentClient {
  const config: DynamoDBClientConfig = { region: options.region ?? process.env.AWS_REGION ?? 'eu-south-1' };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    config.credentials = options.credentials ?? LOCAL_CREDENTIALS;
  }
  return documentClientFor(new DynamoDBClient(config));
}

export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

export interface DynamoRepositoryOptions {
  /**
   * Days an intake and its trail are kept from its creation (DynamoDB TTL): the evidence retention, since they hold
   * evidence (docs/limits-and-retention.md). Default DEFAULT_EVIDENCE_RETENTION_DAYS.
   */
  evidenceRetentionDays?: number;
}

export class DynamoIntakeRepository implements IntakeRepository {
  private readonly retentionDays: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoRepositoryOptions = {},
  ) {
    this.retentionDays = options.evidenceRetentionDays ?? DEFAULT_EVIDENCE_RETENTION_DAYS;
  }

  /** The TTL of an intake's items, from its creation. */
  private ttlOf(intake: { createdAt: string }): number {
    return retentionTtl(intake.createdAt, this.retentionDays);
  }

  async create(intake: Intake, firstEvent: AuditEventDraft): Promise<AuditEvent> {
    const snapshot = intake.toSnapshot();
    const event = chainAuditEvent(snapshot.intakeId, undefined, firstEvent);
    try {
      await this.doc.send(new TransactWriteCommand(buildCreateInput(this.tableName, snapshot, event, this.ttlOf(snapshot))));
    } catch (err) {
      if (isConditionFailure(err)) throw new IntakeAlreadyExistsError(snapshot.intakeId);
      throw err;
    }
    return event;
  }

  async get(intakeId: string): Promise<Intake | null> {
    return (await this.read(intakeId))?.intake ?? null;
  }

  async transition(
    intakeId: string,
    expected: { from: IntakeStatus; version: number },
    changes: IntakeChanges,
    draft: AuditEventDraft,
  ): Promise<AuditEvent> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.read(intakeId);
      if (!current) throw new IntakeNotFoundError(intakeId);
      if (current.intake.status !== expected.from || current.intake.version !== expected.version) {
        throw new ConcurrentModificationError(intakeId, expected, actualOf(current.intake));
      }
      const event = chainAuditEvent(intakeId, current.head, draft);
      try {
        await this.doc.send(
          new TransactWriteCommand(buildTransitionInput(this.tableName, intakeId, expected, changes, current.head, event, current.intake, this.ttlOf(current.intake))),
        );
        return event;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // Lost a race. If the intake moved, the caller must re-decide; if only the chain head moved, chain again.
        const after = await this.read(intakeId);
        if (!after) throw new IntakeNotFoundError(intakeId);
        if (after.intake.status !== expected.from || after.intake.version !== expected.version) {
          throw new ConcurrentModificationError(intakeId, expected, actualOf(after.intake));
        }
        if (attempt >= MAX_CHAIN_RETRIES) throw new ConcurrentModificationError(intakeId, expected, actualOf(after.intake));
        await backoff(attempt);
      }
    }
  }

  async appendEvent(intakeId: string, builder: AuditEventDraft | ((current: Intake) => AuditEventDraft)): Promise<AuditEvent> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.read(intakeId);
      if (!current) throw new IntakeNotFoundError(intakeId);
      const draft = typeof builder === 'function' ? builder(current.intake) : builder;
      const event = chainAuditEvent(intakeId, current.head, draft);
      try {
        await this.doc.send(new TransactWriteCommand(buildAppendEventInput(this.tableName, current.head, event, this.ttlOf(current.intake))));
        return event;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        if (attempt >= MAX_CHAIN_RETRIES) {
          throw new ConcurrentModificationError(intakeId, { from: current.intake.status, version: current.intake.version });
        }
        await backoff(attempt);
      }
    }
  }

  async auditTrail(intakeId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let startKey: Key | undefined;
    do {
      const page = await this.doc.send(new QueryCommand(buildAuditTrailQuery(this.tableName, intakeId, startKey)));
      for (const item of page.Items ?? []) events.push(fromEventItem(item));
      startKey = page.LastEvaluatedKey as Key | undefined;
    } while (startKey);
    return events;
  }

  async auditHead(intakeId: string): Promise<AuditHead | null> {
    return (await this.read(intakeId))?.head ?? null;
  }

  async listForTenant(tenantId: string, options: ListForTenantOptions): Promise<Page<Intake>> {
    const limit = pageLimit(options);
    const startKey = options.cursor ? this.keyCursor(options.cursor, 'tenantPk') : undefined;
    const page = await this.collect((key) => buildTenantQuery(this.tableName, tenantId, { limit, ...(options.status ? { status: options.status } : {}), ...(key ? { startKey: key } : {}) }), limit, startKey, 'tenantPk');
    return { items: page.items.map((i) => fromIntakeItem(i).intake), ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}) };
  }

  async countByStatus(statuses: readonly IntakeStatus[], scope: CountScope): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const status of new Set(statuses)) {
      if (!countedStatuses.includes(status)) throw new RangeError(`intakes in ${status} are not counted`);
      let n = 0;
      let startKey: Key | undefined;
      do {
        const page = await this.doc.send(new QueryCommand(buildCountersQuery(this.tableName, status, startKey)));
        for (const item of page.Items ?? []) {
          if (scope.tenantIds && !scope.tenantIds.includes(String(item.tenantId))) continue;
          if (scope.callCenterId && item.callCenterId !== scope.callCenterId) continue;
          n += Number(item.n ?? 0);
        }
        startKey = page.LastEvaluatedKey as Key | undefined;
      } while (startKey);
      // Intakes that entered a status before it was counted leave it all the same: never report below zero.
      counts[status] = Math.max(0, n);
    }
    return counts;
  }

  async listReleasesForCallCenter(callCenterId: string, options: PageOptions = {}): Promise<Page<Intake>> {
    const limit = pageLimit(options);
    const startKey = options.cursor ? this.keyCursor(options.cursor, 'releasePk') : undefined;
    const page = await this.collect(
      (key) => buildReleasesQuery(this.tableName, callCenterId, { limit, ...(key ? { startKey: key } : {}) }),
      limit,
      startKey,
      'releasePk',
    );
    return { items: page.items.map((i) => fromIntakeItem(i).intake), ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}) };
  }

  /**
   * One query per status, merged by creation time. The cursor keeps a position per status: null = from the start,
   * 'done' = nothing left in that status.
   */
  async listByStatus(statuses: readonly IntakeStatus[], options: ListByStatusOptions): Promise<Page<Intake>> {
    const limit = pageLimit(options);
    const newestFirst = (options.order ?? 'newest') === 'newest';
    const unique = [...new Set(statuses)];
    let positions: Record<string, Key | null | 'done'> = Object.fromEntries(unique.map((s) => [s, null]));
    if (options.cursor) {
      const decoded = decodeCursor(options.cursor, isStatusCursor);
      if (unique.some((s) => !(s in decoded)) || Object.keys(decoded).length !== unique.length) {
        throw new InvalidCursorError('the cursor was issued for other statuses');
      }
      positions = decoded;
    }
    const perStatus = await Promise.all(
      unique.map(async (status) => {
        const position = positions[status];
        if (position === 'done') return { status, items: [] as Item[], next: undefined as Key | undefined, keyAttributes: [] as string[] };
        if (position && position.statusPk !== `STATUS#${status}`) throw new InvalidCursorError('the cursor does not match its status');
        const build = (key?: Key) =>
          buildStatusQuery(this.tableName, status, {
            limit,
            newestFirst,
            ...(options.tenantId ? { tenantId: options.tenantId } : {}),
            ...(options.callCenterId ? { callCenterId: options.callCenterId } : {}),
            ...(key ? { startKey: key } : {}),
          });
        const page = await this.collect(build, limit, position ?? undefined, 'statusPk');
        return { status, items: page.items, next: page.next, keyAttributes: build().keyAttributes };
      }),
    );
    const merged = perStatus
      .flatMap((p) => p.items.map((item) => ({ status: p.status, item })))
      .sort((a, b) => {
        const order = String(a.item.statusSk).localeCompare(String(b.item.statusSk));
        return newestFirst ? -order : order;
      });
    // A status whose read stopped short (a sparse filter) may still hold items on the near side of where it stopped:
    // nothing beyond that point is shown yet, so that the pages stay in order across statuses.
    const stops = perStatus.filter((p) => p.next && p.items.length < limit).map((p) => String(p.next!.statusSk));
    const bound = stops.length ? stops.sort()[newestFirst ? stops.length - 1 : 0] : undefined;
    const eligible =
      bound === undefined ? merged : merged.filter((m) => (newestFirst ? String(m.item.statusSk) > bound : String(m.item.statusSk) < bound));
    const taken = eligible.slice(0, limit);
    const next: Record<string, Key | null | 'done'> = { ...positions };
    for (const p of perStatus) {
      const mine = taken.filter((t) => t.status === p.status);
      const last = mine.at(-1);
      // All of this status's items were shown: go on from where its read stopped (which may lie past its last item,
      // when a filter let few through); otherwise from the last one shown.
      if (mine.length === p.items.length) next[p.status] = p.next ?? 'done';
      else if (last) next[p.status] = pickKey(last.item, p.keyAttributes);
    }
    const more = Object.values(next).some((v) => v !== 'done');
    return { items: taken.map((t) => fromIntakeItem(t.item).intake), ...(more ? { nextCursor: encodeCursor(next) } : {}) };
  }

  private async read(intakeId: string): Promise<{ intake: Intake; head: AuditHead } | null> {
    const { Item: item } = await this.doc.send(new GetCommand(buildGetIntakeInput(this.tableName, intakeId)));
    return item ? fromIntakeItem(item) : null;
  }

  private keyCursor(cursor: string, partitionAttribute: string): Key {
    const key = decodeCursor(cursor, isKey);
    if (!key[partitionAttribute]) throw new InvalidCursorError('the cursor was issued for another listing');
    return key;
  }

  /**
   * Pages through one index partition until `limit` items pass the filter, reading at most MAX_QUERY_PAGES pages: a
   * filter that lets few items through (a tenant's intakes among every REJECTED one) then yields a short page and a
   * cursor, never a read of the whole partition in one call. `next` is the position after the last item returned or
   * read (undefined when the partition is exhausted); a cursor never points into another partition.
   */
  private async collect(
    build: (startKey?: Key) => IndexQuery,
    limit: number,
    startKey: Key | undefined,
    partitionAttribute: string,
  ): Promise<{ items: Item[]; next?: Key }> {
    const first = build(startKey);
    if (startKey && startKey[partitionAttribute] !== (first.input.ExpressionAttributeValues as Record<string, unknown>)[':ipk']) {
      throw new InvalidCursorError('the cursor was issued for another listing');
    }
    const items: Item[] = [];
    let query = first;
    for (let pages = 1; ; pages++) {
      const page = await this.doc.send(new QueryCommand(query.input));
      for (const item of page.Items ?? []) {
        items.push(item);
        if (items.length === limit) {
          const more = page.LastEvaluatedKey !== undefined || item !== page.Items!.at(-1);
          return { items, ...(more ? { next: pickKey(item, query.keyAttributes) } : {}) };
        }
      }
      if (!page.LastEvaluatedKey) return { items };
      if (pages >= MAX_QUERY_PAGES) return { items, next: pickKey(page.LastEvaluatedKey, query.keyAttributes) };
      query = build(page.LastEvaluatedKey as Key);
    }
  }
}

function actualOf(intake: Intake): { status: IntakeStatus; version: number } {
  return { status: intake.status, version: intake.version };
}

/** A TransactWriteItems cancelled by a failed condition or by a concurrent transaction on the same item. */
function isConditionFailure(err: unknown): boolean {
  if (err instanceof TransactionCanceledException || (err as Error)?.name === 'TransactionCanceledException') {
    const reasons = (err as TransactionCanceledException).CancellationReasons ?? [];
    return reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
  }
  return (err as Error)?.name === 'ConditionalCheckFailedException';
}

function isStatusCursor(value: unknown): value is Record<string, Key | null | 'done'> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => v === null || v === 'done' || isKey(v))
  );
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(200, 10 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
