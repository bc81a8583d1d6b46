import * as z from 'zod';
import { intakeStatuses } from '../intake/intake.js';
import type { ListReport } from '../list/model.js';
import type { AttestationFields } from '../attestation/model.js';
import { SIGNATURE_CHECK_ORDER, type SignatureCheckName, type SignatureReport } from '../signature/model.js';
import type { VerificationResult } from '../verification.js';
import { CheckedSampleRowSchema, ConsentDefectSchema, ConsentSampleRowSchema } from '../consent/schema.js';

/** The HTTP API's bodies (docs/api.md). Requests are parsed with these; responses are typed by them. */

export const CreateIntakeBody = z
  .object({
    callCenter: z.string().min(1).max(63).describe('id of one of the committente\'s call centers'),
    campaign: z.string().trim().min(1).max(200).describe('the campaign the list is for'),
    listBytes: z.number().int().positive().optional().describe("the list's size in bytes: its upload link then takes exactly that many (signed Content-Length); over the limit, 400"),
    attestationBytes: z.number().int().positive().optional().describe("the attestation's size in bytes, likewise (limit 50 MiB)"),
  })
  .strict();

/** POST /v1/intakes/{id}/uploads: optionally the files' sizes, bound into the fresh links as at opening. */
export const RenewUploadsBody = z
  .object({
    listBytes: CreateIntakeBody.shape.listBytes,
    attestationBytes: CreateIntakeBody.shape.attestationBytes,
  })
  .strict()
  .optional();

export const ReviewDecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    justification: z.string().trim().min(10, 'a written justification of at least 10 characters is required').max(4000),
  })
  .strict();

export const IntakeIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not an intake id') });

export const ListQuery = z.object({
  status: z.enum(intakeStatuses).optional(),
  tenant: z.string().optional(),
  callCenter: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().optional(),
  /** By age, for compliance listings and the review queue: newest first (default) or oldest first; a committente's are newest first. */
  order: z.enum(['newest', 'oldest']).optional(),
});

const Presigned = z.object({
  url: z.string(),
  method: z.enum(['PUT', 'GET']),
  headers: z.record(z.string(), z.string()),
  expiresAt: z.string(),
});

const FindingView = z.object({
  code: z.string(),
  severity: z.enum(['reject', 'review', 'info']),
  message: z.string(),
  messageIt: z.string().optional(),
  rule: z.string().optional(),
  field: z.string().optional(),
});

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The signature report as the verdict recorded it (docs/api.md, "The signature report"): the file's outcome, and for
 * each signature its signer, every check with its outcome and sentence (English, and Italian in detailIt), the ETSI EN
 * 319 102-1 indication with its sub-indication; a PDF's document timestamps apart. Intakes decided before a field
 * existed lack it: everything added since the first report is optional.
 */
const CheckOutcomeView = z.enum(['pass', 'fail', 'not_applicable', 'absent']);

const SignatureCheckView = z.object({
  name: z.enum(SIGNATURE_CHECK_ORDER as [SignatureCheckName, ...SignatureCheckName[]]),
  outcome: CheckOutcomeView,
  detail: z.string().describe('what was found, in English; names the trust anchor, the revocation source, the timestamp authority'),
  detailIt: z.string().optional().describe('the same in Italian'),
});

const SignerView = z.object({
  subject: z.string().describe('the certificate subject, RFC 4514 style'),
  issuer: z.string(),
  commonName: z.string().optional(),
  organizationIdentifier: z.string().optional().describe('2.5.4.97, e.g. VATIT-01234567897'),
  serialNumber: z.string().optional().describe('2.5.4.5, e.g. TINIT-RSSMRA80A01F205X'),
  organizationName: z.string().optional(),
  certificateSerial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});

const Indication = z.enum(['TOTAL-PASSED', 'INDETERMINATE', 'TOTAL-FAILED']).describe('ETSI EN 319 102-1 main indication');
const SubIndication = z
  .enum([
    'FORMAT_FAILURE',
    'HASH_FAILURE',
    'SIG_CRYPTO_FAILURE',
    'REVOKED',
    'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
    'NO_SIGNING_CERTIFICATE_FOUND',
    'NO_CERTIFICATE_CHAIN_FOUND',
    'CHAIN_CONSTRAINTS_FAILURE',
    'OUT_OF_BOUNDS_NO_POE',
    'NOT_YET_VALID',
    'REVOKED_NO_POE',
    'SIG_CONSTRAINTS_FAILURE',
    'TRY_LATER',
  ])
  .describe('ETSI EN 319 102-1 sub-indication, with INDETERMINATE and TOTAL-FAILED');
