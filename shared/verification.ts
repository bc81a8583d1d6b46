import { createHash } from 'node:crypto';
import type { AttestationDocument, AttestationFields } from './attestation/model.js';
import { examineAttestation, type ExaminedAttestation } from './attestation/examine.js';
import type { ReadOptions } from './attestation/reader.js';
import type { Policy } from './config.js';
import type { Finding } from './finding.js';
import { loadRpoRegister, processContactList } from './list/index.js';
import { ConsentSampleSelector, consentSampleSeed, type ConsentSampleRow } from './consent/draw.js';
import type { CheckedSampleRow, ConsentDefect } from './consent/checks.js';
import type { ConsentSampleOutcome } from './consent/outcome.js';
import type { DateRange, ExclusionReason, ListReport } from './list/model.js';
import type { SignatureReport } from './signature/model.js';
import type { TrustedList } from './signature/trusted-list.js';
import type { RevocationLookup } from './ports/revocation-fetcher.js';
import { decideVerdict, type Verdict } from './verdict/policy.js';

/** Where the engine reads bytes from: a file now, an S3 object in the pipeline. Called once per read. */
export type ByteSource = () => AsyncIterable<Uint8Array>;

export interface VerificationRequest {
  intakeId: string;
  tenant: { id?: string; vat: string; signatories: string[] };
  callCenterId?: string;
  policy: Policy;
  /** PEM text of the trusted CA certificates. */
  trustAnchors: string[];
  /** DER of the configured CRLs (revocation.crls, or filiera verify --crl). */
  crls?: Uint8Array[];
  /** Trusted lists verified against their signers (trustedLists, or filiera verify --trusted-list). */
  trustedLists?: TrustedList[];
  /** Revocation data fetched online (revocation.fetch, the pipeline only: filiera verify works offline). */
  revocationLookup?: RevocationLookup;
  list: ByteSource;
  /** The list's size in bytes when known (a file's, an object's): the duplicate table is sized once from it. */
  listBytes?: number;
  /**
   * Read a big list (from 32 MiB, with listBytes) on worker threads too: only where the runtime ships the row thread's
   * code (filiera verify). The results are the same either way.
   */
  listThreads?: boolean;
  attestation: Uint8Array;
  rpo?: ByteSource;
  now: Date;
  /** Receives the cleaned list while it is written; kept only if the verdict allows a release. */
  output?: (chunk: Uint8Array) => void | Promise<void>;
  /** How the attestation is read: the runtime's extractors (without a scan reader a scan goes to a person unread). */
  reading?: ReadOptions;
  /** The attestation as already examined (the pipeline reads it first, to know whether an extraction is pending). */
  examined?: ExaminedAttestation;
  /**
   * Draw the consent sample in the list's pass (docs/consent-sampling.md), when consentSampleDue holds: from the nonce
   * recorded in the audit trail (the pipeline), or from a seed already known (`filiera verify --sample-seed`).
   */
  consentSample?: { nonce: string } | { seed: string };
}

/** The consent sample drawn in the list's pass. */
export interface DrawnConsentSample {
  seed: string;
  /** policy.consentSampleSize in force. */
  size: number;
  /** The sampled released rows, in row order. */
  rows: ConsentSampleRow[];
}

/**
 * docs/consent-sampling.md: a sample is drawn when the attested legal basis is consent and the tenant's
 * consentSampleSize is above 0 (whether it is then awaited depends on the verdict: not when rejected).
 */
export function consentSampleDue(policy: Pick<Policy, 'consentSampleSize'>, fields: Pick<AttestationFields, 'legalBasis'>): boolean {
  return policy.consentSampleSize > 0 && fields.legalBasis?.value === 'consent';
}

export interface VerificationResult {
  intakeId: string;
  verdict: Verdict;
  findings: Finding[];
  list: ListReport;
  attestation: {
    format: AttestationDocument['kind'];
    sha256: string;
    fields: AttestationFields;
    signature: SignatureReport;
  };
  /** The cleaned list as written to `output` (present when the list was readable). */
  released?: { sha256: string; bytes: number; rows: number };
  /** The consent sample drawn in the list's pass (requested, due and the list readable). */
  consentSample?: DrawnConsentSample;
  decidedAt: string;
}

