import * as z from 'zod';
import type { Intake, IntakeTransition } from '../intake/intake.js';

/**
 * The events Filiera publishes (docs/events.md): each transition someone waits for, as CloudEvents 1.0
 * attributes (`specversion`, `type`, `source`, `id`, `time`, `subject`) around a small `data` object. Never phone
 * numbers or document contents: the data names the intake and counts its rows, nothing more.
 */

export const filieraEventTypes = [
  'intake.released',
  'intake.rejected',
  'intake.in_review',
  'intake.evidence_requested',
  'intake.decided',
  'release.downloaded',
] as const;
export type FilieraEventType = (typeof filieraEventTypes)[number];

/** The CloudEvents `type` prefix: `filiera.intake.released`. */
export const EVENT_TYPE_PREFIX = 'filiera.';

export const EventCountsSchema = z.object({
  dataRows: z.number().int().nonnegative(),
  releasedRows: z.number().int().nonnegative(),
  excludedRows: z.number().int().nonnegative(),
});

export const EventDataSchema = z.object({
  intakeId: z.string().min(1),
  tenant: z.string().min(1),
  callCenter: z.string().min(1),
  campaign: z.string(),
  status: z.string().min(1),
  verdict: z.enum(['approved', 'review', 'rejected']).nullable(),
  /** Absent (null) before the list was read. */
  counts: EventCountsSchema.nullable(),
});
export type EventData = z.infer<typeof EventDataSchema>;

export const FilieraEventSchema = z.object({
  specversion: z.literal('1.0'),
  type: z.enum(filieraEventTypes.map((t) => `${EVENT_TYPE_PREFIX}${t}`) as [string, ...string[]]),
  /** `filiera/<deployment>` */
  source: z.string().regex(/^filiera\/[A-Za-z0-9._-]+$/),
  /** `<intakeId>.<audit seq>`: stable for a transition, so a subscriber recognises a duplicate (at-least-once). */
  id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1),
  datacontenttype: z.literal('application/json'),
  data: EventDataSchema,
});
export type FilieraEvent = z.infer<typeof FilieraEventSchema>;

/** The short name (`intake.released`) of an event's CloudEvents type. */
export function eventName(event: Pick<FilieraEvent, 'type'>): FilieraEventType {
  return event.type.slice(EVENT_TYPE_PREFIX.length) as FilieraEventType;
}

/** The deployment's name in `source`; locally `local`. */
export const DEFAULT_DEPLOYMENT = 'local';

/**
 * The event for one stored step of an intake. `seq` is the audit event that recorded the step: the id
 * `<intakeId>.<seq>` is the same however often the step is published, and points at the trail's record of it.
 */
export function intakeEvent(
  type: FilieraEventType,
  intake: Intake,
  recorded: { seq: number; at: string },
  deployment: string = DEFAULT_DEPLOYMENT,
): FilieraEvent {
  const snapshot = intake.toSnapshot();
  const list = snapshot.list;
  const counts =
    list && typeof list.dataRows === 'number'
      ? { dataRows: list.dataRows, releasedRows: list.releasedRows, excludedRows: Math.max(0, list.dataRows - list.releasedRows) }
      : null;
  return FilieraEventSchema.parse({
    specversion: '1.0',
    type: `${EVENT_TYPE_PREFIX}${type}`,
    source: `filiera/${deployment}`,
    id: `${intake.intakeId}.${recorded.seq}`,
    time: new Date(recorded.at).toISOString(),
    subject: intake.intakeId,
    datacontenttype: 'application/json',
    data: {
      intakeId: intake.intakeId,
      tenant: intake.tenantId,
      callCenter: intake.callCenterId,
      campaign: intake.campaign,
      status: intake.status,
      verdict: snapshot.verdict ?? null,
      counts,
    },
  });
}

/**
 * Which event a stored transition publishes, if any (docs/events.md). A reviewer's decision is
 * `intake.decided` whichever way it went (an approval is followed by `intake.released` once the release step ran);
 * APPROVED by the verdict publishes nothing of its own: `intake.released` follows at once.
 */
export function eventTypeForTransition(move: Pick<IntakeTransition, 'changes' | 'event'>): FilieraEventType | null {
  if (move.event.type === 'review.decided') return 'intake.decided';
  switch (move.changes.status) {
    case 'RELEASED':
      return 'intake.released';
    case 'REJECTED':
      return 'intake.rejected';
    case 'IN_REVIEW':
      return 'intake.in_review';
    case 'AWAITING_EVIDENCE':
      // refuseEvidence goes back to AWAITING_EVIDENCE too: the sample was already requested, nobody waits anew.
      return move.event.type === 'consent_sample.requested' ? 'intake.evidence_requested' : null;
    default:
      return null;
  }
}
