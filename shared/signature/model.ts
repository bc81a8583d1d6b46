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
