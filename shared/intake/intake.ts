import * as z from 'zod';
import type { Finding } from '../finding.js';
import type { ListReport } from '../list/model.js';
import type { ConsentSampleRow } from '../consent/draw.js';
import type { CheckedSampleRow, ConsentDefect } from '../consent/checks.js';
import type { EvidenceError } from '../consent/evidence.js';
import { consentEvidenceDeadline } from '../consent/outcome.js';
import type { AuditEventDraft } from './audit.js';
import { isIntakeId, newIntakeId } from './intake-id.js';
import { consentEvidenceKey, type UploadKind, uploadKey, uploadKinds } from './object-keys.js';
import {
  ATTESTATION_BUDGET_BYTES,
  FINDINGS_BUDGET_BYTES,
  fitToBudget,
  ITEM_STEPS,
  LIST_REPORT_BUDGET_BYTES,
} from './stored-bounds.js';

/**
 * The intake lifecycle (docs/architecture.md), guarded in one place:
 *
 *   AWAITING_UPLOADS --(both files)--> PROCESSING --verdict--> APPROVED | IN_REVIEW | REJECTED
 *   IN_REVIEW --reviewer--> APPROVED | REJECTED
 *   APPROVED --release step--> RELEASED
 *   AWAITING_UPLOADS --(24 h without both files)--> EXPIRED
 *   PROCESSING --(consent sample due)--> AWAITING_EVIDENCE --(evidence upload)--> PROCESSING
 *   AWAITING_EVIDENCE --(no evidence within consentEvidenceHours)--> REJECTED
 *
 * APPROVED is "release pending": the verdict (or a reviewer) said yes and the release step has not published yet. It
 * makes a crash between verdict and release recoverable: the release step is retried from APPROVED, writes to keys
 * that depend on the intake only, and the single conditional APPROVED -> RELEASED write is what publishes. Whoever
 * loses that race finds the intake RELEASED and stops. The API shows APPROVED as not final.
 *
 * Each move returns an IntakeTransition (expected status and version, the changes, the audit event) for the
 * repository to apply as one conditional write; the entity itself is immutable.
 */

export const intakeStatuses = [
  'AWAITING_UPLOADS',
  'PROCESSING',
  'AWAITING_EVIDENCE',
  'APPROVED',
  'IN_REVIEW',
  'RELEASED',
  'REJECTED',
  'EXPIRED',
] as const;
export type IntakeStatus = (typeof intakeStatuses)[number];

/** Statuses no move leaves. */
export const finalStatuses: readonly IntakeStatus[] = ['RELEASED', 'REJECTED', 'EXPIRED'];

export type IntakeVerdict = 'approved' | 'review' | 'rejected';
export type ReviewDecisionKind = 'approve' | 'reject';

/** 24 h to upload both files (docs/architecture.md). */
export const UPLOAD_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * docs/architecture.md: processing that fails this many times for reasons other than the documents' content (a
 * document's content is a finding, never a failure) ends REJECTED with `processing_failed`, never retried for ever.
 */
export const MAX_PROCESSING_ATTEMPTS = 3;

const isoInstant = z.iso.datetime({ offset: true });

const UploadedObjectSchema = z.object({
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  etag: z.string(),
  uploadedAt: isoInstant,
  versionId: z.string().optional(),
});
export type UploadedObject = z.infer<typeof UploadedObjectSchema>;

const ReleaseSchema = z.object({
  key: z.string().min(1),
  receiptKey: z.string().min(1),
  releasedAt: isoInstant,
  /** No more downloads after this instant: the attested RPO check turns 15 days old (DPR 26/2022). */
  expiresAt: isoInstant,
});
export type ReleaseRecord = z.infer<typeof ReleaseSchema>;

const ReviewSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  justification: z.string().min(1),
  reviewer: z.string().min(1),
  decidedAt: isoInstant,
});
export type ReviewRecord = z.infer<typeof ReviewSchema>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * The consent sample's state on the intake (docs/consent-sampling.md), from the draw to its outcome. The item keeps a
 * bounded copy of the rows (`rowsComplete` false when cut); the receipt at `receiptKey` keeps them all.
 */
