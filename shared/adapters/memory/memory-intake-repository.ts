import { type AuditEvent, type AuditEventDraft, type AuditHead, chainAuditEvent } from '../../intake/audit.js';
import { Intake, type IntakeChanges, type IntakeSnapshot, type IntakeStatus } from '../../intake/intake.js';
import { maskListReport } from '../../intake/retention.js';
import { itemBytes } from '../../intake/stored-bounds.js';
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

interface Row {
  snapshot: IntakeSnapshot;
  events: AuditEvent[];
  /** As the DynamoDB item's auditSeq and auditHead: moved with each append, kept apart from the events. */
  head: AuditHead;
}

/**
 * The IntakeRepository in memory, for unit tests of the use cases: the same conditional transitions, the same
 * hash chain, the same orderings as the DynamoDB adapter. Everything is cloned in and out, as a store would.
 */
export class MemoryIntakeRepository implements IntakeRepository {
  private readonly rows = new Map<string, Row>();

  async create(intake: Intake, firstEvent: AuditEventDraft): Promise<AuditEvent> {
    const snapshot = maskedSnapshot(intake.toSnapshot());
    if (this.rows.has(snapshot.intakeId)) throw new IntakeAlreadyExistsError(snapshot.intakeId);
    const event = chainAuditEvent(snapshot.intakeId, undefined, firstEvent);
    fitsItem(snapshot, event);
    this.rows.set(snapshot.intakeId, { snapshot, events: [event], head: headOf(event) });
    return structuredClone(event);
  }

  async get(intakeId: string): Promise<Intake | null> {
    const row = this.rows.get(intakeId);
    return row ? Intake.fromSnapshot(structuredClone(row.snapshot)) : null;
  }

  async transition(
    intakeId: string,
    expected: { from: IntakeStatus; version: number },
    changes: IntakeChanges,
    draft: AuditEventDraft,
  ): Promise<AuditEvent> {
    const row = this.rows.get(intakeId);
    if (!row) throw new IntakeNotFoundError(intakeId);
    const { status, version } = row.snapshot;
    if (status !== expected.from || version !== expected.version) {
      throw new ConcurrentModificationError(intakeId, expected, { status, version });
    }
    const defined = Object.fromEntries(Object.entries(structuredClone(changes)).filter(([, v]) => v !== undefined));
    // Validate before committing anything, as the conditional write would refuse a malformed item.
    const next = maskedSnapshot(Intake.fromSnapshot({ ...structuredClone(row.snapshot), ...defined, version: version + 1 }).toSnapshot());
    const event = chainAuditEvent(intakeId, row.head, draft);
    fitsItem(next, event);
    row.snapshot = next;
    row.events.push(event);
    row.head = headOf(event);
    return structuredClone(event);
  }

  async appendEvent(intakeId: string, builder: AuditEventDraft | ((current: Intake) => AuditEventDraft)): Promise<AuditEvent> {
    const row = this.rows.get(intakeId);
    if (!row) throw new IntakeNotFoundError(intakeId);
    const draft = typeof builder === 'function' ? builder(Intake.fromSnapshot(structuredClone(row.snapshot))) : builder;
    const event = chainAuditEvent(intakeId, row.head, draft);
    fitsItem(null, event);
    row.events.push(event);
    row.head = headOf(event);
    return structuredClone(event);
  }

  async auditTrail(intakeId: string): Promise<AuditEvent[]> {
    return structuredClone(this.rows.get(intakeId)?.events ?? []);
  }

  async auditHead(intakeId: string): Promise<AuditHead | null> {
    const row = this.rows.get(intakeId);
    return row ? { ...row.head } : null;
  }

  async listForTenant(tenantId: string, options: ListForTenantOptions): Promise<Page<Intake>> {
    return this.page(
      (s) => s.tenantId === tenantId && (!options.status || s.status === options.status),
      (s) => `${s.createdAt}#${s.intakeId}`,
      true,
      options,
    );
  }

