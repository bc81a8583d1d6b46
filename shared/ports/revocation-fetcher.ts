/**
 * Revocation data fetched online (docs/configuration.md, `revocation.fetch`): the CRLs at a certificate's CRL
 * distribution points and the answers of its OCSP responder. The domain decides what to ask and checks what comes
 * back (shared/signature/online-revocation.ts); these ports only move bytes: HTTP in AWS and in the embedded stack
 * (shared/adapters/http), a table of answers in tests.
 */

/** One request: a CRL by GET, or an OCSP request (DER) POSTed to a responder. */
export type RevocationRequest = { kind: 'crl'; url: string } | { kind: 'ocsp'; url: string; request: Uint8Array };

/** The body the server answered with, or why there is none (a sentence naming the cause, e.g. "timed out after 3 s"). */
export type RevocationResponse = { der: Uint8Array } | { error: string };

export interface RevocationFetcher {
  /**
   * Never throws: a fault is an `error`. `signal` aborts when the verification's budget is spent; the adapter adds its
   * own per-request limit.
   */
  fetch(request: RevocationRequest, signal: AbortSignal): Promise<RevocationResponse>;
}

/** Fetched answers kept until they go stale: an item with a TTL in the app's DynamoDB table, or memory. */
export interface CachedRevocation {
  der: Uint8Array;
  expiresAt: Date;
}

export interface RevocationCache {
  /** What is kept under `key`, unless it expired before `now`. */
  get(key: string, now: Date): Promise<CachedRevocation | undefined>;
  put(key: string, der: Uint8Array, expiresAt: Date): Promise<void>;
}

/** A certificate whose status is asked, and its issuer (DER both): what an OCSP request and a CRL's check need. */
export interface RevocationSubject {
  certificate: Uint8Array;
  issuer: Uint8Array;
}

/** What was found for a set of certificates: CRLs and OCSP responses (DER), where each came from, what failed. */
export interface FetchedRevocation {
  crls: Uint8Array[];
  ocsps: Uint8Array[];
  /** The URL each DER above came from (by identity), and whether it was read from the cache. */
  origins: Map<Uint8Array, { url: string; cached: boolean }>;
  /** Per subject (key: revocationSubjectKey), the URLs that gave nothing usable and why (no URL: nothing to ask). */
  problems: Map<string, { url?: string; cause: string }[]>;
}

/** The port the signature verifier sees: given certificates and their issuers, the revocation data found online. */
export interface RevocationLookup {
  lookup(subjects: RevocationSubject[]): Promise<FetchedRevocation>;
}