const ConsentSampleStateSchema = z.object({
  seed: hex64,
  nonce: hex64,
  /** policy.consentSampleSize in force at the draw. */
  size: z.number().int().nonnegative(),
  sampledRows: z.number().int().nonnegative(),
  /** What the documents and the list decided before the sample. */
  documentsVerdict: z.enum(['approved', 'review']),
  requestedAt: isoInstant,
  /** No evidence after this instant: rejected (consentEvidenceHours after the request). */
  deadline: isoInstant,
  hours: z.number().positive(),
  rows: z.array(z.custom<ConsentSampleRow | CheckedSampleRow>((v) => isRecord(v) && typeof v.row === 'number')),
  rowsComplete: z.boolean(),
  defects: z.array(z.custom<ConsentDefect>((v) => isRecord(v) && typeof v.check === 'string')).optional(),
  outcome: z.enum(['proceed', 'review', 'rejected', 'overdue']).optional(),
  defectiveRows: z.number().int().nonnegative().optional(),
  /** The last evidence file refused as unreadable (the committente uploads again before the deadline). */
  refused: z
    .object({
      etag: z.string(),
      at: isoInstant,
      errors: z.array(z.custom<EvidenceError>((v) => isRecord(v) && typeof v.message === 'string')),
    })
    .optional(),
});
export type ConsentSampleState = z.infer<typeof ConsentSampleStateSchema>;

/** What the item keeps of the sample: well under the 400 KB item with the other budgets (stored-bounds.ts). */
export const CONSENT_SAMPLE_BUDGET_BYTES = 40 * 1024;

export const IntakeSnapshotSchema = z.object({
  intakeId: z.string().refine(isIntakeId, 'not an intake id'),
  tenantId: z.string().min(1),
  callCenterId: z.string().min(1),
  campaign: z.string().min(1),
  status: z.enum(intakeStatuses),
  /** Optimistic lock: +1 on every transition. */
  version: z.number().int().nonnegative(),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  uploadDeadline: isoInstant,
  uploads: z.object({
    list: UploadedObjectSchema.optional(),
    attestation: UploadedObjectSchema.optional(),
    /** The consent evidence file being checked, or the last one checked (docs/consent-sampling.md). */
    evidence: UploadedObjectSchema.optional(),
  }),
  verdict: z.enum(['approved', 'review', 'rejected']).optional(),
  verdictAt: isoInstant.optional(),
  // The verdict's own models are interfaces owned by their modules; storage only checks the outer shape.
  findings: z.array(z.custom<Finding>((v) => isRecord(v) && typeof v.code === 'string')).optional(),
  list: z.custom<ListReport>((v) => isRecord(v)).optional(),
  attestation: z.custom<Record<string, unknown>>((v) => isRecord(v)).optional(),
  receiptKey: z.string().optional(),
  release: ReleaseSchema.optional(),
  review: ReviewSchema.optional(),
  /**
   * Claims of this intake's processing that have not reached a verdict: 1 at the start, +1 at each resume; back to 0
   * once an attempt ends waiting for an extraction job (that attempt did not fail). Absent before processing.
   */
  processingAttempts: z.number().int().nonnegative().optional(),
  consentSample: ConsentSampleStateSchema.optional(),
});
export type IntakeSnapshot = z.infer<typeof IntakeSnapshotSchema>;

/** Fields a transition may set; identity, creation and version are never changed by one. */
export type IntakeChanges = { status: IntakeStatus; updatedAt: string } & Partial<
  Omit<IntakeSnapshot, 'intakeId' | 'tenantId' | 'callCenterId' | 'campaign' | 'createdAt' | 'version' | 'status' | 'updatedAt' | 'uploadDeadline'>
>;

