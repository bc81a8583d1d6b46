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
    ? await verifySignature(signed, expectations)
    : {
        present: false,
        valid: false,
        checks: [],
        signingTimeSource: 'none',
        notes: ['The attestation carries no digital signature.'],
      };
  return { document, signature };
}
