import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { MemoryObjectStore } from '../../../shared/adapters/memory/memory-object-store.js';
import { parseConfig } from '../../../shared/config.js';
import { Intake, type IntakeTransition, type VerdictInput } from '../../../shared/intake/intake.js';
import { receiptKey, stagedListKey } from '../../../shared/intake/object-keys.js';
import { silentLogger, type PipelineDeps } from '../../../shared/pipeline/deps.js';

/**
 * An intake carried to a verdict in memory, without reading documents: the uploads, the staged list and the receipt
 * are written as processing would leave them, so that the release step and the queries can be tested on their own.
 */
export const BUCKETS = { intake: 'filiera-intake', release: 'filiera-release', evidence: 'filiera-evidence' } as const;
export const NOW = new Date('2026-04-01T08:00:00.000Z');
export const ATTESTATION_BYTES = new TextEncoder().encode('%PDF-1.7 signed attestation as uploaded');

export type MemoryDeps = PipelineDeps & { intakes: MemoryIntakeRepository; objects: MemoryObjectStore };

export function memoryDeps(now = NOW): MemoryDeps {
  return {
    intakes: new MemoryIntakeRepository(),
    objects: new MemoryObjectStore(Object.values(BUCKETS), { versioning: true }),
    buckets: { ...BUCKETS },
    config: async () => ({
      config: parseConfig({
        tenants: [
          { id: 'acme', name: 'Acme Energia S.p.A.', vat: 'IT01234567897', callCenters: ['cc-napoli'] },
          { id: 'beta', name: 'Beta Gas S.r.l.', vat: 'IT98765432103', callCenters: ['cc-napoli'] },
        ],
        callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
      }),
      file: 'test',
      trustAnchorPems: [],
    }),
    now: () => now,
    log: silentLogger,
  };
}

const apply = (deps: PipelineDeps, t: IntakeTransition) => deps.intakes.transition(t.intakeId, t.expected, t.changes, t.event);

/** Opens an intake, records both uploads and a verdict; returns the intake as stored. */
export async function intakeWithVerdict(
  deps: MemoryDeps,
  options: { tenantId?: string; verdict?: VerdictInput['verdict']; at?: Date; verdictInput?: Partial<VerdictInput> } = {},
): Promise<Intake> {
  const at = options.at ?? NOW;
  const tenantId = options.tenantId ?? 'acme';
  const ctx = { actor: 'system:test', now: at };
  const { intake, event } = Intake.open({ tenantId, callCenterId: 'cc-napoli', campaign: 'luce', actor: `committente:${tenantId}:alice`, now: at });
  await deps.intakes.create(intake, event);
  let current = intake;
  for (const kind of ['list', 'attestation'] as const) {
    const bytes = kind === 'list' ? new TextEncoder().encode('telefono\n+393471234567\n') : ATTESTATION_BYTES;
    const head = await deps.objects.putObject(BUCKETS.intake, current.uploadKey(kind), bytes, { contentType: 'application/octet-stream' });
    await apply(
      deps,
      current.recordUpload(
        kind,
        { key: current.uploadKey(kind), size: head.size, etag: head.etag, uploadedAt: at.toISOString(), ...(head.versionId ? { versionId: head.versionId } : {}) },
        ctx,
      ),
    );
    current = (await deps.intakes.get(intake.intakeId))!;
  }
  // A later write at the attestation key: the evidence is the version recorded when the upload arrived.
  await deps.objects.putObject(BUCKETS.intake, current.uploadKey('attestation'), new TextEncoder().encode('a later file'), { contentType: 'application/pdf' });
  await apply(deps, current.startProcessing(ctx));
  current = (await deps.intakes.get(intake.intakeId))!;
  const receipt = receiptKey(tenantId, intake.intakeId);
  await deps.objects.putObject(BUCKETS.intake, stagedListKey(tenantId, intake.intakeId), new TextEncoder().encode('telefono\n+393471234567\n'), {
    contentType: 'text/csv',
  });
  await deps.objects.putObject(
    BUCKETS.intake,
    receipt,
    new TextEncoder().encode(JSON.stringify({ receipt: 'filiera/provenance-receipt/v1', intakeId: intake.intakeId, verdict: options.verdict ?? 'approved' })),
    { contentType: 'application/json' },
  );
  await apply(deps, current.recordVerdict({ verdict: options.verdict ?? 'approved', findings: [], receiptKey: receipt, ...options.verdictInput }, ctx));
  return (await deps.intakes.get(intake.intakeId))!;
}