export interface IntakeTransition {
  intakeId: string;
  /** The storage applies the changes only if the intake is still in this status at this version. */
  expected: { from: IntakeStatus; version: number };
  changes: IntakeChanges;
  event: AuditEventDraft;
  /** The intake as it will be once the write succeeds (version + 1). */
  next: Intake;
}

export type IntakeAction =
  | 'recordUpload'
  | 'startProcessing'
  | 'resumeProcessing'
  | 'awaitExtraction'
  | 'failProcessing'
  | 'recordVerdict'
  | 'awaitEvidence'
  | 'receiveEvidence'
  | 'refuseEvidence'
  | 'evidenceOverdue'
  | 'decideReview'
  | 'release'
  | 'expire';

/** Thrown for a move the lifecycle forbids: a bug or a stale read in the caller, not a business outcome. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  readonly code = 'illegal_transition';
  constructor(
    readonly intakeId: string,
    readonly from: IntakeStatus,
    readonly action: IntakeAction,
    reason?: string,
  ) {
    super(`intake ${intakeId}: cannot ${action} from ${from}${reason ? ` (${reason})` : ''}`);
  }
}

/** Which statuses each move starts from. */
const ALLOWED_FROM: Record<IntakeAction, readonly IntakeStatus[]> = {
  recordUpload: ['AWAITING_UPLOADS'],
  startProcessing: ['AWAITING_UPLOADS'],
  resumeProcessing: ['PROCESSING'],
  awaitExtraction: ['PROCESSING'],
  failProcessing: ['PROCESSING'],
  recordVerdict: ['PROCESSING'],
  awaitEvidence: ['PROCESSING'],
  receiveEvidence: ['AWAITING_EVIDENCE'],
  refuseEvidence: ['PROCESSING'],
  evidenceOverdue: ['AWAITING_EVIDENCE'],
  decideReview: ['IN_REVIEW'],
  release: ['APPROVED'],
  expire: ['AWAITING_UPLOADS'],
};

export interface MoveContext {
  actor: string;
  now: Date;
}

export interface OpenIntakeInput {
  tenantId: string;
  callCenterId: string;
  campaign: string;
  actor: string;
  now: Date;
  /** Tests may fix the id; the server lets newIntakeId choose. */
  intakeId?: string;
}

export interface VerdictInput {
  verdict: IntakeVerdict;
  findings: Finding[];
  list?: ListReport;
  attestation?: Record<string, unknown>;
  receiptKey?: string;
  /** After the evidence check: the sample with its outcome. */
  consentSample?: ConsentSampleState;
}

/** The documents and the list leave the intake approvable or in review, and a consent sample is due. */
export interface AwaitEvidenceInput {
  documentsVerdict: 'approved' | 'review';
  findings: Finding[];
  list?: ListReport;
  attestation?: Record<string, unknown>;
  receiptKey: string;
  sample: { seed: string; nonce: string; size: number; rows: ConsentSampleRow[] };
  /** policy.consentEvidenceHours */
  hours: number;
}

export interface ReviewInput {
  decision: ReviewDecisionKind;
  justification: string;
  reviewer: string;
}

export interface ReleaseInput {
  key: string;
  receiptKey: string;
  expiresAt: string;
}

const VERDICT_TO_STATUS: Record<IntakeVerdict, IntakeStatus> = {
  approved: 'APPROVED',
  review: 'IN_REVIEW',
  rejected: 'REJECTED',
};

export class Intake {
  private constructor(private readonly state: IntakeSnapshot) {}

