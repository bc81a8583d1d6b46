import { intakePrefix } from './object-keys.js';

/**
 * Where an intake's evidence lives in the evidence bucket (PRODUCT.md section 9): the signed attestation as uploaded
 * and the receipt as released, under the tenant's prefix as in the intake bucket. That bucket keeps them for the
 * evidence retention under Object Lock, long after the contact data is gone.
 */
export function evidenceKeys(tenantId: string, intakeId: string): { attestation: string; receipt: string } {
  const prefix = intakePrefix(tenantId, intakeId);
  return { attestation: `${prefix}attestation`, receipt: `${prefix}receipt.json` };
}
