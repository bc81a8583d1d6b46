/**
 * The validation status of a signature in the terms of ETSI EN 319 102-1 (section 5.1.3): TOTAL-PASSED,
 * TOTAL-FAILED or INDETERMINATE with a sub-indication, as EU DSS reports them, from the checks the verifier made.
 * Identity and the qualified status are Filiera's policy, not part of the standard's validation: they do not enter
 * the indication; an unusable timestamp only means the claimed time is used.
 */
import type { SignatureCheck } from './model.js';

export type Indication = 'TOTAL-PASSED' | 'INDETERMINATE' | 'TOTAL-FAILED';
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'NOT_YET_VALID'
  | 'REVOKED_NO_POE'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'TRY_LATER';

export interface ValidationStatus {
  indication: Indication;
  subIndication?: SubIndication;
}

/** The coverage sentences (verify.ts) of a byte range that is malformed, not of a file changed after signing. */
const BYTE_RANGE_FORMAT = /no readable \/ByteRange|signed bytes start at offset|signed ranges overlap|beyond the end of the file|no \/Contents hex string|unsigned gap .* is not exactly/;

const RANK: Record<Indication, number> = { 'TOTAL-PASSED': 0, INDETERMINATE: 1, 'TOTAL-FAILED': 2 };

export function indicationOf(checks: SignatureCheck[]): ValidationStatus {
  const get = (name: SignatureCheck['name']) => checks.find((c) => c.name === name);
  const failed = (name: SignatureCheck['name']) => get(name)?.outcome === 'fail';
  const integrity = get('integrity');
  // A /ByteRange that is not one signed PDF revision around its own /Contents is a malformed signature, whatever its
  // digest then says (EU DSS checks the byte range first: FORMAT_FAILURE).
  const coverage = get('coverage');
  if (coverage?.outcome === 'fail' && BYTE_RANGE_FORMAT.test(coverage.detail)) return { indication: 'TOTAL-FAILED', subIndication: 'FORMAT_FAILURE' };
  if (integrity?.outcome === 'fail') {
    const d = integrity.detail;
    if (/not accepted|too weak/.test(d)) return { indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' };
    if (/altered after signing|message imprint|messageDigest/.test(d)) return { indication: 'TOTAL-FAILED', subIndication: 'HASH_FAILURE' };
    if (/does not verify with the signer's public key/.test(d)) return { indication: 'TOTAL-FAILED', subIndication: 'SIG_CRYPTO_FAILURE' };
    if (/certificate is not included/.test(d)) return { indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' };
    return { indication: 'TOTAL-FAILED', subIndication: 'FORMAT_FAILURE' };
  }
  if (integrity?.outcome !== 'pass') return { indication: 'TOTAL-FAILED', subIndication: 'FORMAT_FAILURE' };
  if (failed('coverage')) return { indication: 'TOTAL-FAILED', subIndication: 'FORMAT_FAILURE' };
  const revocation = get('revocation');
  if (revocation?.outcome === 'fail') {
    return /before the signing time/.test(revocation.detail)
      ? { indication: 'TOTAL-FAILED', subIndication: 'REVOKED' }
      : { indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE' };
  }
  if (failed('signing_certificate')) return { indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' };
  const chain = get('chain');
  if (chain?.outcome === 'fail') {
    return /does not chain|No trust anchor|longer than/.test(chain.detail)
      ? { indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' }
      : /is signed with/.test(chain.detail)
        ? { indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' }
        : /was not valid at/.test(chain.detail)
          ? { indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' }
          : { indication: 'INDETERMINATE', subIndication: 'CHAIN_CONSTRAINTS_FAILURE' };
  }
  if (failed('key_usage')) return { indication: 'INDETERMINATE', subIndication: 'CHAIN_CONSTRAINTS_FAILURE' };
  const validity = get('validity');
  if (validity?.outcome === 'fail') {
    return /not yet valid/.test(validity.detail)
      ? { indication: 'INDETERMINATE', subIndication: 'NOT_YET_VALID' }
      : { indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' };
  }
  if (failed('signing_time')) return { indication: 'INDETERMINATE', subIndication: 'SIG_CONSTRAINTS_FAILURE' };
  if (revocation?.outcome === 'absent' && chain?.outcome === 'pass') return { indication: 'INDETERMINATE', subIndication: 'TRY_LATER' };
  return { indication: 'TOTAL-PASSED' };
}

/** A file is as good as its worst signature. */
export function worstOf(statuses: ValidationStatus[]): ValidationStatus {
  return statuses.reduce((worst, s) => (RANK[s.indication] > RANK[worst.indication] ? s : worst), { indication: 'TOTAL-PASSED' } as ValidationStatus);
}