  /** Opens a new intake awaiting its two uploads; the event is the first of its audit trail. */
  static open(input: OpenIntakeInput): { intake: Intake; event: AuditEventDraft } {
    const createdAt = input.now.toISOString();
    const intakeId = input.intakeId ?? newIntakeId();
    const snapshot = IntakeSnapshotSchema.parse({
      intakeId,
      tenantId: input.tenantId,
      callCenterId: input.callCenterId,
      campaign: input.campaign,
      status: 'AWAITING_UPLOADS',
      version: 0,
      createdAt,
      updatedAt: createdAt,
      uploadDeadline: new Date(input.now.getTime() + UPLOAD_WINDOW_MS).toISOString(),
      uploads: {},
    });
    // Validate keys now: a tenant id unusable in a key must fail at creation, not at upload.
    for (const kind of uploadKinds) uploadKey(snapshot.tenantId, snapshot.intakeId, kind);
    const intake = new Intake(snapshot);
    return {
      intake,
      event: {
        type: 'intake.created',
        actor: input.actor,
        at: createdAt,
        data: {
          tenantId: snapshot.tenantId,
          callCenterId: snapshot.callCenterId,
          campaign: snapshot.campaign,
          uploadDeadline: snapshot.uploadDeadline,
        },
      },
    };
  }

  /** Rehydrates a stored intake; refuses data that is not an intake. */
  static fromSnapshot(snapshot: unknown): Intake {
    return new Intake(IntakeSnapshotSchema.parse(snapshot));
  }

  toSnapshot(): IntakeSnapshot {
    return structuredClone(this.state);
  }

  get intakeId(): string {
    return this.state.intakeId;
  }
  get tenantId(): string {
    return this.state.tenantId;
  }
  get callCenterId(): string {
    return this.state.callCenterId;
  }
  get campaign(): string {
    return this.state.campaign;
  }
  get status(): IntakeStatus {
    return this.state.status;
  }
  get version(): number {
    return this.state.version;
  }
  get createdAt(): string {
    return this.state.createdAt;
  }
  get uploadDeadline(): string {
    return this.state.uploadDeadline;
  }
  get uploads(): IntakeSnapshot['uploads'] {
    return structuredClone(this.state.uploads);
  }
  get verdict(): IntakeVerdict | undefined {
    return this.state.verdict;
  }
  /** The published release, once RELEASED. */
  get releaseRecord(): ReleaseRecord | undefined {
    return this.state.release && { ...this.state.release };
  }
  get review(): ReviewRecord | undefined {
    return this.state.review && { ...this.state.review };
  }
  /** Claims of the processing without a verdict so far (see the snapshot field). */
  get processingAttempts(): number {
    return this.state.processingAttempts ?? 0;
  }
  /** The consent sample's state, once drawn and awaited (docs/consent-sampling.md). */
  get consentSample(): ConsentSampleState | undefined {
    return this.state.consentSample && structuredClone(this.state.consentSample);
  }
  /** PROCESSING the consent evidence (not the documents): the sample was awaited and its evidence arrived. */
  get checkingEvidence(): boolean {
    return this.state.status === 'PROCESSING' && this.state.consentSample !== undefined && this.state.uploads.evidence !== undefined;
  }
  /** The one key the consent evidence may be written to. */
  evidenceKey(): string {
    return consentEvidenceKey(this.state.tenantId, this.state.intakeId);
  }
  /** Every attempt allowed has been made and failed: the next claim ends the intake (failProcessing). */
  get processingExhausted(): boolean {
    return this.state.status === 'PROCESSING' && this.processingAttempts >= MAX_PROCESSING_ATTEMPTS;
  }

  get isFinal(): boolean {
    return finalStatuses.includes(this.state.status);
  }

  /** The one key each upload may be written to. */
  uploadKey(kind: UploadKind): string {
    return uploadKey(this.state.tenantId, this.state.intakeId, kind);
  }

  hasBothUploads(): boolean {
    return uploadKinds.every((kind) => this.state.uploads[kind] !== undefined);
  }

  /** Whether the lifecycle allows this move from the current status (a move may still refuse on its inputs). */
  can(action: IntakeAction): boolean {
    return ALLOWED_FROM[action].includes(this.state.status);
  }