const SigningTimeSource = z.enum(['timestamp', 'signed-attribute', 'none']).describe("a verified RFC 3161 timestamp's time, else the signer's own claim");

const ChainFactsView = z
  .object({
    anchor: z.string().describe("the trust anchor's common name, else its subject"),
    source: z.enum(['configured', 'trusted-list']).describe('a PEM anchor of the configuration, or a trusted list\'s CA/QC service'),
    service: z.string().optional().describe("the trusted-list service (ServiceName) whose certificate the anchor is"),
    territory: z.string().optional().describe("that list's territory, e.g. IT"),
    path: z.array(z.string()).describe('the subjects of the path, signer first, anchor last'),
  })
  .describe('the trust anchor the chain reached (ETSI EN 319 102-1 5.2.6), when the chain check passed');

const RevocationFactsView = z
  .object({
    status: z.enum(['good', 'revoked', 'unknown']).describe('at the signing time'),
    certificate: z.string().optional().describe("the certificate the status is about: a revoked or unknown one of the path, else the signer's"),
    source: z.enum(['crl', 'ocsp']).optional(),
    origin: z.enum(['configured', 'embedded', 'fetched']).optional().describe('revocation.crls, carried in the signature or the PDF\'s /DSS, or fetched online'),
    url: z.string().optional().describe('where it was fetched from'),
    issuer: z.string().optional().describe('the certification authority whose revocation data it is'),
    issuedAt: z.string().optional().describe("the CRL's or OCSP response's thisUpdate"),
    revokedAt: z.string().optional(),
    reason: z.string().optional().describe('the CRLReason, e.g. keyCompromise'),
  })
  .describe('the revocation status and the data that gave it (ETSI EN 319 102-1 5.2.5)');

const TimestampFactsView = z
  .object({
    time: z.string().describe("the token's genTime"),
    authority: z.string().describe("the time-stamping authority's common name"),
    trusted: z.boolean().describe('a time-stamping authority chaining to a trust anchor or a trusted list\'s TSA service'),
    verified: z.boolean().describe('the token verifies over the signature value'),
  })
  .describe('the RFC 3161 signature timestamp (ETSI EN 319 102-1 5.4)');

const QualifiedFactsView = z
  .object({
    qualified: z.boolean(),
    qcCompliance: z.boolean().describe('the certificate declares itself qualified (QcCompliance)'),
    qcSSCD: z.boolean().describe('the key is declared on a qualified signature creation device (QcSSCD)'),
    service: z.string().optional().describe("the trusted list's CA/QC service on the certificate's path"),
    territory: z.string().optional(),
  })
  .describe('qualified status and its source');

export const SignatureValidationView = z.object({
  index: z.number().describe('1-based, in file order: outer envelope first, then its signers; PAdES in signing order'),
  label: z.string().describe('where the signature is, e.g. "envelope 1 of 1, signer 2 of 2"'),
  labelIt: z.string().optional(),
  type: z.enum(['CAdES', 'PAdES']),
  valid: z.boolean().describe('every check of this signature but identity passed'),
  identifiesTenant: z.boolean().describe('this signer identifies the tenant (at least one must)'),
  checks: z.array(SignatureCheckView),
  signer: SignerView.optional(),
  signingTime: z.string().optional(),
  signingTimeSource: SigningTimeSource,
  notes: z.array(z.string()),
  indication: Indication.optional(),
  subIndication: SubIndication.optional(),
  chain: ChainFactsView.optional(),
  revocation: RevocationFactsView.optional(),
  timestamp: TimestampFactsView.optional(),
  qualified: QualifiedFactsView.optional(),
});

export const DocumentTimestampView = z.object({
  index: z.number(),
  valid: z.boolean().describe('the token verifies over the bytes it covers'),
  trusted: z.boolean().describe('its authority chains to a trust anchor or a trusted list\'s TSA service'),
  time: z.string().optional(),
  authority: z.string().optional(),
  detail: z.string(),
  detailIt: z.string().optional(),
});

