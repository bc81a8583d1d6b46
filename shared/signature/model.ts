/** A signature report a person can read: each check with its outcome, and who signed. */
import type { CmsLimits } from './cms.js';
import type { ValidationStatus } from './indication.js';
import type { TrustedList } from './trusted-list.js';
import type { RevocationLookup } from '../ports/revocation-fetcher.js';

export type CheckOutcome = 'pass' | 'fail' | 'not_applicable' | 'absent';

export interface SignerIdentity {
  /** RFC 4514-ish rendering of the subject, e.g. "CN=Mario Rossi, 2.5.4.97=VATIT-01234567897, ..." */
  subject: string;
  issuer: string;
  commonName?: string;
  /** 2.5.4.97, e.g. VATIT-01234567897 */
  organizationIdentifier?: string;
  /** 2.5.4.5, e.g. TINIT-RSSMRA80A01F205X */
  serialNumber?: string;
  organizationName?: string;
  certificateSerial: string;
  notBefore: string;
  notAfter: string;
}

export type SignatureCheckName =
  | 'integrity' // the signature verifies over the signed content, with accepted algorithms and key sizes
  | 'coverage' // PAdES: the byte range spans the whole file, later updates only add validation data or signatures
  | 'chain' // the certificate chains to a trust anchor through certification authorities
  | 'validity' // the certificate was valid at signing time
  | 'key_usage' // an end-entity certificate whose key usage and extended key usage allow signing documents
  | 'signing_time' // the signing time is not later than processing (5 minutes of clock skew)
  | 'revocation' // not revoked at signing time, by the CRLs configured or carried in the signature
  | 'timestamp' // an RFC 3161 signature timestamp verified against a trusted authority gives the signing time
  | 'signing_certificate' // ESS signing-certificate-v2 matches the signer's certificate
  | 'identity' // the signer identifies the tenant
  | 'qualified'; // a qualified electronic signature: QC statements and a trusted list's CA/QC service (never a failure by itself)

export const SIGNATURE_CHECK_ORDER: SignatureCheckName[] = [
  'integrity',
  'coverage',
  'chain',
  'validity',
  'key_usage',
  'signing_time',
  'timestamp',
  'revocation',
  'signing_certificate',
  'identity',
  'qualified',
];

export interface SignatureCheck {
  name: SignatureCheckName;
  outcome: CheckOutcome;
  detail: string;
  /** The same sentence in Italian (a finding's Italian message carries no English detail); the verifier always sets it. */
  detailIt?: string;
}

/**
 * The trust anchor a signer's certificate path reached (ETSI EN 319 102-1 5.2.6, X.509 certificate validation), set
 * when the chain check passed.
 */
export interface ChainFacts {
  /** The anchor's subject common name, else its whole subject. */
  anchor: string;
  /** A PEM certificate of the configuration (trustAnchors), or a trusted list's CA/QC service granted at the signing time. */
  source: 'configured' | 'trusted-list';
  /** The trusted-list service (ServiceName) whose certificate the anchor is, when a configured list has it. */
  service?: string;
  /** That list's territory, e.g. IT. */
  territory?: string;
  /** The path's subjects (RFC 4514 style), signer first, anchor last. */
  path: string[];
}

/**
 * The revocation status at the signing time (ETSI EN 319 102-1 5.2.5, revocation freshness and status): of the
 * certificate that decided it (a revoked or unknown certificate of the path), else of the signer's certificate.
 */
export interface RevocationFacts {
  status: 'good' | 'revoked' | 'unknown';
  /** The certificate the status is about (its common name): the signer's, or the CA certificate that was revoked or unknown. */
  certificate?: string;
  /** The revocation data that gave the status: a CRL or an OCSP response. */
  source?: 'crl' | 'ocsp';
  /** From configuration (revocation.crls), carried in the signature or the PDF's /DSS, or fetched online (revocation.fetch). */
  origin?: 'configured' | 'embedded' | 'fetched';
  /** Where it was fetched from, when fetched. */
  url?: string;
  /** The certification authority whose revocation data it is (its common name). */
  issuer?: string;
  /** When that CRL or OCSP response was issued (thisUpdate), ISO 8601. */
  issuedAt?: string;
  /** When the certificate was revoked (also for a revocation after the signing time that leaves the signature standing). */
  revokedAt?: string;
  /** The CRLReason (RFC 5280 5.3.1), e.g. keyCompromise; absent when none is stated. */
  reason?: string;
}