  /** Records an object found at one of the intake's keys. A file may be replaced until processing starts. */
  recordUpload(
    kind: UploadKind,
    object: { key: string; size: number; etag: string; uploadedAt: string; versionId?: string },
    ctx: MoveContext,
  ): IntakeTransition {
    this.guard('recordUpload');
    if (object.key !== this.uploadKey(kind)) {
      this.refuse('recordUpload', `key "${object.key}" is not the ${kind} key of this intake`);
    }
    if (Date.parse(object.uploadedAt) > Date.parse(this.state.uploadDeadline)) {
      this.refuse('recordUpload', 'uploaded after the upload deadline');
    }
    const upload: UploadedObject = UploadedObjectSchema.parse({
      key: object.key,
      size: object.size,
      etag: object.etag,
      uploadedAt: new Date(object.uploadedAt).toISOString(),
      ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
    });
    const uploads = { ...this.state.uploads, [kind]: upload };
    return this.move('AWAITING_UPLOADS', { uploads }, ctx, 'upload.received', {
      kind,
      key: upload.key,
      size: upload.size,
      etag: upload.etag,
      uploadedAt: upload.uploadedAt,
      replaced: this.state.uploads[kind] !== undefined,
    });
  }

  startProcessing(ctx: MoveContext): IntakeTransition {
    this.guard('startProcessing');
    if (!this.hasBothUploads()) this.refuse('startProcessing', 'both the list and the attestation are needed');
    const { list, attestation } = this.state.uploads;
    return this.move('PROCESSING', { processingAttempts: 1 }, ctx, 'processing.started', {
      list: { key: list!.key, etag: list!.etag, size: list!.size },
      attestation: { key: attestation!.key, etag: attestation!.etag, size: attestation!.size },
    });
  }

  /**
   * A worker takes over an intake whose processing was abandoned (a crash, a restart): PROCESSING -> PROCESSING with
   * a new version, so the previous worker, should it come back, loses its conditional write.
   */
  resumeProcessing(ctx: MoveContext): IntakeTransition {
    this.guard('resumeProcessing');
    if (this.processingExhausted) {
      this.refuse('resumeProcessing', `${this.processingAttempts} attempts failed: it ends with failProcessing`);
    }
    const attempt = this.processingAttempts + 1;
    return this.move('PROCESSING', { processingAttempts: attempt }, ctx, 'processing.resumed', {
      previousVersion: this.state.version,
      attempt,
    });
  }

  /**
   * The attempt ends waiting for an asynchronous extraction job (a multi-page scan at Textract): it did not fail, so
   * the count starts again for the claims that follow (the completion message, or a resume while the job runs).
   */
  awaitExtraction(job: { jobId: string; key?: string }, ctx: MoveContext): IntakeTransition {
    this.guard('awaitExtraction');
    return this.move('PROCESSING', { processingAttempts: 0 }, ctx, 'attestation.extraction_started', {
      jobId: job.jobId,
      ...(job.key !== undefined ? { key: job.key } : {}),
    });
  }

  /** docs/architecture.md: after MAX_PROCESSING_ATTEMPTS failed attempts the intake ends REJECTED, never retried again. */
  failProcessing(finding: Finding, ctx: MoveContext): IntakeTransition {
    this.guard('failProcessing');
    if (!this.processingExhausted) {
      this.refuse('failProcessing', `only ${this.processingAttempts} of ${MAX_PROCESSING_ATTEMPTS} attempts were made`);
    }
    const at = ctx.now.toISOString();
    return this.move(
      'REJECTED',
      { verdict: 'rejected', verdictAt: at, findings: boundFindings([finding]) },
      ctx,
      'processing.failed',
      { attempts: this.processingAttempts, findings: [{ code: finding.code, severity: finding.severity }] },
    );
  }

