/**
 * Object keys are chosen by the server, never taken from a client's file name (docs/api.md): an upload link
 * is bound to exactly one of these keys under the tenant's prefix.
 */
export type UploadKind = 'list' | 'attestation';
export const uploadKinds: readonly UploadKind[] = ['list', 'attestation'];

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function segment(value: string, what: string): string {
  if (!SAFE_SEGMENT.test(value) || value.includes('..')) throw new RangeError(`unsafe ${what} for an object key: "${value}"`);
  return value;
}

export function tenantPrefix(tenantId: string): string {
  return `tenants/${segment(tenantId, 'tenant id')}/`;
}

export function intakePrefix(tenantId: string, intakeId: string): string {
  return `${tenantPrefix(tenantId)}intakes/${segment(intakeId, 'intake id')}/`;
}

/** Where an intake's upload lives in the intake bucket. */
export function uploadKey(tenantId: string, intakeId: string, kind: UploadKind): string {
  return intakePrefix(tenantId, intakeId) + (kind === 'list' ? 'list.csv' : 'attestation');
}

/** The receipt written beside the uploads once a verdict is reached. */
export function receiptKey(tenantId: string, intakeId: string): string {
  return intakePrefix(tenantId, intakeId) + 'receipt.json';
}

/**
 * Where a release lives in the release bucket, per call center. The keys are a function of the intake only, so a
 * retried release step overwrites the same objects with the same bytes instead of publishing a second copy.
 */
export function releaseKeys(callCenterId: string, intakeId: string): { key: string; receiptKey: string } {
  const prefix = `callcenters/${segment(callCenterId, 'call center id')}/releases/${segment(intakeId, 'intake id')}/`;
  return { key: prefix + 'list.csv', receiptKey: prefix + 'receipt.json' };
}

/**
 * Where the committente uploads the consent sample's evidence (docs/consent-sampling.md), beside the intake's other
 * uploads; the link is bound to this key as the others are to theirs.
 */
export function consentEvidenceKey(tenantId: string, intakeId: string): string {
  return intakePrefix(tenantId, intakeId) + 'consent-evidence.csv';
}

/** Tells which upload an object key of the intake bucket is, or null when it is none (events for other objects). */
export function parseUploadKey(key: string): { tenantId: string; intakeId: string; kind: UploadKind | 'evidence' } | null {
  const match = /^tenants\/([^/]+)\/intakes\/([^/]+)\/(list\.csv|attestation|consent-evidence\.csv)$/.exec(key);
  if (!match) return null;
  const kind = match[3] === 'list.csv' ? 'list' : match[3] === 'attestation' ? 'attestation' : 'evidence';
  return { tenantId: match[1]!, intakeId: match[2]!, kind };
}

/**
 * The cleaned list as the engine wrote it while processing, kept beside the uploads until the release step copies it
 * to the call center. A list uploaded again later never reaches this key: only processing writes it.
 */
export function stagedListKey(tenantId: string, intakeId: string): string {
  return intakePrefix(tenantId, intakeId) + 'cleaned.csv';
}
