import { randomUUID } from 'node:crypto';
import { actorOf, type Principal } from '../auth/principal.js';
import { forbidden, invalidRequest } from '../errors.js';
import { normalizePhone } from '../list/phone.js';
import type { CheckedSampleRow } from '../consent/checks.js';
import type { ConsentSampleState } from '../intake/intake.js';
import type { SignerIdentity } from '../signature/model.js';
import type { TenantScope, TraceIndexRow } from '../ports/trace-index.js';
import { traceAuditKey, traceHashHex } from '../trace/index-layout.js';
import type { PipelineDeps } from './deps.js';

/** Who signed the attestation a release rests on, as its signature check named them. */
export interface TraceSigner {
  commonName?: string;
  serialNumber?: string;
  organizationName?: string;
}

export interface TracedRelease {
  intakeId: string;
  tenant: string;
  campaign: string;
  callCenter: string;
  releasedAt: string;
  signer: TraceSigner | null;
  consentDate: string | null;
  consentSource: string | null;
  /** The consent evidence when this number was in the release's consent sample (docs/consent-sampling.md), else null. */
  sample: TracedSample | null;
}

/** A sampled row as checked: its row, the evidence row matched, each check's outcome and the defects found. */
export interface TracedSample {
  row: number;
  evidenceRow: number | null;
  checks: Record<string, string> | null;
  defects: { check: string; message: string; messageIt: string }[];
}

export interface TraceResult {
  /** The number as searched: E.164, as list phones are normalised. */
  phone: string;
  /** Its keyed hash: what the index and the audit record hold. */
  hash: string;
  releases: TracedRelease[];
}

/** What the audit record of a trace holds: who, which hash, when, in what scope, what it found. Never the number. */
export interface TraceAuditRecord {
  type: 'trace.lookup';
  id: string;
  actor: string;
  at: string;
  hash: string;
  scope: TenantScope;
  found: string[];
}

/** Compliance in its scope, a committente its own tenant; call centers trace nothing (docs/api.md). */
export function traceScope(principal: Principal): TenantScope {
  switch (principal.role) {
    case 'committente':
      return [principal.tenantId];
    case 'compliance':
      return principal.tenants;
    case 'callcenter':
      throw forbidden('tracing a number is for compliance staff and committenti');
  }
}

function inScope(scope: TenantScope, tenant: string): boolean {
  return scope === 'all' || scope.includes(tenant);
}

/**
 * Answers a complaint: every release whose released list held this number (docs/api.md).
 *
 * 1. The caller's scope (a call center is refused).
 * 2. The number, in any notation, normalised as list phones are (section 3); not a valid number: 400.
 * 3. Its keyed hash under the deployment's key; the index is asked for that hash in the scope (every tenant: the
 *    configured tenants).
 * 4. Each trace is recorded in the evidence bucket (who, which hash, when, what it found) before it is answered:
 *    a lookup that cannot be recorded is not answered.
 * 5. Each release found gets its signer from its intake, when the intake is still kept.
 */
export async function traceNumber(deps: PipelineDeps, principal: Principal, phone: string): Promise<TraceResult> {
  const scope = traceScope(principal);
  const e164 = normalizePhone(phone);
  if (e164 === null) throw invalidRequest('phone: not a valid phone number');
  if (!deps.trace || !deps.traceKey) throw new Error('trace: no trace index or key is wired in this deployment');
  const hash = traceHashHex(await deps.traceKey.key(), e164);

  // "Every tenant" is asked as the configured tenants: Athena's partition projection reads only the tenants a query
  // names (infra/cdk/trace-engine.ts), and both engines get the same question.
  const tenants = scope === 'all' ? (await deps.config()).config.tenants.map((t) => t.id) : scope;
  const seen = new Set<string>();
  const rows: TraceIndexRow[] = [];
  for (const row of await deps.trace.find(tenants, hash)) {
    // A release indexed twice (a retry across a month's end) is one release; the engine's scope is checked again.
    if (!inScope(scope, row.tenant) || seen.has(row.intakeId)) continue;
    seen.add(row.intakeId);
    rows.push(row);
  }

  const now = deps.now();
  const id = randomUUID();
  const record: TraceAuditRecord = {
    type: 'trace.lookup',
    id,
    actor: actorOf(principal),
    at: now.toISOString(),
    hash,
    scope,
    found: rows.map((r) => r.intakeId),
  };
  await deps.objects.putObject(deps.buckets.evidence, traceAuditKey(now, id), new TextEncoder().encode(`${JSON.stringify(record)}\n`), {
    contentType: 'application/json',
    ifNoneMatch: '*',
  });
  deps.log.info('trace', { actor: record.actor, hash, found: rows.length });

  const releases = await Promise.all(
    rows.map(async (row): Promise<TracedRelease> => {
      const intake = await deps.intakes.get(row.intakeId);
      const signer = intake && intake.tenantId === row.tenant ? signerOf(intake.toSnapshot().attestation) : null;
      return {
        intakeId: row.intakeId,
        tenant: row.tenant,
        campaign: row.campaign,
        callCenter: row.callCenter,
        releasedAt: row.releasedAt,
        signer,
        consentDate: row.consentDate,
        consentSource: row.consentSource,
        sample: intake && intake.tenantId === row.tenant ? sampledRow(intake.consentSample, e164) : null,
      };
    }),
  );
  return { phone: e164, hash, releases };
}

/**
 * The number's row in the release's consent sample, from the intake's copy of the sample: code of conduct art. 6.1.a
 * expects the consent behind a complained-about number to be shown, and a sampled row's evidence was checked.
 */
function sampledRow(state: ConsentSampleState | undefined, e164: string): TracedSample | null {
  const row = state?.rows.find((r) => r.phone === e164);
  if (!state || !row) return null;
  const checked = 'checks' in row ? (row as CheckedSampleRow) : null;
  return {
    row: row.row,
    evidenceRow: checked?.evidenceRow ?? null,
    checks: checked ? { ...checked.checks } : null,
    defects: (state.defects ?? []).filter((d) => d.row === row.row).map((d) => ({ check: d.check, message: d.message, messageIt: d.messageIt })),
  };
}

function signerOf(attestation: Record<string, unknown> | undefined): TraceSigner | null {
  const signature = attestation?.signature as { signer?: SignerIdentity } | undefined;
  const s = signature?.signer;
  if (!s) return null;
  return {
    ...(s.commonName ? { commonName: s.commonName } : {}),
    ...(s.serialNumber ? { serialNumber: s.serialNumber } : {}),
    ...(s.organizationName ? { organizationName: s.organizationName } : {}),
  };
}