export const SignatureReportView = z.object({
  present: z.boolean(),
  type: z.enum(['CAdES', 'PAdES']).optional(),
  valid: z.boolean().describe('every signature passed every check, and one identifies the tenant'),
  checks: z.array(SignatureCheckView).describe('each check over the whole file: failed when it fails for any signature'),
  signer: SignerView.optional().describe('the signer who identifies the tenant, else the first'),
  signingTime: z.string().optional(),
  signingTimeSource: SigningTimeSource,
  notes: z.array(z.string()),
  signatures: z.array(SignatureValidationView).optional().describe('every signature of the file, each with its own checks'),
  indication: Indication.optional().describe("the file's: its worst signature's"),
  subIndication: SubIndication.optional(),
  documentTimestamps: z.array(DocumentTimestampView).optional(),
  chain: ChainFactsView.optional().describe("the tenant's signature's (else the first's), as signer"),
  revocation: RevocationFactsView.optional(),
  timestamp: TimestampFactsView.optional(),
  qualified: QualifiedFactsView.optional(),
});
export type SignatureReportView = z.infer<typeof SignatureReportView>;

/** What the verdict recorded of the attestation; a report too large for the item keeps only format and hash. */
export const AttestationView = z.object({
  format: z.string(),
  sha256: z.string(),
  fields: z.custom<AttestationFields>(isObject).optional().describe('extracted fields with raw text, value, confidence and source'),
  signature: SignatureReportView.optional(),
});
export type AttestationReport = z.infer<typeof AttestationView>;

// The engine's report must stay readable as this view: a field renamed or retyped there fails to compile here.
type Assignable<T extends U, U> = T;
export type EngineReportIsAView = [Assignable<SignatureReport, SignatureReportView>, Assignable<VerificationResult['attestation'], AttestationReport>];

export const IntakeView = z.object({
  intakeId: z.string(),
  tenant: z.string(),
  callCenter: z.string(),
  campaign: z.string(),
  status: z.enum(intakeStatuses),
  createdAt: z.string(),
  updatedAt: z.string(),
  uploadDeadline: z.string(),
  uploads: z.object({ list: z.boolean(), attestation: z.boolean() }),
  verdict: z.enum(['approved', 'review', 'rejected']).optional(),
  verdictAt: z.string().optional(),
  counts: z
    .object({
      dataRows: z.number(),
      releasedRows: z.number(),
      excluded: z.record(z.string(), z.number()),
    })
    .optional(),
  findings: z.array(FindingView),
  list: z.custom<ListReport>(isObject).optional().describe('the list report: hash, encoding, delimiter, samples'),
  attestation: AttestationView.optional().describe('format, hash, extracted fields with confidence, signature report'),
  review: z
    .object({ decision: z.enum(['approve', 'reject']), justification: z.string(), reviewer: z.string(), decidedAt: z.string() })
    .optional(),
  release: z.object({ releasedAt: z.string(), expiresAt: z.string() }).optional(),
  consentSample: z
    .object({
      seed: z.string(),
      sampledRows: z.number(),
      requestedAt: z.string(),
      deadline: z.string().describe('no evidence after this instant: rejected (consent_evidence_overdue)'),
      outcome: z.enum(['proceed', 'review', 'rejected', 'overdue']).optional(),
      defectiveRows: z.number().optional(),
      evidenceRefused: z.boolean().optional().describe('the last evidence file could not be read as evidence: upload a corrected one'),
    })
    .optional()
    .describe('the consent sample (Filiera specification §10), once drawn'),
});
export type IntakeView = z.infer<typeof IntakeView>;

export const CreateIntakeResponse = z.object({
  intakeId: z.string(),
  status: z.enum(intakeStatuses),
  uploads: z.object({ list: Presigned, attestation: Presigned }),
  expiresAt: z.string().describe('the upload links expire then'),
  uploadDeadline: z.string().describe('both files must arrive by then, or the intake expires'),
});

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional(), counts: z.record(z.string(), z.number()).optional() });