/**
 * Decides whether a contact list may be released, from the list and its attestation: the one engine that the
 * pipeline, the console and the auditor's `filiera verify` all run.
 *
 * 1. Read the attestation and check its signature (small: held in memory).
 * 2. Stream the list once: hash, clean, and write the cleaned copy, using the attested collection period.
 * 3. Apply the verdict policy to both.
 */
export async function verifyIntake(request: VerificationRequest): Promise<VerificationResult> {
  const { document, signature } = request.examined ?? (await examineRequestAttestation(request));
  if (document.pendingJob) {
    throw new Error(`attestation extraction job ${document.pendingJob} has not finished: no verdict can be decided yet`);
  }

  const period = document.fields.collectionPeriod?.value;
  const consentPeriod: DateRange | null = period && period.from <= period.to ? period : null;
  const rpo = request.rpo ? await loadRpoRegister(request.rpo()) : null;

  // The seed needs the list's SHA-256 before its single pass ends: the attested one is used. Were it not the real one
  // the intake is rejected (list_hash_mismatch) and no sample is awaited; a machine reading in doubt is redrawn below.
  const size = request.policy.consentSampleSize;
  const attestedListSha = document.fields.listSha256?.value ?? null;
  let seed: string | null = null;
  if (request.consentSample && consentSampleDue(request.policy, document.fields)) {
    if ('seed' in request.consentSample) seed = request.consentSample.seed.toLowerCase();
    else if (attestedListSha && /^[0-9a-f]{64}$/i.test(attestedListSha)) {
      seed = consentSampleSeed(attestedListSha, document.sha256, request.consentSample.nonce);
    }
  }
  let selector = seed === null ? null : new ConsentSampleSelector(seed, size);

  const releasedHash = createHash('sha256');
  let releasedBytes = 0;
  const report = await processContactList(request.list(), {
    maxBytes: request.policy.maxListBytes,
    ...(request.listBytes !== undefined ? { expectedBytes: request.listBytes } : {}),
    requireConsentDate: request.policy.requireConsentDate,
    consentPeriod,
    rpo,
    consentSample: selector,
    output: async (chunk) => {
      releasedHash.update(chunk);
      releasedBytes += chunk.byteLength;
      await request.output?.(chunk);
    },
  }, { threads: request.listThreads ?? false });

  const { verdict, findings } = decideVerdict({
    intakeId: request.intakeId,
    tenant: { vat: request.tenant.vat },
    policy: request.policy,
    now: request.now,
    list: report,
    attestation: document,
    signature,
  });

  const result: VerificationResult = {
    intakeId: request.intakeId,
    verdict,
    findings,
    list: report,
    attestation: { format: document.kind, sha256: document.sha256, fields: document.fields, signature },
    decidedAt: request.now.toISOString(),
  };
  if (report.readable) {
    result.released = { sha256: releasedHash.digest('hex'), bytes: releasedBytes, rows: report.releasedRows };
  }
  if (report.readable && request.consentSample && consentSampleDue(request.policy, document.fields) && verdict !== 'rejected') {
    const nonce = 'nonce' in request.consentSample ? request.consentSample.nonce : null;
    if (nonce !== null && (seed === null || attestedListSha?.toLowerCase() !== report.sha256)) {
      // The attested hash was unreadable or read in doubt (a scan) and the verdict still allows the list: the seed is
      // the real hash's, as docs/consent-sampling.md writes it, which costs this one case a second read.
      seed = consentSampleSeed(report.sha256, document.sha256, nonce);
      selector = new ConsentSampleSelector(seed, size);
      await processContactList(request.list(), { maxBytes: request.policy.maxListBytes, requireConsentDate: request.policy.requireConsentDate, consentPeriod, rpo, consentSample: selector });
    }
    if (selector !== null && seed !== null) result.consentSample = { seed, size, rows: selector.rows() };
  }
  return result;
}