/** The RFC 3161 signature timestamp over the signature value (ETSI EN 319 102-1 5.4, time-stamp validation). */
export interface TimestampFacts {
  /** genTime, ISO 8601. */
  time: string;
  /** The time-stamping authority's certificate common name. */
  authority: string;
  /** The authority is a time-stamping authority chaining to a trust anchor (configured, or a trusted list's TSA service). */
  trusted: boolean;
  /** The token verifies over the signature value (messageImprint and the authority's signature). */
  verified: boolean;
}

/** Qualified status (eIDAS art. 3(12)): the certificate's QC statements and a trusted list's CA/QC service on its path. */
export interface QualifiedFacts {
  qualified: boolean;
  /** The certificate declares itself qualified (ETSI EN 319 412-5 QcCompliance). */
  qcCompliance: boolean;
  /** The key is declared to be on a qualified signature creation device (QcSSCD). */
  qcSSCD: boolean;
  /** The trusted list's CA/QC service (ServiceName) granted at the signing time on the certificate's path. */
  service?: string;
  /** That list's territory, e.g. IT. */
  territory?: string;
}

/** One signature of the file: a SignerInfo of an envelope, or a PAdES signature field. */
export interface SignatureValidation {
  /** 1-based, in file order: outer envelope first, then its signers; PAdES in the order the fields were signed. */
  index: number;
  /** Where it is, e.g. "envelope 2 of 2, signer 1 of 1" or "PDF signature 2 of 3". */
  label: string;
  labelIt: string;
  type: 'CAdES' | 'PAdES';
  /** Every check but identity passed (identity is judged over the whole file: at least one signer names the tenant). */
  valid: boolean;
  identifiesTenant: boolean;
  checks: SignatureCheck[];
  signer?: SignerIdentity;
  signingTime?: string;
  signingTimeSource: 'timestamp' | 'signed-attribute' | 'none';
  notes: string[];
  /** ETSI EN 319 102-1 validation status (TOTAL-PASSED / INDETERMINATE / TOTAL-FAILED and sub-indication). */
  indication: ValidationStatus['indication'];
  subIndication?: ValidationStatus['subIndication'];
  /** The facts the checks' sentences state, for a report an auditor reads field by field (docs/api.md). */
  chain?: ChainFacts;
  revocation?: RevocationFacts;
  timestamp?: TimestampFacts;
  qualified?: QualifiedFacts;
}

/** An RFC 3161 document timestamp in a PDF: not a signature, verified as a timestamp. */
export interface DocumentTimestampReport {
  index: number;
  /** The token verifies over the byte range it covers (messageImprint and the authority's signature). */
  valid: boolean;
  /** The authority chains to a trusted anchor (a configured one; trusted lists' TSA services when configured). */
  trusted: boolean;
  time?: string;
  authority?: string;
  detail: string;
  detailIt: string;
}

export interface SignatureReport {
  present: boolean;
  type?: 'CAdES' | 'PAdES';
  /** True when every applicable check passed. */
  valid: boolean;
  /** Each check over the whole file: a check fails when it fails for any signature (a file is as good as its worst). */
  checks: SignatureCheck[];
  /** The signer who identifies the tenant (else the first). */
  signer?: SignerIdentity;
  /** ISO 8601 signing time of that signature, when present. */
  signingTime?: string;
  /** A verified signature timestamp of a trusted authority, else the signer's own claim. */
  signingTimeSource: 'timestamp' | 'signed-attribute' | 'none';
  notes: string[];
  /** Every signature of the file, each with its own checks. */
  signatures?: SignatureValidation[];
  /** ETSI EN 319 102-1 status of the file: its worst signature's. */
  indication?: ValidationStatus['indication'];
  subIndication?: ValidationStatus['subIndication'];
  documentTimestamps?: DocumentTimestampReport[];
  /** The facts of the signature that identifies the tenant (else the first), as in `signer`. */
  chain?: ChainFacts;
  revocation?: RevocationFacts;
  timestamp?: TimestampFacts;
  qualified?: QualifiedFacts;
}