export const AuditEventView = z.object({
  intakeId: z.string(),
  seq: z.number(),
  at: z.string(),
  type: z.string(),
  actor: z.string(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

export const AuditResponse = z.object({
  intakeId: z.string(),
  head: z
    .object({ seq: z.number(), hash: z.string() })
    .optional()
    .describe("the trail's head recorded on the intake: the event at head.seq must carry head.hash, or events were dropped"),
  events: z.array(AuditEventView),
  chain: z.object({ valid: z.boolean(), brokenAt: z.number().optional(), reason: z.string().optional() }),
});

export const ReleaseSummary = z.object({
  intakeId: z.string(),
  tenant: z.string(),
  campaign: z.string(),
  releasedAt: z.string(),
  expiresAt: z.string(),
  releasedRows: z.number().optional(),
  expired: z.boolean(),
});

export const ReleaseLinks = z.object({
  intakeId: z.string(),
  downloadUrl: z.string(),
  receiptUrl: z.string(),
  expiresAt: z.string().describe('the links expire then (5 minutes)'),
  releaseExpiresAt: z.string().describe('no downloads after this instant: the RPO check turns too old'),
});

export const DocumentLinks = z.object({
  intakeId: z.string(),
  documents: z.array(
    z.object({
      kind: z.enum(['list', 'attestation', 'receipt']),
      url: z.string().describe('a GET link valid 5 minutes'),
      fileName: z.string(),
      sha256: z.string().optional().describe('the SHA-256 the verdict was reached on; compare with the file opened'),
      bytes: z.number().optional(),
    }),
  ),
  expiresAt: z.string().describe('the links expire then (5 minutes)'),
});

export const ErrorBody = z.object({ error: z.string(), message: z.string() });

/** GET /v1/call-centers: no parameters. */
export const CallCentersQuery = z.object({}).strict();

/** The call centers a committente may open an intake with (its tenant's configuration, docs/configuration.md). */
export const CallCentersResponse = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string() })),
});

/** docs/consent-sampling.md: the consent sample and, once checked, each row's checks and the defects. */
export const ConsentSampleQuery = z.object({
  format: z.enum(['json', 'csv']).optional().describe('csv: the sample with empty evidence columns to fill in and upload'),
});

const EvidenceErrorView = z.object({
  reason: z.string(),
  row: z.number().nullable(),
  sheetRow: z.number().nullable(),
  column: z.string().nullable(),
  message: z.string(),
  messageIt: z.string(),
});

export const ConsentSampleResponse = z.object({
  intakeId: z.string(),
  status: z.enum(intakeStatuses),
  seed: z.string().describe('SHA-256(list SHA-256 || attestation SHA-256 || nonce)'),
  size: z.number().describe('consentSampleSize in force at the draw'),
  requestedAt: z.string(),
  deadline: z.string(),
  rows: z.array(z.union([CheckedSampleRowSchema, ConsentSampleRowSchema])),
  defects: z.array(ConsentDefectSchema),
  outcome: z.enum(['proceed', 'review', 'rejected', 'overdue']).optional(),
  defectiveRows: z.number().optional(),
  refused: z.object({ at: z.string(), errors: z.array(EvidenceErrorView) }).optional().describe('the last evidence file refused as unreadable'),
});

export const EvidenceLinkQuery = z.object({
  evidenceBytes: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("the evidence file's size in bytes: the link then takes exactly that many (signed Content-Length); over 16 MiB, 400"),
});

export const EvidenceLinkResponse = z.object({
  intakeId: z.string(),
  status: z.enum(intakeStatuses),
  upload: Presigned,
  expiresAt: z.string().describe('the upload link expires then (15 minutes)'),
  deadline: z.string().describe('the evidence must arrive by then, or the intake is rejected'),
});

/** GET /v1/trace (docs/api.md): the number in any notation of section 3. */
export const TraceQuery = z.object({
  phone: z.string().min(1, 'a phone number is required').max(64, 'not a phone number'),
});

export const TracedReleaseView = z.object({
  intakeId: z.string(),
  tenant: z.string(),
  campaign: z.string(),
  callCenter: z.string(),
  releasedAt: z.string(),
  signer: z
    .object({ commonName: z.string().optional(), serialNumber: z.string().optional(), organizationName: z.string().optional() })
    .nullable()
    .describe("who signed the attestation the release rests on, from the intake's signature check"),
  consentDate: z.string().nullable().describe("the row's consent date (YYYY-MM-DD), when the list had one"),
  consentSource: z.string().nullable().describe("the row's consent source as released, when the list had one"),
  sample: z
    .object({
      row: z.number(),
      evidenceRow: z.number().nullable(),
      checks: z.record(z.string(), z.string()).nullable(),
      defects: z.array(z.object({ check: z.string(), message: z.string(), messageIt: z.string() })),
    })
    .nullable()
    .describe("the consent evidence checked for this number when it was in the release's consent sample, else null"),
});

export const TraceResponse = z.object({
  phone: z.string().describe('the number as searched, in E.164'),
  hash: z.string().describe('its keyed hash (HMAC-SHA-256): what the index and the audit record hold'),
  releases: z.array(TracedReleaseView).describe('every release in scope whose released list held the number, newest first'),
});
