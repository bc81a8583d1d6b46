import { forbidden, notFound, conflict, invalidRequest } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { Intake } from '../intake/intake.js';
import type { PresignedRequest } from '../ports/object-store.js';
import { UPLOAD_LINK_SECONDS, type PipelineDeps } from './deps.js';

export interface OpenedIntake {
  intake: Intake;
  uploads: { list: PresignedRequest; attestation: PresignedRequest };
}

/**
 * A committente opens an intake for a campaign with one of its call centers and gets two upload links, each bound to
 * one server-chosen key under its tenant's prefix (PRODUCT.md section 8).
 */
export async function openIntake(
  deps: PipelineDeps,
  principal: Principal,
  request: { callCenter: string; campaign: string },
): Promise<OpenedIntake> {
  if (principal.role !== 'committente') throw forbidden('only a committente opens intakes');
  const { config } = await deps.config();
  const tenant = config.tenants.find((t) => t.id === principal.tenantId);
  if (!tenant) throw forbidden('this committente is not configured');
  if (!tenant.callCenters.includes(request.callCenter)) {
    throw invalidRequest(`callCenter "${request.callCenter}" is not one of this committente's call centers`);
  }
  const { intake, event } = Intake.open({
    tenantId: tenant.id,
    callCenterId: request.callCenter,
    campaign: request.campaign,
    actor: actorOf(principal),
    now: deps.now(),
  });
  await deps.intakes.create(intake, event);
  return { intake, uploads: await presignUploads(deps, intake) };
}

/**
 * Fresh upload links for an intake still awaiting its files: signing the pre-filled attestation takes longer than
 * the 15 minutes a link lives. The keys stay the same; the 24 h upload window does not move.
 */
export async function renewUploadLinks(
  deps: PipelineDeps,
  principal: Principal,
  intakeId: string,
): Promise<{ intake: Intake; uploads: OpenedIntake['uploads'] }> {
  if (principal.role !== 'committente') throw forbidden('only the committente uploads');
  const intake = await deps.intakes.get(intakeId);
  if (!intake || intake.tenantId !== principal.tenantId) throw notFound('no such intake');
  if (intake.status !== 'AWAITING_UPLOADS') throw conflict(`the intake is ${intake.status}: uploads are closed`);
  if (Date.parse(intake.uploadDeadline) <= deps.now().getTime()) throw conflict('the 24 h upload window has closed');
  return { intake, uploads: await presignUploads(deps, intake) };
}

function presignUploads(deps: PipelineDeps, intake: Intake): Promise<OpenedIntake['uploads']> {
  const presign = (kind: 'list' | 'attestation') =>
    deps.objects.presignPut(deps.buckets.intake, intake.uploadKey(kind), {
      expiresInSeconds: UPLOAD_LINK_SECONDS,
      ...(kind === 'list' ? { contentType: 'text/csv' } : {}),
    });
  return Promise.all([presign('list'), presign('attestation')]).then(([list, attestation]) => ({ list, attestation }));
}
