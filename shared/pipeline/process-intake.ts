import { IllegalTransitionError, type Intake } from '../intake/intake.js';
import { parseUploadKey, receiptKey, stagedListKey } from '../intake/object-keys.js';
import { ConcurrentModificationError } from '../ports/intake-repository.js';
import { versionOf, type VersionChoice } from '../ports/object-store.js';
import type { ExaminedAttestation } from '../attestation/index.js';
import type { Extraction } from '../ports/document-extractor.js';
import { buildReceipt, consentSampleDue, examineRequestAttestation, verifyIntake, type VerificationResult } from '../verification.js';
import { policyFor } from '../config.js';
import { finding } from '../verdict/catalogue.js';
import { fitToBudget, RECEIPT_DETAILS_BUDGET_BYTES, RECEIPT_STEPS } from '../intake/stored-bounds.js';
import { byteChannel } from './byte-channel.js';
import { MAX_ATTESTATION_BYTES, PROCESSING_LEASE_MS, type PipelineDeps } from './deps.js';
import { describeBytes } from './open-intake.js';
import { keepEvidence, releaseIntake } from './release-intake.js';
import { announceTransition } from '../events/publish.js';
import { awaitedSampleReceipt, consentSampleNonce, processConsentEvidence, rejectOverdueEvidence } from './consent-evidence.js';

const SYSTEM = 'system:pipeline';

export interface ObjectCreated {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId?: string;
}

export type ObjectCreatedOutcome =
  | 'ignored' // not an upload key of a known intake
  | 'recorded' // one file of two
  | 'duplicate' // the same object was already recorded
  | 'late' // the intake had moved on: the upload changes nothing
  | 'processed'
  | 'extracting' // an asynchronous extraction (Textract) runs: its completion message finishes the intake
  | 'busy'; // another worker holds the intake: retry later

/**
 * An object landed in the intake bucket (S3 event). Safe to run twice for the same event, and after a crash at any
 * point:
 *
 * 1. Ignore keys that are not an intake's upload key, or whose intake is unknown.
 * 2. Record the upload (conditional write). A duplicated event finds it recorded with the same ETag.
 * 3. With both files there, claim the intake (AWAITING_UPLOADS -> PROCESSING) and process it. A crashed worker's claim
 *    is resumed once its lease lapsed, at most MAX_PROCESSING_ATTEMPTS times in all: then the intake ends REJECTED
 *    with `processing_failed` (docs/architecture.md). An APPROVED intake whose release did not happen is released.
 */
export async function handleObjectCreated(deps: PipelineDeps, object: ObjectCreated): Promise<ObjectCreatedOutcome> {
  if (object.bucket !== deps.buckets.intake) return 'ignored';
  const parsed = parseUploadKey(object.key);
  if (!parsed) {
    deps.log.warn('object outside any upload key', { key: object.key });
    return 'ignored';
  }
  if (parsed.kind === 'evidence') return handleEvidenceCreated(deps, { tenantId: parsed.tenantId, intakeId: parsed.intakeId }, object);
  const kind = parsed.kind;
  for (let attempt = 0; attempt < 5; attempt++) {
    const intake = await deps.intakes.get(parsed.intakeId);
    if (!intake || intake.tenantId !== parsed.tenantId) {
      deps.log.warn('upload for an unknown intake', { key: object.key });
      return 'ignored';
    }
    try {
      switch (intake.status) {
        case 'AWAITING_UPLOADS': {
          const recorded = intake.uploads[kind];
          let current = intake;
          if (!recorded || recorded.etag !== object.etag) {
            const move = intake.recordUpload(
              kind,
              { key: object.key, size: object.size, etag: object.etag, uploadedAt: deps.now().toISOString(), ...(object.versionId ? { versionId: object.versionId } : {}) },
              { actor: `committente:${intake.tenantId}`, now: deps.now() },
            );
            await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
            current = move.next;
          }
          if (!current.hasBothUploads()) return recorded?.etag === object.etag ? 'duplicate' : 'recorded';
          return await claimAndProcess(deps, current);
        }
        case 'PROCESSING': {
          const idle = deps.now().getTime() - Date.parse(intake.toSnapshot().updatedAt);
          if (idle < (deps.processingLeaseMs ?? PROCESSING_LEASE_MS)) return 'busy';
          return await claimAndProcess(deps, intake);
        }
        case 'APPROVED':
          await releaseIntake(deps, intake.intakeId);
          return 'processed';
        default: {
          // docs/api.md: once processing started, a new upload changes nothing; the trail says it happened.
          const recorded = intake.uploads[parsed.kind];
          if (recorded?.etag !== object.etag) {
            await deps.intakes.appendEvent(intake.intakeId, {
              type: 'upload.ignored',
              actor: `committente:${intake.tenantId}`,
              at: deps.now().toISOString(),
              data: { kind: parsed.kind, etag: object.etag, size: object.size, status: intake.status },
            });
            return 'late';
          }
          return 'duplicate';
        }
      }
    } catch (err) {
      if (err instanceof ConcurrentModificationError) continue; // someone moved it: look again
      if (err instanceof IllegalTransitionError && intake.status === 'AWAITING_UPLOADS') {
        // e.g. a file that arrived after the 24 h upload window: recorded as ignored, never processed.
        await deps.intakes.appendEvent(intake.intakeId, {
          type: 'upload.ignored',
          actor: `committente:${intake.tenantId}`,
          at: deps.now().toISOString(),
          data: { kind: parsed.kind, etag: object.etag, size: object.size, reason: err.message },
        });
        return 'late';
      }
      throw err;
    }
  }
  return 'busy';
}

