import type { AttestationFieldName } from '../attestation/model.js';
import { renderAttestationPdf } from '../attestation/template.js';
import type { Principal } from '../auth/principal.js';
// The engine module itself, not the list index: the template counts rows and bundles no phone library.
import { readListFacts } from '../list/engine.js';
import type { PipelineDeps } from './deps.js';
import { forbidden } from '../errors.js';
import { visibleIntake } from './queries.js';

// Its own module so that only the template's function bundles pdf-lib and the list reader (infra/cdk/bundling.ts).

/**
 * The attestation form pre-filled with everything Filiera knows (never the committente's own declarations); once the list is uploaded it carries the list's
 * SHA-256 and row count, read from the stored object.
 */
export async function attestationTemplate(deps: PipelineDeps, principal: Principal, intakeId: string): Promise<Uint8Array> {
  if (principal.role !== 'committente') throw forbidden('the template is for the committente');
  const intake = await visibleIntake(deps, principal, intakeId);
  const { config } = await deps.config();
  const tenant = config.tenants.find((t) => t.id === intake.tenantId);
  const callCenter = config.callCenters.find((c) => c.id === intake.callCenterId);
  const values: Partial<Record<AttestationFieldName, string>> = {
    intakeId: intake.intakeId,
    controllerName: tenant?.name ?? '',
    controllerVat: tenant?.vat ?? '',
    processor: callCenter?.name ?? intake.callCenterId,
  };
  const snapshot = intake.toSnapshot();
  if (snapshot.list) {
    values.listSha256 = snapshot.list.sha256;
    values.rowCount = String(snapshot.list.dataRows);
  } else if (snapshot.uploads.list) {
    const facts = await listFacts(deps, snapshot.uploads.list.key);
    if (facts) {
      values.listSha256 = facts.sha256;
      values.rowCount = String(facts.dataRows);
    }
  }
  return renderAttestationPdf(values, { language: 'it', layout: 'same-line' });
}

async function listFacts(deps: PipelineDeps, key: string): Promise<{ sha256: string; dataRows: number } | null> {
  const { config } = await deps.config();
  const facts = await readListFacts(deps.objects.getStream(deps.buckets.intake, key), { maxBytes: config.policy.maxListBytes });
  return facts.readable ? { sha256: facts.sha256, dataRows: facts.dataRows } : null;
}