/** Step 1 of verifyIntake on its own: read the attestation with the request's extractors and check its signature. */
export function examineRequestAttestation(
  request: Pick<VerificationRequest, 'attestation' | 'trustAnchors' | 'crls' | 'trustedLists' | 'revocationLookup' | 'tenant' | 'now' | 'reading'>,
): Promise<ExaminedAttestation> {
  return examineAttestation(
    request.attestation,
    {
      trustAnchors: request.trustAnchors,
      ...(request.crls?.length ? { crls: request.crls } : {}),
      ...(request.trustedLists?.length ? { trustedLists: request.trustedLists } : {}),
      ...(request.revocationLookup ? { revocationLookup: request.revocationLookup } : {}),
      tenantVat: request.tenant.vat.replace(/^IT/i, ''),
      signatories: request.tenant.signatories,
      now: request.now,
    },
    request.reading ?? {},
  );
}

export interface Receipt {
  receipt: 'filiera/provenance-receipt/v1';
  intakeId: string;
  tenant?: string;
  callCenter?: string;
  verdict: Verdict;
  decidedAt: string;
  /** The list as the committente uploaded it. */
  list: { sha256: string; bytes: number; encoding: string | null; dataRows: number };
  /** The list as released to the call center. */
  released: { sha256: string; bytes: number; rows: number } | null;
  excluded: Record<ExclusionReason, number>;
  attestation: {
    sha256: string;
    format: string;
    signed: boolean;
    signer?: string;
    signingTime?: string;
  };
  findings: Finding[];
  /** docs/consent-sampling.md: the draw (seed and nonce), the sampled rows and each check's outcome. */
  consentSample?: ReceiptConsentSample;
  /** Set when a person decided (docs/architecture.md: IN_REVIEW -> RELEASED | REJECTED). */
  review?: { decision: 'approve' | 'reject'; justification: string; reviewer: string; decidedAt: string };
}

/** The consent sample as the receipt records it (docs/consent-sampling.md); `rows` carry their checks once checked. */
export interface ReceiptConsentSample {
  seed: string;
  /** data.nonce of the consent_sample.drawn event. */
  nonce: string;
  size: number;
  /** The documents' verdict before the sample, and when the evidence was asked for and is due. */
  documentsVerdict: Verdict;
  requestedAt: string;
  deadline: string;
  status: 'awaiting_evidence' | 'checked' | 'overdue';
  rows: (ConsentSampleRow | CheckedSampleRow)[];
  defects: ConsentDefect[];
  outcome?: ConsentSampleOutcome;
  defectiveRows?: number;
  /** The evidence file checked, as uploaded. */
  evidence?: { sha256: string; bytes: number; encoding: string; delimiter: string; dataRows: number; evidenceKey: string };
}

/** The provenance receipt that travels beside a released list (docs/list-format.md). */
export function buildReceipt(
  result: VerificationResult,
  context: { tenant?: string; callCenter?: string; review?: Receipt['review'] } = {},
): Receipt {
  const signature = result.attestation.signature;
  const receipt: Receipt = {
    receipt: 'filiera/provenance-receipt/v1',
    intakeId: result.intakeId,
    verdict: context.review ? (context.review.decision === 'approve' ? 'approved' : 'rejected') : result.verdict,
    decidedAt: context.review?.decidedAt ?? result.decidedAt,
    list: {
      sha256: result.list.sha256,
      bytes: result.list.bytes,
      encoding: result.list.encoding,
      dataRows: result.list.dataRows,
    },
    released: result.released ?? null,
    excluded: result.list.excluded,
    attestation: {
      sha256: result.attestation.sha256,
      format: result.attestation.format,
      signed: signature.present,
      ...(signature.signer ? { signer: signature.signer.subject } : {}),
      ...(signature.signingTime ? { signingTime: signature.signingTime } : {}),
    },
    findings: result.findings,
  };
  if (context.tenant) receipt.tenant = context.tenant;
  if (context.callCenter) receipt.callCenter = context.callCenter;
  if (context.review) receipt.review = context.review;
  return receipt;
}
