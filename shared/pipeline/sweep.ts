import type { Intake, IntakeStatus } from '../intake/intake.js';
import { ConcurrentModificationError } from '../ports/intake-repository.js';
import { versionOf } from '../ports/object-store.js';
import type { PipelineDeps } from './deps.js';
import { handleObjectCreated } from './process-intake.js';
import { releaseIntake } from './release-intake.js';
import { rejectOverdueEvidence } from './consent-evidence.js';

export interface SweepReport {
  expired: string[];
  released: string[];
  resumed: string[];
  /** AWAITING_EVIDENCE past consentEvidenceHours: rejected with consent_evidence_overdue (docs/consent-sampling.md). */
  overdue?: string[];
  failed: { intakeId: string; error: string }[];
}

/**
 * The periodic sweep (a schedule in AWS, a timer and start-up locally):
 *
 * 1. AWAITING_UPLOADS: uploads whose event was lost are recorded from storage; past the 24 h deadline without both
 *    files -> EXPIRED (docs/architecture.md).
 * 2. APPROVED intakes whose release did not happen (a crash between verdict and release) are released.
 * 3. PROCESSING intakes abandoned by a crashed worker (lease lapsed) are processed again, or, after their last
 *    attempt, closed with `processing_failed` (docs/architecture.md).
 * 4. AWAITING_EVIDENCE: an evidence upload whose event was lost is checked from storage; past consentEvidenceHours
 *    from the request without evidence -> REJECTED with `consent_evidence_overdue` (docs/consent-sampling.md).
 * Every intake in these statuses is reached, page after page (`limit` is the page size): the oldest ones, should they
 * keep failing, never hide the newer ones. One intake's failure never stops the others.
 */
export async function sweep(deps: PipelineDeps, options: { limit?: number } = {}): Promise<SweepReport> {
  const report: SweepReport = { expired: [], released: [], resumed: [], failed: [] };
  const limit = options.limit ?? 100;
  const now = deps.now();

  for await (const intake of everyIntake(deps, 'AWAITING_UPLOADS', limit)) {
    // An upload whose event was lost (a crash before it was handled, a message in the dead-letter queue) is
    // picked up from storage itself.
    for (const kind of ['list', 'attestation'] as const) {
      if (intake.uploads[kind]) continue;
      try {
        const head = await deps.objects.head(deps.buckets.intake, intake.uploadKey(kind));
        if (!head) continue;
        const outcome = await handleObjectCreated(deps, {
          bucket: deps.buckets.intake,
          key: intake.uploadKey(kind),
          size: head.size,
          etag: head.etag,
          ...versionOf(head),
        });
        if (outcome === 'processed') report.resumed.push(intake.intakeId);
      } catch (err) {
        report.failed.push({ intakeId: intake.intakeId, error: String(err) });
      }
    }
    const current = await deps.intakes.get(intake.intakeId);
    if (!current || current.status !== 'AWAITING_UPLOADS') continue;
    if (Date.parse(current.uploadDeadline) > now.getTime() || current.hasBothUploads()) continue;
    try {
      const move = current.expire({ actor: 'system:sweep', now });
      await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
      report.expired.push(intake.intakeId);
    } catch (err) {
      if (!(err instanceof ConcurrentModificationError)) report.failed.push({ intakeId: intake.intakeId, error: String(err) });
    }
  }

  for await (const intake of everyIntake(deps, 'APPROVED', limit)) {
    try {
      if ((await releaseIntake(deps, intake.intakeId)) === 'released') report.released.push(intake.intakeId);
    } catch (err) {
      report.failed.push({ intakeId: intake.intakeId, error: String(err) });
    }
  }

  for await (const intake of everyIntake(deps, 'PROCESSING', limit)) {
    const list = intake.uploads.list;
    if (!list) continue;
    try {
      const outcome = await handleObjectCreated(deps, { bucket: deps.buckets.intake, key: list.key, size: list.size, etag: list.etag, ...versionOf(list) });
      if (outcome === 'processed') report.resumed.push(intake.intakeId);
    } catch (err) {
      report.failed.push({ intakeId: intake.intakeId, error: String(err) });
    }
  }
  for await (const intake of everyIntake(deps, 'AWAITING_EVIDENCE', limit)) {
    try {
      const key = intake.evidenceKey();
      const head = await deps.objects.head(deps.buckets.intake, key);
      const refused = intake.consentSample?.refused?.etag;
      if (head && head.etag !== refused) {
        const outcome = await handleObjectCreated(deps, { bucket: deps.buckets.intake, key, size: head.size, etag: head.etag, ...versionOf(head) });
        if (outcome === 'processed') report.resumed.push(intake.intakeId);
      }
      const current = await deps.intakes.get(intake.intakeId);
      if (current && (await rejectOverdueEvidence(deps, current))) (report.overdue ??= []).push(intake.intakeId);
    } catch (err) {
      if (!(err instanceof ConcurrentModificationError)) report.failed.push({ intakeId: intake.intakeId, error: String(err) });
    }
  }
  if (report.failed.length) deps.log.error('sweep failures', { failed: report.failed });
  return report;
}

/**
 * Every intake in a status, oldest first, one page at a time. The cursor is a position in the status's order, so
 * intakes that leave the status while the sweep works on them (most do) neither stop nor repeat the walk.
 */
async function* everyIntake(deps: PipelineDeps, status: IntakeStatus, pageSize: number): AsyncGenerator<Intake> {
  let cursor: string | undefined;
  do {
    const page = await deps.intakes.listByStatus([status], { order: 'oldest', limit: pageSize, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}
