/** A signature report a person can read: each check with its outcome, and who signed. */

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

export interface SignatureCheck {
  name:
    | 'integrity' // the signature verifies over the signed content (message digest + signature value)
    | 'coverage' // PAdES: the byte range spans the whole file
    | 'chain' // the certificate chains to a configured trust anchor
    | 'validity' // the certificate was valid at signing time
    | 'signing_certificate' // ESS signing-certificate-v2 matches the signer's certificate
    | 'identity'; // the signer identifies the tenant
  outcome: CheckOutcome;
  detail: string;
}

export interface SignatureReport {
  present: boolean;
  type?: 'CAdES' | 'PAdES';
  /** True when every applicable check passed. */
  valid: boolean;
  checks: SignatureCheck[];
  signer?: SignerIdentity;
  /** ISO 8601 signing time from the signed attributes, when present. */
  signingTime?: string;
  /** Without an RFC 3161 timestamp the signing time is the signer's own claim. */
  signingTimeSource: 'signed-attribute' | 'none';
  notes: string[];
}

export interface SignatureExpectations {
  /** PEM text of the trusted CA certificates. */
  trustAnchors: string[];
  /** The tenant's Partita IVA, 11 digits without IT. */
  tenantVat: string;
  /** Codici fiscali registered as signatories of the tenant. */
  signatories: string[];
  /** Used for validity when the signature carries no signing time. */
  now: Date;
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
  /** How many signature dictionaries the file holds; the last one is the evidence. */
  signatureCount: number;
  /** Set when the signature dictionary itself could not be read; the verifier reports it as an integrity failure. */
  problem?: string;
}