  recordVerdict(input: VerdictInput, ctx: MoveContext): IntakeTransition {
    this.guard('recordVerdict');
    const status = VERDICT_TO_STATUS[input.verdict];
    if (!status) this.refuse('recordVerdict', `unknown verdict "${String(input.verdict)}"`);
    if (input.verdict === 'approved' && input.findings.some((f) => f.severity !== 'info')) {
      this.refuse('recordVerdict', 'an approved verdict cannot carry reject or review findings');
    }
    const at = ctx.now.toISOString();
    const changes: Partial<IntakeChanges> = {
      verdict: input.verdict,
      verdictAt: at,
      // docs/limits-and-retention.md: what the item stores is bounded; the full texts are in the receipt.
      findings: boundFindings(input.findings),
      ...(input.list ? { list: boundListReport(input.list) } : {}),
      ...(input.attestation ? { attestation: boundAttestation(input.attestation) } : {}),
      ...(input.receiptKey ? { receiptKey: input.receiptKey } : {}),
      ...(input.consentSample ? { consentSample: boundConsentSample(input.consentSample) } : {}),
    };
    return this.move(status, changes, ctx, 'verdict.recorded', {
      verdict: input.verdict,
      findings: input.findings.map((f) => ({ code: f.code, severity: f.severity })),
      ...(input.list ? { list: { sha256: input.list.sha256, dataRows: input.list.dataRows, releasedRows: input.list.releasedRows } } : {}),
      ...(input.receiptKey ? { receiptKey: input.receiptKey } : {}),
      ...(input.consentSample
        ? { consentSample: { outcome: input.consentSample.outcome ?? null, defectiveRows: input.consentSample.defectiveRows ?? 0, sampledRows: input.consentSample.sampledRows } }
        : {}),
    });
  }

  /**
   * docs/consent-sampling.md: the documents and the list leave a consent-based intake approvable or in review, so it
   * waits for the evidence of its drawn sample instead of being released. The documents' verdict and findings are
   * recorded; the final verdict comes with the sample's outcome.
   */
  awaitEvidence(input: AwaitEvidenceInput, ctx: MoveContext): IntakeTransition {
    this.guard('awaitEvidence');
    if (input.documentsVerdict !== 'approved' && input.documentsVerdict !== 'review') {
      this.refuse('awaitEvidence', `a ${String(input.documentsVerdict)} intake waits for no sample`);
    }
    if (this.state.consentSample) this.refuse('awaitEvidence', 'the sample was drawn already: it is drawn once');
    const requestedAt = ctx.now.toISOString();
    const deadline = consentEvidenceDeadline(ctx.now, input.hours).toISOString();
    const consentSample = boundConsentSample({
      seed: input.sample.seed,
      nonce: input.sample.nonce,
      size: input.sample.size,
      sampledRows: input.sample.rows.length,
      documentsVerdict: input.documentsVerdict,
      requestedAt,
      deadline,
      hours: input.hours,
      rows: input.sample.rows,
      rowsComplete: true,
    });
    const changes: Partial<IntakeChanges> = {
      findings: boundFindings(input.findings),
      ...(input.list ? { list: boundListReport(input.list) } : {}),
      ...(input.attestation ? { attestation: boundAttestation(input.attestation) } : {}),
      receiptKey: input.receiptKey,
      consentSample,
      // The attempt ended waiting for the committente, not failing: the evidence's processing counts afresh.
      processingAttempts: 0,
    };
    return this.move('AWAITING_EVIDENCE', changes, ctx, 'consent_sample.requested', {
      seed: input.sample.seed,
      size: input.sample.size,
      sampledRows: input.sample.rows.length,
      rows: input.sample.rows.slice(0, 200).map((r) => r.row),
      documentsVerdict: input.documentsVerdict,
      findings: input.findings.map((f) => ({ code: f.code, severity: f.severity })),
      deadline,
      ...(input.list ? { list: { sha256: input.list.sha256, dataRows: input.list.dataRows, releasedRows: input.list.releasedRows } } : {}),
    });
  }

