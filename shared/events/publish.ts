import type { AuditEvent } from '../intake/audit.js';
import type { Intake, IntakeTransition } from '../intake/intake.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import { eventTypeForTransition, intakeEvent, type FilieraEventType } from './event.js';

/**
 * Announces a step after it is stored (docs/events.md). The step stands whatever happens here: a publish that
 * fails is logged, never thrown, so no transition is undone or retried because of it. Delivery is at least once: the
 * event id is `<intakeId>.<audit seq>`, the same for any re-publication of the step, so a subscriber recognises a
 * duplicate. An event lost to a failed publish is logged with that id; the audit trail holds the step under the same
 * seq, which is what anyone re-sending it reads.
 */
export async function announceTransition(deps: PipelineDeps, move: Pick<IntakeTransition, 'changes' | 'event' | 'next'>, recorded: Pick<AuditEvent, 'seq' | 'at'>): Promise<void> {
  const type = eventTypeForTransition(move);
  if (type) await announce(deps, type, move.next, recorded);
}

export async function announce(deps: PipelineDeps, type: FilieraEventType, intake: Intake, recorded: Pick<AuditEvent, 'seq' | 'at'>): Promise<void> {
  if (!deps.events) return;
  try {
    await deps.events.publish(intakeEvent(type, intake, recorded, deps.events.deployment));
  } catch (err) {
    deps.log.error('event not published (the step is stored; its trail entry names it)', {
      intakeId: intake.intakeId,
      event: type,
      eventId: `${intake.intakeId}.${recorded.seq}`,
      error: String(err),
    });
  }
}
