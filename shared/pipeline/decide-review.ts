import type { Principal } from '../auth/principal.js';
import { actorOf, canSeeIntake } from '../auth/principal.js';
import type { Intake } from '../intake/intake.js';
import type { PipelineDeps } from './deps.js';
import { forbidden, notFound, conflict } from '../errors.js';
import { releaseIntake } from './release-intake.js';
import { announceTransition } from '../events/publish.js';

/**
 * A compliance officer decides an intake in review, with a written justification. An approval releases the list at
 * once; either way the decision is in the audit trail before this returns.
 */
export async function decideReview(
  deps: PipelineDeps,
  principal: Principal,
  intakeId: string,
  request: { decision: 'approve' | 'reject'; justification: string },
): Promise<Intake> {
  if (principal.role !== 'compliance') throw forbidden('only compliance staff decide reviews');
  const intake = await deps.intakes.get(intakeId);
  if (!intake || !canSeeIntake(principal, intake)) throw notFound('no such intake');
  if (intake.status !== 'IN_REVIEW') throw conflict(`the intake is ${intake.status}, not IN_REVIEW`);
  const move = intake.decideReview(
    { decision: request.decision, justification: request.justification, reviewer: principal.sub },
    { now: deps.now(), actor: actorOf(principal) },
  );
  const recorded = await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
  await announceTransition(deps, move, recorded);
  if (request.decision === 'approve') await releaseIntake(deps, intakeId);
  return (await deps.intakes.get(intakeId)) ?? move.next;
}