  /** The committente's evidence file arrived in time: its check is claimed like any processing. */
  receiveEvidence(
    object: { key: string; size: number; etag: string; uploadedAt: string; versionId?: string },
    ctx: MoveContext,
  ): IntakeTransition {
    this.guard('receiveEvidence');
    const sample = this.state.consentSample;
    if (!sample) this.refuse('receiveEvidence', 'no consent sample was drawn');
    if (object.key !== this.evidenceKey()) this.refuse('receiveEvidence', `key "${object.key}" is not the evidence key of this intake`);
    if (Date.parse(object.uploadedAt) > Date.parse(sample.deadline)) this.refuse('receiveEvidence', 'uploaded after the evidence deadline');
    const evidence: UploadedObject = UploadedObjectSchema.parse({
      key: object.key,
      size: object.size,
      etag: object.etag,
      uploadedAt: new Date(object.uploadedAt).toISOString(),
      ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
    });
    return this.move('PROCESSING', { uploads: { ...this.state.uploads, evidence }, processingAttempts: 1 }, ctx, 'consent_evidence.received', {
      key: evidence.key,
      size: evidence.size,
      etag: evidence.etag,
      uploadedAt: evidence.uploadedAt,
    });
  }

  /**
   * The evidence file cannot be read as evidence (docs/consent-sampling.md: errors naming row and column): no verdict
   * yet, the intake waits again for a corrected file, with the same deadline.
   */
  refuseEvidence(errors: EvidenceError[], ctx: MoveContext): IntakeTransition {
    this.guard('refuseEvidence');
    const sample = this.state.consentSample;
    const evidence = this.state.uploads.evidence;
    if (!sample || !evidence) this.refuse('refuseEvidence', 'no evidence is being checked');
    const consentSample = boundConsentSample({ ...sample, refused: { etag: evidence.etag, at: ctx.now.toISOString(), errors } });
    return this.move('AWAITING_EVIDENCE', { consentSample, processingAttempts: 0 }, ctx, 'consent_evidence.refused', {
      etag: evidence.etag,
      errors: errors.slice(0, 20).map((e) => e.message),
      deadline: sample.deadline,
    });
  }

  /** docs/consent-sampling.md: no evidence within consentEvidenceHours of the request: rejected. */
  evidenceOverdue(overdue: Finding, ctx: MoveContext): IntakeTransition {
    this.guard('evidenceOverdue');
    const sample = this.state.consentSample!;
    if (ctx.now.getTime() <= Date.parse(sample.deadline)) this.refuse('evidenceOverdue', 'the evidence deadline has not passed');
    const findings = [...(this.state.findings ?? []), overdue];
    return this.move(
      'REJECTED',
      {
        verdict: 'rejected',
        verdictAt: ctx.now.toISOString(),
        findings: boundFindings(findings),
        consentSample: { ...sample, outcome: 'overdue' },
      },
      ctx,
      'consent_evidence.overdue',
      { deadline: sample.deadline, verdict: 'rejected', findings: findings.map((f) => ({ code: f.code, severity: f.severity })) },
    );
  }

  /** A compliance officer's decision on an intake in review, with a written justification. */
  decideReview(input: ReviewInput, ctx: { now: Date; actor?: string }): IntakeTransition {
    this.guard('decideReview');
    const justification = input.justification.trim();
    if (!justification) this.refuse('decideReview', 'a written justification is required');
    if (!input.reviewer.trim()) this.refuse('decideReview', 'the reviewer must be named');
    if (input.decision !== 'approve' && input.decision !== 'reject') {
      this.refuse('decideReview', `unknown decision "${String(input.decision)}"`);
    }
    const review: ReviewRecord = {
      decision: input.decision,
      justification,
      reviewer: input.reviewer,
      decidedAt: ctx.now.toISOString(),
    };
    const status: IntakeStatus = input.decision === 'approve' ? 'APPROVED' : 'REJECTED';
    return this.move(status, { review }, { actor: ctx.actor ?? `compliance:${input.reviewer}`, now: ctx.now }, 'review.decided', {
      decision: review.decision,
      justification: review.justification,
      reviewer: review.reviewer,
    });
  }