async function claimAndProcess(deps: PipelineDeps, intake: Intake): Promise<ObjectCreatedOutcome> {
  const ctx = { actor: SYSTEM, now: deps.now() };
  if (intake.processingExhausted) {
    // Each attempt so far was claimed and never reached a verdict (a crash, a fault, a time-out, a write refused):
    // a document's content is a finding, never a failure, so another try would fail the same way.
    const end = intake.failProcessing(finding('processing_failed', { attempts: intake.processingAttempts }), ctx);
    await announceTransition(deps, end, await deps.intakes.transition(end.intakeId, end.expected, end.changes, end.event));
    deps.log.error('processing failed for good', { intakeId: intake.intakeId, attempts: intake.processingAttempts });
    return 'processed';
  }
  const move = intake.status === 'PROCESSING' ? intake.resumeProcessing(ctx) : intake.startProcessing(ctx);
  await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
  // A resumed check of consent evidence checks the evidence again, not the documents (docs/consent-sampling.md).
  if (move.next.checkingEvidence) {
    await processConsentEvidence(deps, move.next);
    return 'processed';
  }
  const result = await processIntake(deps, move.next);
  return result === 'extracting' ? 'extracting' : 'processed';
}

/** The audit event that records an asynchronous extraction job started for an intake's attestation. */
export const EXTRACTION_STARTED = 'attestation.extraction_started';

/**
 * Runs the engine over an intake this worker has claimed (PROCESSING) and records the verdict.
 *
 * 1. Read the attestation (small) with the runtime's extractors. A multi-page scan sent to Textract comes back
 *    'pending': the job is recorded on the trail and the intake stays PROCESSING until the completion message
 *    (completeExtraction) runs this again with the job's result.
 * 2. Stream the list from storage, writing the cleaned list to a staging key as it is produced.
 * 3. Write the receipt, then record the verdict (PROCESSING -> APPROVED | IN_REVIEW | REJECTED), one conditional write.
 * 4. Approved: release at once.
 */
