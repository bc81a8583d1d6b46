import type { AuditEvent, AuditEventDraft, AuditHead } from '../intake/audit.js';
import type { Intake, IntakeChanges, IntakeStatus } from '../intake/intake.js';

/**
 * Where intakes and their audit trails live. Every status change is one conditional write: the intake moves only if
 * it is still in the expected status at the expected version, and its audit event is appended in the same write,
 * chained to the previous one. Implementations: DynamoDB (shared/adapters/dynamodb) and memory (shared/adapters/memory).
 */
export interface IntakeRepository {
  /** Stores a new intake (version 0) with the first event of its trail. Fails if the id is taken. */
  create(intake: Intake, firstEvent: AuditEventDraft): Promise<AuditEvent>;
  get(intakeId: string): Promise<Intake | null>;
  /** A tenant's intakes, newest first. */
  listForTenant(tenantId: string, options: ListForTenantOptions): Promise<Page<Intake>>;
  /** Intakes in any of these statuses (the compliance queue), newest first unless `order: 'oldest'`. */
  listByStatus(statuses: readonly IntakeStatus[], options: ListByStatusOptions): Promise<Page<Intake>>;
  /**
   * Applies `changes` (status included), sets version = expected.version + 1 and appends `event`, all or nothing.
   * Throws ConcurrentModificationError when the intake is no longer at `expected`, IntakeNotFoundError when absent.
   */
  transition(
    intakeId: string,
    expected: { from: IntakeStatus; version: number },
    changes: IntakeChanges,
    event: AuditEventDraft,
  ): Promise<AuditEvent>;
  /**
   * Appends an event that changes no status (e.g. `release.link_issued`). The builder sees the current intake; the
   * append is conditional on the trail's head and retried on a race with another writer.
   */
  appendEvent(intakeId: string, event: AuditEventDraft | ((current: Intake) => AuditEventDraft)): Promise<AuditEvent>;
  /** The whole trail, seq ascending. Empty when the intake does not exist. */
  auditTrail(intakeId: string): Promise<AuditEvent[]>;
  /**
   * The trail's head as recorded on the intake (moved in the same write as each event): what a re-check of the trail
   * compares its last event with, so that dropped final events show. Null when the intake does not exist.
   */
  auditHead(intakeId: string): Promise<AuditHead | null>;
  /**
   * How many intakes are in each of these statuses (IN_REVIEW and REJECTED: the queue's), within a scope: `tenantIds`
   * limits to those tenants (absent: all), `callCenterId` to one call center. Kept as the intakes move, never by
   * reading the intakes themselves.
   */
  countByStatus(statuses: readonly IntakeStatus[], scope: CountScope): Promise<Record<string, number>>;
  /** RELEASED intakes addressed to this call center, newest release first. */
  listReleasesForCallCenter(callCenterId: string, options?: PageOptions): Promise<Page<Intake>>;
}

export interface PageOptions {
  /** 1..100; default 25. */
  limit?: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
}

export interface ListForTenantOptions extends PageOptions {
  status?: IntakeStatus;
}

export interface ListByStatusOptions extends PageOptions {
  tenantId?: string;
  callCenterId?: string;
  order?: 'newest' | 'oldest';
}

export interface CountScope {
  tenantIds?: readonly string[];
  callCenterId?: string;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  nextCursor?: string;
}

export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 100;

export function pageLimit(options?: PageOptions): number {
  const limit = options?.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/** Someone else moved the intake first: re-read it and decide again (often: nothing left to do). */
export class ConcurrentModificationError extends Error {
  override name = 'ConcurrentModificationError';
  readonly code = 'concurrent_modification';
  constructor(
    readonly intakeId: string,
    readonly expected: { from: IntakeStatus; version: number },
    readonly actual?: { status: IntakeStatus; version: number },
  ) {
    super(
      `intake ${intakeId} is no longer ${expected.from} at version ${expected.version}` +
        (actual ? ` (now ${actual.status} at version ${actual.version})` : ''),
    );
  }
}

export class IntakeNotFoundError extends Error {
  override name = 'IntakeNotFoundError';
  readonly code = 'intake_not_found';
  constructor(readonly intakeId: string) {
    super(`intake ${intakeId} does not exist`);
  }
}

export class IntakeAlreadyExistsError extends Error {
  override name = 'IntakeAlreadyExistsError';
  readonly code = 'intake_exists';
  constructor(readonly intakeId: string) {
    super(`intake ${intakeId} already exists`);
  }
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
  readonly code = 'invalid_cursor';
}
