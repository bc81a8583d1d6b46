/**
 * The object keys of shared/intake/object-keys.ts as IAM resource patterns: each `*` stands for a tenant, intake or
 * call-center id, known only at run time. Functions are granted object access per pattern, never per bucket, and
 * each pattern carries the reason that acknowledges its wildcard to cdk-nag (test/infra checks that the keys the
 * code builds match these patterns).
 */
export interface KeyPattern {
  pattern: string;
  /** What lives there, for the acknowledgement a reviewer reads. */
  holds: string;
}

export const intakeKeys = {
  listUpload: { pattern: 'tenants/*/intakes/*/list.csv', holds: "the committente's uploaded contact list" },
  attestationUpload: { pattern: 'tenants/*/intakes/*/attestation', holds: "the committente's uploaded attestation" },
  stagedList: { pattern: 'tenants/*/intakes/*/cleaned.csv', holds: 'the cleaned list staged by processing' },
  receipt: { pattern: 'tenants/*/intakes/*/receipt.json', holds: 'the verification receipt' },
  consentEvidence: { pattern: 'tenants/*/intakes/*/consent-evidence.csv', holds: "the committente's uploaded consent evidence for the sample" },
} as const satisfies Record<string, KeyPattern>;

export const releaseKeys = {
  list: { pattern: 'callcenters/*/releases/*/list.csv', holds: "a released list in its call center's prefix" },
  receipt: { pattern: 'callcenters/*/releases/*/receipt.json', holds: 'the receipt released beside the list' },
} as const satisfies Record<string, KeyPattern>;

/** The evidence bucket (shared/intake/evidence-keys.ts): written by the release step, kept under Object Lock. */
export const evidenceKeys = {
  attestation: { pattern: 'tenants/*/intakes/*/attestation', holds: 'the signed attestation as uploaded, kept as evidence' },
  receipt: { pattern: 'tenants/*/intakes/*/receipt.json', holds: 'the receipt as released, kept as evidence' },
  consentEvidence: { pattern: 'tenants/*/intakes/*/consent-evidence.csv', holds: 'the consent evidence of the sample, kept as evidence' },
} as const satisfies Record<string, KeyPattern>;

/**
 * The trace index in the evidence bucket (shared/trace/index-layout.ts, docs/api.md), written by the release
 * step and read by the trace function, and the audit record of each trace, written by the trace function.
 */
export const traceKeys = {
  index: { pattern: 'trace/tenant=*/month=*/*.parquet', holds: "a release's trace index: keyed hashes of its numbers, none in clear" },
  audit: { pattern: 'trace-audit/day=*/*.json', holds: 'the audit record of one trace: who looked up which hash, when' },
} as const satisfies Record<string, KeyPattern>;

export const uploadKeys: readonly KeyPattern[] = [intakeKeys.listUpload, intakeKeys.attestationUpload];
export const allIntakeKeys: readonly KeyPattern[] = Object.values(intakeKeys);
export const allReleaseKeys: readonly KeyPattern[] = Object.values(releaseKeys);
export const allEvidenceKeys: readonly KeyPattern[] = Object.values(evidenceKeys);

/** The reason given to cdk-nag for one pattern's wildcards. */
export function wildcardReason(key: KeyPattern): string {
  return (
    `Object-level S3 access limited to the server-chosen key pattern "${key.pattern}" (${key.holds}), ` +
    'as built by shared/intake/object-keys.ts; the wildcards stand for tenant, call-center and intake ids that exist ' +
    'only at run time, and the bucket is named exactly.'
  );
}

/** IAM's glob: `*` matches any run of characters, `/` included. */
export function matchesPattern(key: string, pattern: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return regex.test(key);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
