import type { SignatureExpectations, SignatureReport } from '../signature/model.js';
import { verifySignature } from '../signature/verify.js';
import type { AttestationDocument } from './model.js';
import { readAttestation, type ReadOptions } from './reader.js';

export interface ExaminedAttestation {
  document: AttestationDocument;
  signature: SignatureReport;
}

/** Reads the attestation and verifies its signature, if any: the attestation's half of the verdict's inputs. */
export async function examineAttestation(
  bytes: Uint8Array,
  expectations: SignatureExpectations,
  options: ReadOptions = {},
): Promise<ExaminedAttestation> {
  const { document, signed } = await readAttestation(bytes, options);
  const signature: SignatureReport = signed
    ? signed.type === 'PAdES' && document.readError
      ? unverifiedPades(document.readError, document.readErrorIt)
      : await verifySignature(signed, expectations)
    : {
        present: false,
        valid: false,
        checks: [],
        signingTimeSource: 'none',
        notes: ['The attestation carries no digital signature.'],
      };
  return { document, signature };
}

/**
 * A signed PDF that cannot be read (encrypted, corrupt, or over the reading bounds of docs/limits-and-retention.md) is
 * rejected as unreadable; its signature is not verified, because comparing its revisions means parsing the PDF
 * whole, which is what the bounds refused.
 */
function unverifiedPades(reason: string, reasonIt: string | undefined): SignatureReport {
  const en = `The signature was not verified: the PDF cannot be read (${reason.replace(/\.$/, '')})`;
  const it = `La firma non è stata verificata: il PDF non è leggibile (${(reasonIt ?? reason).replace(/\.$/, '')})`;
  return {
    present: true,
    type: 'PAdES',
    valid: false,
    checks: [{ name: 'integrity', outcome: 'fail', detail: en, detailIt: it }],
    signingTimeSource: 'none',
    notes: [],
  };
}
