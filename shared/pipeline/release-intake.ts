import type { AttestationFields } from '../attestation/model.js';
import type { AuditHead } from '../intake/audit.js';
import { evidenceKeys } from '../intake/evidence-keys.js';
import type { Intake } from '../intake/intake.js';
import { releaseKeys, stagedListKey } from '../intake/object-keys.js';
import { versionOf } from '../ports/object-store.js';
import { ConcurrentModificationError } from '../ports/intake-repository.js';
import { policyFor } from '../config.js';
import { addDays, romeDate, romeStartOfDay } from '../verdict/dates.js';
import type { Receipt } from '../verification.js';
import { MAX_ATTESTATION_BYTES, type PipelineDeps } from './deps.js';
import { writeReleaseIndex } from './index-release.js';
import { announceTransition } from '../events/publish.js';

export type ReleaseOutcome = 'released' | 'already_released' | 'not_approved';

/**
 * The receipt as released: it also anchors the audit trail's head at release (docs/architecture.md, docs/limits-and-retention.md), so that
 * a trail later cut short of it shows, even to someone who trusts neither the table nor the server.
 */
export type ReleasedReceipt = Receipt & { auditHead?: AuditHead };

/**
 * Publishes an approved intake's cleaned list and receipt to its call center. Idempotent: the keys depend on the
 * intake only, so a retry after a crash rewrites the same bytes, and the single conditional APPROVED -> RELEASED
 * write is what publishes. Nothing is released unless the stored verdict or a reviewer approved (the entity refuses).
 *
 * 1. Copy the staged cleaned list to the release bucket.
 * 2. Write the receipt beside it (with the reviewer's decision, if a person decided, and the audit trail's head).
 * 3. Keep the evidence: the signed attestation as uploaded (the version recorded when it arrived) and the receipt go
 *    to the evidence bucket, which keeps them for the evidence retention (docs/limits-and-retention.md), with the trace
 *    index of the released numbers' keyed hashes (section 11; shared/pipeline/index-release.ts).
 * 4. Move the intake to RELEASED with the release's expiry: the day the attested RPO check turns too old.
 */
export async function releaseIntake(deps: PipelineDeps, intakeId: string): Promise<ReleaseOutcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const intake = await deps.intakes.get(intakeId);
    if (!intake) throw new Error(`release: intake ${intakeId} does not exist`);
    if (intake.status === 'RELEASED') return 'already_released';
    if (intake.status !== 'APPROVED') return 'not_approved';

    const snapshot = intake.toSnapshot();
    const target = releaseKeys(intake.callCenterId, intake.intakeId);
    await deps.objects.copyObject(
      { bucket: deps.buckets.intake, key: stagedListKey(intake.tenantId, intake.intakeId) },
      { bucket: deps.buckets.release, key: target.key },
      { contentType: 'text/csv; charset=utf-8' },
    );
    const receiptBytes = await deps.objects.getBytes(deps.buckets.intake, snapshot.receiptKey!, 10 * 1024 * 1024);
    const receipt = JSON.parse(new TextDecoder().decode(receiptBytes)) as ReleasedReceipt;
    if (snapshot.review) {
      receipt.review = snapshot.review;
      receipt.verdict = 'approved';
    }
    const head = await deps.intakes.auditHead(intakeId);
    if (head) receipt.auditHead = head;
    const receiptText = new TextEncoder().encode(`${JSON.stringify(receipt, null, 2)}\n`);
    await deps.objects.putObject(deps.buckets.release, target.receiptKey, receiptText, { contentType: 'application/json' });
    await keepEvidence(deps, intake, receiptText);
    const releasedAt = deps.now();
    await writeReleaseIndex(deps, intake, releasedAt);

    const { config } = await deps.config();
    const policy = policyFor(config, intake.tenantId);
    const fields = (snapshot.attestation?.fields ?? {}) as AttestationFields;
    // DPR 26/2022: the list may be dialled while the RPO check is valid; a person's approval without a readable date
    // counts from the decision.
    const rpoDate = fields.rpoCheckDate?.value ?? romeDate(new Date(snapshot.review?.decidedAt ?? deps.now()));
    const expiresAt = romeStartOfDay(addDays(rpoDate, policy.rpoMaxAgeDays + 1)).toISOString();

    const move = intake.release({ key: target.key, receiptKey: target.receiptKey, expiresAt }, { actor: 'system:release', now: releasedAt });
    try {
      const recorded = await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
      deps.log.info('released', { intakeId, callCenter: intake.callCenterId });
      // docs/events.md: announced once stored; a failed publish is logged and leaves the release standing.
      await announceTransition(deps, move, recorded);
      return 'released';
    } catch (err) {
      if (err instanceof ConcurrentModificationError) continue;
      throw err;
    }
  }
  throw new Error(`release: intake ${intakeId} kept changing under three attempts; the sweep will retry it`);
}

/**
 * Writes the intake's evidence to the evidence bucket before the release is published: the signed attestation as
 * uploaded (read at its recorded version: a later write at the upload key is another file) and the receipt as
 * released. A retry writes them again; under Object Lock that adds versions and removes none.
 */
export async function keepEvidence(deps: PipelineDeps, intake: Intake, receipt: Uint8Array): Promise<void> {
  const keys = evidenceKeys(intake.tenantId, intake.intakeId);
  const attestation = intake.uploads.attestation;
  if (attestation) {
    try {
      const bytes = await deps.objects.getBytes(deps.buckets.intake, attestation.key, MAX_ATTESTATION_BYTES, versionOf(attestation));
      await deps.objects.putObject(deps.buckets.evidence, keys.attestation, bytes, { contentType: 'application/octet-stream' });
    } catch (err) {
      // A file over the attestation limit was never read, nor is it kept: the receipt's finding says why.
      if ((err as { code?: string }).code !== 'object_too_large') throw err;
      deps.log.warn('attestation over the limit: not kept as evidence', { intakeId: intake.intakeId });
    }
  }
  await deps.objects.putObject(deps.buckets.evidence, keys.receipt, receipt, { contentType: 'application/json' });
}