  /**
   * Publishes the release. Only from APPROVED, which only an approved verdict or a reviewer's approval reaches: so
   * nothing reaches the release bucket's listing unless the stored verdict or a reviewer said yes.
   */
  release(input: ReleaseInput, ctx: MoveContext): IntakeTransition {
    this.guard('release');
    const approvedBy = this.state.verdict === 'approved' || this.state.review?.decision === 'approve';
    if (!approvedBy) this.refuse('release', 'neither the verdict nor a reviewer approved it');
    const release: ReleaseRecord = ReleaseSchema.parse({
      key: input.key,
      receiptKey: input.receiptKey,
      releasedAt: ctx.now.toISOString(),
      expiresAt: new Date(input.expiresAt).toISOString(),
    });
    return this.move('RELEASED', { release }, ctx, 'release.published', { ...release, callCenterId: this.state.callCenterId });
  }

  /** The 24 h upload window closed without both files. */
  expire(ctx: MoveContext): IntakeTransition {
    this.guard('expire');
    if (ctx.now.getTime() < Date.parse(this.state.uploadDeadline)) this.refuse('expire', 'the upload window is still open');
    if (this.hasBothUploads()) this.refuse('expire', 'both files were uploaded: process it instead');
    return this.move('EXPIRED', {}, ctx, 'intake.expired', {
      uploadDeadline: this.state.uploadDeadline,
      received: uploadKinds.filter((k) => this.state.uploads[k] !== undefined),
    });
  }

  private guard(action: IntakeAction): void {
    if (!this.can(action)) throw new IllegalTransitionError(this.state.intakeId, this.state.status, action);
  }

  private refuse(action: IntakeAction, reason: string): never {
    throw new IllegalTransitionError(this.state.intakeId, this.state.status, action, reason);
  }

  private move(
    status: IntakeStatus,
    fields: Partial<IntakeChanges>,
    ctx: MoveContext,
    type: AuditEventDraft['type'],
    data: Record<string, unknown>,
  ): IntakeTransition {
    const at = ctx.now.toISOString();
    const changes = { ...fields, status, updatedAt: at } as IntakeChanges;
    const next = new Intake(
      IntakeSnapshotSchema.parse({ ...structuredClone(this.state), ...structuredClone(changes), version: this.state.version + 1 }),
    );
    return {
      intakeId: this.state.intakeId,
      expected: { from: this.state.status, version: this.state.version },
      changes,
      event: { type, actor: ctx.actor, at, data: { from: this.state.status, to: status, ...data } },
      next,
    };
  }
}

function boundFindings(findings: Finding[]): Finding[] {
  const fallback = (all: Finding[]) => all.map((f) => ({ code: f.code, severity: f.severity, message: f.message }));
  return structuredClone(fitToBudget(findings, FINDINGS_BUDGET_BYTES, ITEM_STEPS, fallback));
}

/**
 * docs/limits-and-retention.md: the sample on the item is bounded; rows or defects cut to fit leave rowsComplete false (the
 * receipt has them all).
 */
function boundConsentSample(sample: ConsentSampleState): ConsentSampleState {
  const bounded = fitToBudget(sample, CONSENT_SAMPLE_BUDGET_BYTES, ITEM_STEPS, (s) => ({
    ...s,
    rows: [],
    defects: [],
    ...(s.refused ? { refused: { ...s.refused, errors: s.refused.errors.slice(0, 5) } } : {}),
  }));
  const complete = sample.rowsComplete && JSON.stringify(bounded.rows) === JSON.stringify(sample.rows) && JSON.stringify(bounded.defects) === JSON.stringify(sample.defects);
  return structuredClone({ ...bounded, rowsComplete: complete });
}

function boundListReport(list: ListReport): ListReport {
  return structuredClone(fitToBudget(list, LIST_REPORT_BUDGET_BYTES, ITEM_STEPS, (l) => ({ ...l, header: [], samples: [] })));
}

function boundAttestation(attestation: Record<string, unknown>): Record<string, unknown> {
  return structuredClone(
    fitToBudget(attestation, ATTESTATION_BUDGET_BYTES, ITEM_STEPS, (a) => ({ format: a.format, sha256: a.sha256 })),
  );
}
