import { intakePrefix } from './object-keys.js';

/**
 * Where an intake's evidence lives in the evidence bucket (docs/limits-and-retention.md): the signed attestation as uploaded
 * and the receipt as released, under the tenant's prefix as in the intake bucket. That bucket keeps them for the
 * evidence retention under Object Lock, long after the contact data is gone.
 */
export function evidenceKeys(tenantId: string, intakeId: string): { attestation: string; receipt: string; consentEvidence: string } {
  const prefix = intakePrefix(tenantId, intakeId);
  // The consent evidence (docs/consent-sampling.md) is kept with the signed attestation it answers for.
  return { attestation: `${prefix}attestation`, receipt: `${prefix}receipt.json`, consentEvidence: `${prefix}consent-evidence.csv` };
}
