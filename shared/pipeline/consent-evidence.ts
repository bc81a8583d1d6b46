import { createHash } from 'node:crypto';
import type { AttestationFields } from '../attestation/model.js';
import { actorOf, canSeeIntake, type Principal } from '../auth/principal.js';
import {
  CONSENT_SAMPLE_DRAWN,
  checkConsentEvidence,
  consentEvidenceOverdue,
  consentSampleDrawnEvent,
  DEFAULT_EVIDENCE_MAX_BYTES,
  isConsentEvidenceOverdue,
  newConsentSampleNonce,
  type CheckedSampleRow,
  type ConsentDefect,
  type ConsentSampleOutcome,
  type ConsentSampleRow,
  type EvidenceError,
} from '../consent/index.js';
import { conflict, forbidden, invalidRequest, notFound } from '../errors.js';
import type { Finding } from '../finding.js';
import { evidenceKeys } from '../intake/evidence-keys.js';
import type { ConsentSampleState, Intake, IntakeVerdict } from '../intake/intake.js';
import type { DateRange } from '../list/model.js';
import { versionOf, type PresignedRequest } from '../ports/object-store.js';
import type { Receipt, ReceiptConsentSample } from '../verification.js';
import { UPLOAD_LINK_SECONDS, type PipelineDeps } from './deps.js';
import { describeBytes } from './open-intake.js';
import { keepEvidence, releaseIntake } from './release-intake.js';
import { announceTransition } from '../events/publish.js';

/**
 * The pipeline's side of consent evidence sampling (docs/consent-sampling.md; Codice di condotta telemarketing 2024 art.
 * 6.1.a): the nonce on the audit trail, the evidence upload and its check, the deadline. The engine is shared/consent;
 * the draw itself happens in the list's pass (verifyIntake).
 */

const SYSTEM = 'system:pipeline';
/** The release step reads receipts of at most this size; so does the evidence check. */
const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;

type StoredReceipt = Receipt & { details?: { attestationFields?: AttestationFields } };

/**
 * The draw's nonce: recorded once on the audit trail (event consent_sample.drawn) when processing first starts after
 * the attestation arrived; a retried or resumed processing finds it there and reuses it, so the sample never changes.
 */
export async function consentSampleNonce(deps: PipelineDeps, intake: Intake, random?: () => string): Promise<string> {
  const trail = await deps.intakes.auditTrail(intake.intakeId);
  const drawn = trail.find((e) => e.type === CONSENT_SAMPLE_DRAWN);
  const recorded = drawn?.data['nonce'];
  if (typeof recorded === 'string') return recorded;
  const nonce = random ? random() : newConsentSampleNonce();
  await deps.intakes.appendEvent(intake.intakeId, consentSampleDrawnEvent(nonce, deps.now(), SYSTEM));
  return nonce;
}

/** The receipt's record of a sample still awaiting its evidence. */
export function awaitedSampleReceipt(state: ConsentSampleState, rows: ConsentSampleRow[]): ReceiptConsentSample {
  return {
    seed: state.seed,
    nonce: state.nonce,
    size: state.size,
    documentsVerdict: state.documentsVerdict,
    requestedAt: state.requestedAt,
    deadline: state.deadline,
    status: 'awaiting_evidence',
    rows,
    defects: [],
  };
}

async function readReceipt(deps: PipelineDeps, intake: Intake): Promise<StoredReceipt> {
  const key = intake.toSnapshot().receiptKey;
  if (!key) throw new Error(`intake ${intake.intakeId}: no receipt was written before the sample`);
  const bytes = await deps.objects.getBytes(deps.buckets.intake, key, MAX_RECEIPT_BYTES);
  return JSON.parse(new TextDecoder().decode(bytes)) as StoredReceipt;
}