export async function processIntake(
  deps: PipelineDeps,
  intake: Intake,
  options: { extracted?: Extraction } = {},
): Promise<VerificationResult | 'extracting'> {
  const { config, trustAnchorPems, crlDers, trustedLists } = await deps.config();
  const tenant = config.tenants.find((t) => t.id === intake.tenantId);
  if (!tenant) throw new Error(`intake ${intake.intakeId}: tenant ${intake.tenantId} is not configured`);
  const policy = policyFor(config, tenant.id);
  const uploads = intake.uploads;
  const bucket = deps.buckets.intake;
  const listKey = uploads.list!.key;
  const stagedKey = stagedListKey(intake.tenantId, intake.intakeId);

  // Both files are read at the version recorded when they arrived: a later write at the same key is another file.
  const listVersion = versionOf(uploads.list);
  const attestationKey = uploads.attestation!.key;
  const attestationVersion = versionOf(uploads.attestation);
  const stored = await readAttestation(deps, attestationKey, attestationVersion);
  const attestation = stored ?? new Uint8Array(0);
  const tenantRef = { id: tenant.id, vat: tenant.vat, signatories: tenant.signatories };
  // A finished job's result stands in for the scan reader; otherwise the runtime's extractors read the document.
  const completed = options.extracted;
  const scans = completed ? { source: 'textract' as const, extract: async () => completed } : deps.extractors?.scans;
  // docs/configuration.md, revocation.fetch: the certificates' responders and distribution points, where the runtime wired them.
  if (config.revocation.fetch && !deps.revocation) deps.log.warn('revocation.fetch is true but this runtime fetches nothing: revocation data comes from configuration and signatures');
  const examined: ExaminedAttestation = await examineRequestAttestation({
    attestation,
    trustAnchors: trustAnchorPems,
    ...(crlDers?.length ? { crls: crlDers } : {}),
    ...(trustedLists?.length ? { trustedLists } : {}),
    ...(config.revocation.fetch && deps.revocation ? { revocationLookup: deps.revocation } : {}),
    tenant: tenantRef,
    now: deps.now(),
    reading: {
      extractors: { ...deps.extractors, ...(scans ? { scans } : {}) },
      stored: { bucket, key: attestationKey, ...attestationVersion },
      reference: intake.intakeId,
    },
  });
  if (stored === null) {
    // Over the limit the file is not read at all: the finding names the limit, not an "empty" file (docs/verdict-rules.md).
    const limit = describeBytes(MAX_ATTESTATION_BYTES);
    examined.document.readError = `the file is over the ${limit} limit for an attestation and was not read`;
    examined.document.readErrorIt = `il file supera il limite di ${limit} per una dichiarazione e non è stato letto`;
  }
  if (examined.document.pendingJob) {
    await recordExtractionStarted(deps, intake, examined.document.pendingJob);
    return 'extracting';
  }

  // docs/consent-sampling.md: the nonce is on the trail before the list's pass draws the sample from it.
  const nonce = consentSampleDue(policy, examined.document.fields) ? await consentSampleNonce(deps, intake) : null;

  const channel = byteChannel();
  const upload = deps.objects.putObject(bucket, stagedKey, channel.readable, { contentType: 'text/csv; charset=utf-8' });
  let result: VerificationResult;
  try {
    result = await verifyIntake({
      intakeId: intake.intakeId,
      tenant: tenantRef,
      callCenterId: intake.callCenterId,
      policy,
      trustAnchors: trustAnchorPems,
      // docs/verdict-rules.md: an object over the size limit is rejected; the engine stops reading at the limit.
      list: () => deps.objects.getStream(bucket, listKey, listVersion),
      listBytes: uploads.list!.size,
      attestation,
      examined,
      now: deps.now(),
      output: (chunk) => channel.push(chunk),
      ...(nonce !== null ? { consentSample: { nonce } } : {}),
    });
    channel.end();
  } catch (err) {
    channel.fail(err);
    await upload.catch(() => undefined);
    throw err;
  }
  await upload;

  // docs/limits-and-retention.md: the intake's item keeps bounded copies of these texts; the receipt keeps them whole (up to
  // a budget the release step can still read).
  const receipt = {
    ...buildReceipt(result, { tenant: tenant.id, callCenter: intake.callCenterId }),
    details: receiptDetails(result),
  };
  const rKey = receiptKey(intake.tenantId, intake.intakeId);
  const drawn = result.consentSample;
  if (nonce !== null && drawn && result.verdict !== 'rejected') {
    // docs/consent-sampling.md: approvable or in review, a consent-based list waits for its sample's evidence.
    const documentsVerdict = result.verdict;
    const move = intake.awaitEvidence(
      {
        documentsVerdict,
        findings: result.findings,
        list: result.list,
        attestation: recordedAttestation(result),
        receiptKey: rKey,
        sample: { seed: drawn.seed, nonce, size: drawn.size, rows: drawn.rows },
        hours: policy.consentEvidenceHours,
      },
      { actor: SYSTEM, now: deps.now() },
    );
    const awaited = { ...receipt, consentSample: awaitedSampleReceipt(move.next.consentSample!, drawn.rows) };
    await deps.objects.putObject(bucket, rKey, new TextEncoder().encode(`${JSON.stringify(awaited, null, 2)}\n`), { contentType: 'application/json' });
    await announceTransition(deps, move, await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event));
    deps.log.info('consent evidence awaited', { intakeId: intake.intakeId, sampledRows: drawn.rows.length });
    return result;
  }
  const receiptBytes = new TextEncoder().encode(`${JSON.stringify(receipt, null, 2)}\n`);
  await deps.objects.putObject(bucket, rKey, receiptBytes, { contentType: 'application/json' });
  // docs/limits-and-retention.md: a rejected list and one sent to a person are evidence too, kept for the evidence
  // retention before the verdict is recorded (an approved one is kept by its release, with the receipt released).
  if (result.verdict !== 'approved') await keepEvidence(deps, intake, receiptBytes);
  const move = intake.recordVerdict(
    {
      verdict: result.verdict,
      findings: result.findings,
      list: result.list,
      attestation: recordedAttestation(result),
      receiptKey: rKey,
    },
    { actor: SYSTEM, now: deps.now() },
  );
  await announceTransition(deps, move, await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event));
  deps.log.info('verdict recorded', { intakeId: intake.intakeId, verdict: result.verdict });
  if (result.verdict === 'approved') await releaseIntake(deps, intake.intakeId);
  return result;
}