export interface SignatureExpectations {
  /** PEM text of the trusted CA certificates. */
  trustAnchors: string[];
  /** The tenant's Partita IVA, 11 digits without IT. */
  tenantVat: string;
  /** Codici fiscali registered as signatories of the tenant. */
  signatories: string[];
  /** Used for validity when the signature carries no signing time, and to refuse signing times in the future. */
  now: Date;
  /** Parser bounds (docs/limits-and-retention.md); tests lower them. */
  limits?: CmsLimits;
  /** DER of the CRLs from configuration (docs/configuration.md, revocation.crls). */
  crls?: Uint8Array[];
  /** Trusted lists already verified against their signers (docs/configuration.md, trustedLists). */
  trustedLists?: TrustedList[];
  /** Revocation data fetched online (docs/configuration.md, revocation.fetch); absent: nothing is fetched. */
  revocationLookup?: RevocationLookup;
}

/**
 * What the attestation reader hands to the verifier: the CMS and what it signs.
 * CAdES (attached): the encapsulated content. PAdES (detached): the whole file and the byte range the signature
 * dictionary declares; the verifier hashes the ranges and checks they cover every byte.
 */
export type SignedEvidence = CadesEvidence | PadesEvidence;

export interface CadesEvidence {
  type: 'CAdES';
  /** DER of the ContentInfo (base64 already decoded). */
  cms: Uint8Array;
  /** The encapsulated content (the PDF), or null when the envelope carries none (detached). */
  content: Uint8Array | null;
  /** Length of the file as uploaded. */
  fileLength: number;
}

/** One signature dictionary of a PDF (a signature or an RFC 3161 document timestamp). */
export interface PadesSignatureField {
  /** DER of the CMS found in /Contents (trailing zero padding removed); empty when it could not be decoded. */
  cms: Uint8Array;
  byteRange: number[] | null;
  contents: { start: number; end: number } | null;
  subFilter?: string;
  /** /Type /DocTimeStamp or /SubFilter /ETSI.RFC3161: a document timestamp, not a signature. */
  kind: 'signature' | 'document-timestamp';
  /**
   * The dictionary's /M, ISO 8601: where PAdES puts the signer's claimed signing time (ETSI EN 319 142-1 forbids the
   * CMS signing-time attribute), signed with the rest of the dictionary.
   */
  claimedTime?: string;
  problem?: string;
  problemIt?: string;
}

/**
 * The PDF's signature dictionaries. The top-level cms, byteRange, contents and subFilter are the last dictionary's;
 * `signatures` holds every one in file order (when absent, the top-level one is the only one).
 */
export interface PadesEvidence {
  type: 'PAdES';
  /** DER of the CMS found in /Contents (trailing zero padding removed); empty when it could not be decoded. */
  cms: Uint8Array;
  /** The whole file as uploaded: the byte ranges point into it. */
  file: Uint8Array;
  fileLength: number;
  /** /ByteRange as written: [offset1, length1, offset2, length2]; null when missing or malformed. */
  byteRange: number[] | null;
  /** Where the /Contents hex string (from '<' to '>' inclusive) sits in the file: [start, end) offsets. */
  contents: { start: number; end: number } | null;
  /** /SubFilter of the signature dictionary, e.g. 'adbe.pkcs7.detached' or 'ETSI.CAdES.detached'. */
  subFilter?: string;
  /** How many signature dictionaries the file holds. */
  signatureCount: number;
  /** Set when the signature dictionary itself could not be read; the verifier reports it as an integrity failure. */
  problem?: string;
  problemIt?: string;
  kind?: PadesSignatureField['kind'];
  signatures?: PadesSignatureField[];
}