async function writeReceipt(deps: PipelineDeps, intake: Intake, receipt: StoredReceipt): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(receipt, null, 2)}\n`);
  await deps.objects.putObject(deps.buckets.intake, intake.toSnapshot().receiptKey!, bytes, { contentType: 'application/json' });
  return bytes;
}

/** The sampled rows as drawn: the receipt has them all; the item's copy when it is whole. */
async function drawnRows(deps: PipelineDeps, intake: Intake, state: ConsentSampleState): Promise<ConsentSampleRow[]> {
  if (state.rowsComplete) return state.rows.map(drawnRow);
  const receipt = await readReceipt(deps, intake);
  return (receipt.consentSample?.rows ?? []).map(drawnRow);
}

function drawnRow(r: ConsentSampleRow | CheckedSampleRow): ConsentSampleRow {
  return { row: r.row, index: r.index, phone: r.phone, consentDate: r.consentDate, consentSource: r.consentSource, key: r.key };
}

const OUTCOME_VERDICT: Record<ConsentSampleOutcome, IntakeVerdict> = { proceed: 'approved', review: 'review', rejected: 'rejected' };
const SEVERITY: Record<IntakeVerdict, number> = { approved: 0, review: 1, rejected: 2 };

/** The worse of two verdicts: the documents' and the sample's (docs/consent-sampling.md). */
export function worseVerdict(a: IntakeVerdict, b: IntakeVerdict): IntakeVerdict {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export type EvidenceOutcome = 'refused' | IntakeVerdict;

/**
 * Checks the evidence of an intake this worker has claimed (PROCESSING, its evidence recorded) and records the verdict.
 *
 * 1. Read the sample (the receipt holds it whole) and stream the evidence file at the version recorded on arrival.
 * 2. A file that cannot be read as evidence: back to AWAITING_EVIDENCE with its errors (no verdict; same deadline).
 * 3. Otherwise check every sampled row; the verdict is the worse of the documents' and the sample's outcome.
 * 4. Rewrite the receipt with the checked sample; keep the evidence file, the signed attestation and the receipt in
 *    the evidence store (docs/limits-and-retention.md); record the verdict; release when approved.
 */
export async function processConsentEvidence(deps: PipelineDeps, intake: Intake): Promise<EvidenceOutcome> {
  const state = intake.consentSample;
  const evidence = intake.uploads.evidence;
  if (!state || !evidence || !intake.checkingEvidence) throw new Error(`intake ${intake.intakeId}: no consent evidence to check`);
  const receipt = await readReceipt(deps, intake);
  const rows = receipt.consentSample?.rows.map(drawnRow) ?? (await drawnRows(deps, intake, state));
  const snapshot = intake.toSnapshot();
  const fields = (receipt.details?.attestationFields ?? snapshot.attestation?.['fields'] ?? {}) as AttestationFields;
  const period = fields.collectionPeriod?.value;
  const collectionPeriod: DateRange | null = period && period.from <= period.to ? period : null;

  const hash = createHash('sha256');
  let bytes = 0;
  const source = deps.objects.getStream(deps.buckets.intake, evidence.key, versionOf(evidence));
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      yield chunk;
    }
  }
  const checked = await checkConsentEvidence({ seed: state.seed, rows, evidence: hashed(), collectionPeriod });
  const ctx = { actor: SYSTEM, now: deps.now() };

  if (!checked.readable) {
    const move = intake.refuseEvidence(checked.errors, ctx);
    await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
    deps.log.info('consent evidence refused', { intakeId: intake.intakeId, errors: checked.errors.length });
    return 'refused';
  }

  const { report, decision } = checked;
  const verdict = worseVerdict(state.documentsVerdict, OUTCOME_VERDICT[decision.outcome]);
  const findings: Finding[] = [...receipt.findings, ...(decision.finding ? [decision.finding] : [])];
  const keys = evidenceKeys(intake.tenantId, intake.intakeId);
  const { refused: _refused, ...kept } = state;
  const sampleState: ConsentSampleState = {
    ...kept,
    rows: report.rows,
    rowsComplete: true,
    defects: report.defects,
    outcome: decision.outcome,
    defectiveRows: decision.defectiveRows,
  };
  const finalReceipt: StoredReceipt = {
    ...receipt,
    verdict,
    decidedAt: ctx.now.toISOString(),
    findings,
    consentSample: {
      ...(receipt.consentSample ?? awaitedSampleReceipt(state, rows)),
      status: 'checked',
      rows: report.rows,
      defects: report.defects,
      outcome: decision.outcome,
      defectiveRows: decision.defectiveRows,
      evidence: {
        sha256: hash.digest('hex'),
        bytes,
        encoding: checked.evidence.encoding,
        delimiter: checked.evidence.delimiter,
        dataRows: checked.evidence.dataRows,
        evidenceKey: keys.consentEvidence,
      },
    },
  };
  const receiptBytes = await writeReceipt(deps, intake, finalReceipt);
  // docs/consent-sampling.md: the evidence file is kept with the signed attestation, whatever the outcome.
  await deps.objects.putObject(deps.buckets.evidence, keys.consentEvidence, deps.objects.getStream(deps.buckets.intake, evidence.key, versionOf(evidence)), {
    contentType: 'text/csv',
  });
  await keepEvidence(deps, intake, receiptBytes);

  const move = intake.recordVerdict({ verdict, findings, receiptKey: snapshot.receiptKey!, consentSample: sampleState }, ctx);
  await announceTransition(deps, move, await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event));
  deps.log.info('consent sample checked', { intakeId: intake.intakeId, outcome: decision.outcome, verdict });
  if (verdict === 'approved') await releaseIntake(deps, intake.intakeId);
  return verdict;
}

/**
 * docs/consent-sampling.md: no evidence within consentEvidenceHours of the request: rejected with
 * consent_evidence_overdue. The receipt says so and is kept as evidence with the signed attestation.
 */
export async function rejectOverdueEvidence(deps: PipelineDeps, intake: Intake, actor = 'system:sweep'): Promise<boolean> {
  const state = intake.consentSample;
  const now = deps.now();
  if (intake.status !== 'AWAITING_EVIDENCE' || !state || !isConsentEvidenceOverdue(new Date(state.requestedAt), state.hours, now)) return false;
  const overdue = consentEvidenceOverdue(new Date(state.requestedAt), state.hours, now)!;
  const receipt = await readReceipt(deps, intake);
  const findings = [...receipt.findings, overdue];
  const receiptBytes = await writeReceipt(deps, intake, {
    ...receipt,
    verdict: 'rejected',
    decidedAt: now.toISOString(),
    findings,
    consentSample: { ...(receipt.consentSample ?? awaitedSampleReceipt(state, state.rows.map(drawnRow))), status: 'overdue' },
  });
  await keepEvidence(deps, intake, receiptBytes);
  const move = intake.evidenceOverdue(overdue, { actor, now });
  await announceTransition(deps, move, await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event));
  deps.log.info('consent evidence overdue', { intakeId: intake.intakeId });
  return true;
}

// --- The API's side -------------------------------------------------------------------------------------------------

/** What `GET /v1/intakes/{id}/consent-sample` answers. */
export interface ConsentSampleView {
  intakeId: string;
  status: string;
  seed: string;
  size: number;
  requestedAt: string;
  deadline: string;
  /** The sampled rows; once checked, with each check's outcome. */
  rows: (ConsentSampleRow | CheckedSampleRow)[];
  defects: ConsentDefect[];
  outcome?: ConsentSampleOutcome | 'overdue';
  defectiveRows?: number;
  /** The last evidence file refused as unreadable, with its errors (row and column). */
  refused?: { at: string; errors: EvidenceError[] };
}

/** The sample of an intake the principal may see (committente its own, compliance in scope); 404 otherwise or before a draw. */
export async function consentSampleOf(deps: PipelineDeps, principal: Principal, intakeId: string): Promise<ConsentSampleView> {
  if (principal.role !== 'committente' && principal.role !== 'compliance') throw forbidden('the consent sample is for the committente and compliance');
  const intake = await deps.intakes.get(intakeId);
  if (!intake || !canSeeIntake(principal, intake)) throw notFound('no such intake');
  const state = intake.consentSample;
  if (!state) throw notFound('no consent sample was drawn for this intake');
  let rows: (ConsentSampleRow | CheckedSampleRow)[] = state.rows;
  let defects = state.defects ?? [];
  if (!state.rowsComplete) {
    const receipt = await readReceipt(deps, intake);
    rows = receipt.consentSample?.rows ?? [];
    defects = receipt.consentSample?.defects ?? [];
  }
  return {
    intakeId: intake.intakeId,
    status: intake.status,
    seed: state.seed,
    size: state.size,
    requestedAt: state.requestedAt,
    deadline: state.deadline,
    rows,
    defects,
    ...(state.outcome ? { outcome: state.outcome } : {}),
    ...(state.defectiveRows !== undefined ? { defectiveRows: state.defectiveRows } : {}),
    ...(state.refused ? { refused: { at: state.refused.at, errors: state.refused.errors } } : {}),
  };
}

/**
 * A presigned PUT for the sample's evidence, bound like the other uploads (docs/api.md: 15 minutes, one
 * server-chosen key, the declared size signed in): only the committente, only while the intake awaits it.
 */
export async function evidenceUploadLink(
  deps: PipelineDeps,
  principal: Principal,
  intakeId: string,
  request: { evidenceBytes?: number } = {},
): Promise<{ intake: Intake; upload: PresignedRequest }> {
  if (principal.role !== 'committente') throw forbidden('only the committente uploads evidence');
  const intake = await deps.intakes.get(intakeId);
  if (!intake || intake.tenantId !== principal.tenantId) throw notFound('no such intake');
  if (intake.status !== 'AWAITING_EVIDENCE') throw conflict(`the intake is ${intake.status}: no consent evidence is awaited`);
  const state = intake.consentSample!;
  if (Date.parse(state.deadline) < deps.now().getTime()) throw conflict(`the evidence was due by ${state.deadline}`);
  const size = request.evidenceBytes;
  if (size !== undefined) {
    if (!Number.isSafeInteger(size) || size < 1) throw invalidRequest("evidenceBytes: the evidence file's size in bytes, a whole number from 1");
    if (size > DEFAULT_EVIDENCE_MAX_BYTES) {
      throw invalidRequest(`evidenceBytes: ${size} bytes is over the limit of ${describeBytes(DEFAULT_EVIDENCE_MAX_BYTES)} for the evidence file`);
    }
  }
  const upload = await deps.objects.presignPut(deps.buckets.intake, intake.evidenceKey(), {
    expiresInSeconds: UPLOAD_LINK_SECONDS,
    contentType: 'text/csv',
    ...(size !== undefined ? { contentLength: size } : {}),
  });
  await deps.intakes.appendEvent(intake.intakeId, {
    type: 'consent_evidence.link_issued',
    actor: actorOf(principal),
    at: deps.now().toISOString(),
    data: { expiresAt: upload.expiresAt, ...(size !== undefined ? { bytes: size } : {}) },
  });
  return { intake, upload };
}