/** What the intake's item records of the attestation (bounded there; whole in the receipt). */
function recordedAttestation(result: VerificationResult): Record<string, unknown> {
  return {
    format: result.attestation.format,
    sha256: result.attestation.sha256,
    fields: result.attestation.fields,
    signature: result.attestation.signature,
    ...(result.released ? { released: result.released } : {}),
  };
}

/**
 * The consent sample's evidence landed at its key (docs/consent-sampling.md). Safe to run twice for the same event:
 *
 * 1. AWAITING_EVIDENCE: past the deadline, the intake is rejected (consent_evidence_overdue); the same file already
 *    refused as unreadable changes nothing; otherwise the upload is recorded and claimed (-> PROCESSING) and checked.
 * 2. PROCESSING this evidence: a crashed check is resumed once its lease lapsed, as any processing.
 * 3. Any other status: the upload changes nothing; the trail says it happened.
 */
async function handleEvidenceCreated(
  deps: PipelineDeps,
  parsed: { tenantId: string; intakeId: string },
  object: ObjectCreated,
): Promise<ObjectCreatedOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const intake = await deps.intakes.get(parsed.intakeId);
    if (!intake || intake.tenantId !== parsed.tenantId) {
      deps.log.warn('evidence for an unknown intake', { key: object.key });
      return 'ignored';
    }
    const recorded = intake.uploads.evidence;
    try {
      if (intake.status === 'AWAITING_EVIDENCE') {
        const sample = intake.consentSample!;
        if (await rejectOverdueEvidence(deps, intake, SYSTEM)) return 'processed';
        if (sample.refused?.etag === object.etag) return 'duplicate';
        const move = intake.receiveEvidence(
          { key: object.key, size: object.size, etag: object.etag, uploadedAt: deps.now().toISOString(), ...(object.versionId ? { versionId: object.versionId } : {}) },
          { actor: `committente:${intake.tenantId}`, now: deps.now() },
        );
        await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
        await processConsentEvidence(deps, move.next);
        return 'processed';
      }
      if (intake.status === 'PROCESSING' && intake.checkingEvidence && recorded?.etag === object.etag) {
        const idle = deps.now().getTime() - Date.parse(intake.toSnapshot().updatedAt);
        if (idle < (deps.processingLeaseMs ?? PROCESSING_LEASE_MS)) return 'busy';
        return await claimAndProcess(deps, intake);
      }
      if (recorded?.etag === object.etag) return 'duplicate';
      await deps.intakes.appendEvent(intake.intakeId, {
        type: 'upload.ignored',
        actor: `committente:${intake.tenantId}`,
        at: deps.now().toISOString(),
        data: { kind: 'evidence', etag: object.etag, size: object.size, status: intake.status },
      });
      return 'late';
    } catch (err) {
      if (err instanceof ConcurrentModificationError) continue;
      throw err;
    }
  }
  return 'busy';
}

/**
 * Once per job: a worker that resumes the intake while the job runs gets the same job back (idempotent start). The
 * first time, the attempt that started it did not fail: the intake's attempt count starts again (awaitExtraction), so
 * that the completion message is not taken for a retry; resumes while the same job runs still count.
 */
async function recordExtractionStarted(deps: PipelineDeps, intake: Intake, jobId: string): Promise<void> {
  const trail = await deps.intakes.auditTrail(intake.intakeId);
  if (trail.some((e) => e.type === EXTRACTION_STARTED && e.data.jobId === jobId)) return;
  const key = intake.uploads.attestation?.key;
  const move = intake.awaitExtraction({ jobId, ...(key ? { key } : {}) }, { actor: SYSTEM, now: deps.now() });
  await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
  deps.log.info('attestation extraction started', { intakeId: intake.intakeId, jobId });
}

async function readAttestation(deps: PipelineDeps, key: string, version: VersionChoice): Promise<Uint8Array | null> {
  try {
    return await deps.objects.getBytes(deps.buckets.intake, key, MAX_ATTESTATION_BYTES, version);
  } catch (err) {
    if ((err as { code?: string }).code === 'object_too_large') return null;
    throw err;
  }
}

/** The texts the intake's item holds only in part: the list's header and the attestation as read and verified. */
function receiptDetails(result: VerificationResult) {
  const details = {
    header: result.list.header,
    attestationFields: result.attestation.fields,
    signature: result.attestation.signature,
  };
  return fitToBudget(details, RECEIPT_DETAILS_BUDGET_BYTES, RECEIPT_STEPS, (d) => ({ ...d, header: [] }));
}
