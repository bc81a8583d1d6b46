import { createHash } from 'node:crypto';
import { canonicalJson, GENESIS_HASH, toJson, type JsonObject } from './canonical-json.js';

/**
 * The intake's audit trail (docs/architecture.md): an append-only list of events where each carries the SHA-256 of
 * the previous one, so that anyone holding the events can re-check that none was altered, removed or reordered.
 *
 * hash = SHA-256 (lower-case hex) of the canonical JSON of the event without its `hash` field: object keys sorted
 * (recursively), no insignificant whitespace, `undefined` members omitted, as JSON.stringify would write the rest.
 * The first event's prevHash is 64 zeros.
 */

export { canonicalJson, GENESIS_HASH, toJson, type JsonObject, type JsonPrimitive, type JsonValue } from './canonical-json.js';

export const auditEventTypes = [
  'intake.created',
  'upload.received',
  'processing.started',
  'processing.resumed',
  'verdict.recorded',
  'review.decided',
  'release.published',
  'release.link_issued',
  'document.link_issued',
  'intake.expired',
  'upload.ignored',
] as const;
/** Known types; other dotted names are allowed for events appended outside the lifecycle. */
export type AuditEventType = (typeof auditEventTypes)[number] | (string & {});

export interface AuditEvent {
  intakeId: string;
  /** 1..n, no gaps. */
  seq: number;
  /** ISO 8601 instant. */
  at: string;
  type: AuditEventType;
  /** Who did it, e.g. `system:pipeline`, `committente:acme/alice`, `compliance:bob`. */
  actor: string;
  data: JsonObject;
  prevHash: string;
  hash: string;
}

/** What a caller provides; the storage adds intakeId, seq, prevHash and hash when it appends. */
export interface AuditEventDraft {
  type: AuditEventType;
  actor: string;
  at: string;
  data?: Record<string, unknown>;
}

export function hashAuditEvent(event: Omit<AuditEvent, 'hash'> | AuditEvent): string {
  const { hash: _ignored, ...rest } = event as AuditEvent;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

/** The next link of a chain: `previous` is the current head (undefined for the first event). */
export function chainAuditEvent(
  intakeId: string,
  previous: { seq: number; hash: string } | undefined,
  draft: AuditEventDraft,
): AuditEvent {
  const data = toJson(draft.data ?? {});
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TypeError('audit event data must be a JSON object');
  }
  const unhashed: Omit<AuditEvent, 'hash'> = {
    intakeId,
    seq: (previous?.seq ?? 0) + 1,
    at: new Date(draft.at).toISOString(),
    type: draft.type,
    actor: draft.actor,
    data,
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  return { ...unhashed, hash: hashAuditEvent(unhashed) };
}

/**
 * The trail's head as recorded beside it (on the intake, and in the receipt at release): the last event's seq and
 * hash. Hash links catch an altered, removed or reordered event in the middle; only the head catches the last
 * events dropped, since a shortened chain is still a valid chain.
 */
export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditChainCheck {
  valid: boolean;
  /** seq position (1-based index in the list as given) of the first event that does not hold. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Re-checks a trail as returned by the API, in the order given: every hash recomputed, every prevHash equal to the
 * previous hash, seq 1..n without gaps, one intake. An empty trail is not valid (every intake has its creation event).
 * With the recorded head, the trail must reach it: the event at the head's seq carries the head's hash (events after
 * it are allowed, chained on it: one may have been appended between reading the head and reading the trail).
 */
export function verifyAuditChain(events: readonly AuditEvent[], head?: AuditHead | null): AuditChainCheck {
  const chain = verifyLinks(events);
  if (!chain.valid || !head) return chain;
  return checkHead(events, head);
}

/** The trail against its recorded head; the links are already checked. */
export function checkHead(events: readonly { seq: number; hash: string }[], head: AuditHead): AuditChainCheck {
  if (events.length < head.seq) {
    return {
      valid: false,
      brokenAt: events.length + 1,
      reason: `the trail ends at event ${events.length}, but its recorded head is event ${head.seq}: events were removed`,
    };
  }
  if (events[head.seq - 1]!.hash !== head.hash) {
    return { valid: false, brokenAt: head.seq, reason: 'the event at the recorded head does not carry the recorded hash' };
  }
  return { valid: true };
}

function verifyLinks(events: readonly AuditEvent[]): AuditChainCheck {
  if (events.length === 0) return { valid: false, brokenAt: 1, reason: 'the trail is empty' };
  const intakeId = events[0]!.intakeId;
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const position = i + 1;
    if (event.intakeId !== intakeId) {
      return { valid: false, brokenAt: position, reason: `event belongs to intake ${event.intakeId}, not ${intakeId}` };
    }
    if (event.seq !== position) {
      return { valid: false, brokenAt: position, reason: `expected seq ${position}, found ${event.seq}` };
    }
    if (event.prevHash !== prevHash) {
      return { valid: false, brokenAt: position, reason: 'prevHash does not match the hash of the previous event' };
    }
    const recomputed = hashAuditEvent(event);
    if (recomputed !== event.hash) {
      return { valid: false, brokenAt: position, reason: 'hash does not match the event content' };
    }
    prevHash = event.hash;
  }
  return { valid: true };
}