  async listByStatus(statuses: readonly IntakeStatus[], options: ListByStatusOptions): Promise<Page<Intake>> {
    return this.page(
      (s) =>
        statuses.includes(s.status) &&
        (!options.tenantId || s.tenantId === options.tenantId) &&
        (!options.callCenterId || s.callCenterId === options.callCenterId),
      (s) => `${s.createdAt}#${s.intakeId}`,
      (options.order ?? 'newest') === 'newest',
      options,
    );
  }

  async countByStatus(statuses: readonly IntakeStatus[], scope: CountScope): Promise<Record<string, number>> {
    const counts: Record<string, number> = Object.fromEntries(statuses.map((s) => [s, 0]));
    for (const { snapshot: s } of this.rows.values()) {
      if (!(s.status in counts)) continue;
      if (scope.tenantIds && !scope.tenantIds.includes(s.tenantId)) continue;
      if (scope.callCenterId && s.callCenterId !== scope.callCenterId) continue;
      counts[s.status]! += 1;
    }
    return counts;
  }

  async listReleasesForCallCenter(callCenterId: string, options: PageOptions = {}): Promise<Page<Intake>> {
    return this.page(
      (s) => s.callCenterId === callCenterId && s.status === 'RELEASED' && s.release !== undefined,
      (s) => `${s.release!.releasedAt}#${s.intakeId}`,
      true,
      options,
    );
  }

  /** Test helper: rewrites a stored trail behind the repository's back (as someone with write access could). */
  tamperTrail(intakeId: string, change: (events: AuditEvent[]) => AuditEvent[]): void {
    const row = this.rows.get(intakeId);
    if (!row) throw new IntakeNotFoundError(intakeId);
    row.events = change(row.events);
  }

  /** Test helper: every stored intake id. */
  ids(): string[] {
    return [...this.rows.keys()];
  }

  private page(
    match: (s: IntakeSnapshot) => boolean,
    sortKey: (s: IntakeSnapshot) => string,
    newestFirst: boolean,
    options: PageOptions,
  ): Page<Intake> {
    const limit = pageLimit(options);
    let after: string | undefined;
    if (options.cursor) {
      try {
        after = JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')).after;
      } catch {
        throw new InvalidCursorError('the cursor is not one this API issued');
      }
      if (typeof after !== 'string') throw new InvalidCursorError('the cursor is not one this API issued');
    }
    const sorted = [...this.rows.values()]
      .map((r) => r.snapshot)
      .filter(match)
      .map((s) => ({ s, k: sortKey(s) }))
      .sort((a, b) => (newestFirst ? b.k.localeCompare(a.k) : a.k.localeCompare(b.k)))
      .filter(({ k }) => after === undefined || (newestFirst ? k < after : k > after));
    const items = sorted.slice(0, limit);
    const more = sorted.length > limit;
    return {
      items: items.map(({ s }) => Intake.fromSnapshot(structuredClone(s))),
      ...(more ? { nextCursor: Buffer.from(JSON.stringify({ after: items.at(-1)!.k })).toString('base64url') } : {}),
    };
  }
}

/** As the DynamoDB adapter stores it: excluded-row samples masked (shared/intake/retention.ts). */
function maskedSnapshot(snapshot: IntakeSnapshot): IntakeSnapshot {
  return snapshot.list ? { ...snapshot, list: maskListReport(snapshot.list) } : snapshot;
}

/** DynamoDB's item size limit, less room for the item's keys and index attributes. */
const ITEM_LIMIT_BYTES = 400 * 1024 - 2048;

/**
 * DynamoDB refuses an item over 400 KB (a ValidationException, on every retry): this double refuses it too, so that
 * a field stored unbounded fails in unit tests as it would in AWS (docs/limits-and-retention.md).
 */
function fitsItem(snapshot: IntakeSnapshot | null, event: AuditEvent): void {
  for (const [what, value] of [['intake', snapshot], ['audit event', event]] as const) {
    if (value === null) continue;
    const bytes = itemBytes(value);
    if (bytes > ITEM_LIMIT_BYTES) {
      throw new Error(`Item size has exceeded the maximum allowed size: the ${what} takes ${bytes} bytes, as DynamoDB counts them`);
    }
  }
}

function headOf(event: AuditEvent): AuditHead {
  return { seq: event.seq, hash: event.hash };
}
