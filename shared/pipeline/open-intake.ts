import { forbidden, notFound, conflict, invalidRequest } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { policyFor } from '../config.js';
import { Intake } from '../intake/intake.js';
import type { PresignedRequest } from '../ports/object-store.js';
import { MAX_ATTESTATION_BYTES, UPLOAD_LINK_SECONDS, type PipelineDeps } from './deps.js';

/**
 * The sizes the uploader declares for its files. A declared size binds the link to it (signed Content-Length: S3
 * takes no other body), and a size over the limit (docs/verdict-rules.md: a list 1 GiB or the tenant's maxListBytes,
 * an attestation 50 MiB) gets no link at all.
 */
export interface UploadSizes {
  listBytes?: number;
  attestationBytes?: number;
}

export interface OpenedIntake {
  intake: Intake;
  uploads: { list: PresignedRequest; attestation: PresignedRequest };
}

/**
 * A committente opens an intake for a campaign with one of its call centers and gets two upload links, each bound to
 * one server-chosen key under its tenant's prefix (docs/api.md).
 */
export async function openIntake(
  deps: PipelineDeps,
  principal: Principal,
  request: { callCenter: string; campaign: string } & UploadSizes,
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
  const sizes = checkedSizes(request, policyFor(config, tenant.id).maxListBytes);
  await deps.intakes.create(intake, event);
  return { intake, uploads: await presignUploads(deps, intake, sizes) };
}

/**
 * Fresh upload links for an intake still awaiting its files: signing the pre-filled attestation takes longer than
 * the 15 minutes a link lives. The keys stay the same; the 24 h upload window does not move.
 */
export async function renewUploadLinks(
  deps: PipelineDeps,
  principal: Principal,
  intakeId: string,
  sizes: UploadSizes = {},
): Promise<{ intake: Intake; uploads: OpenedIntake['uploads'] }> {
  if (principal.role !== 'committente') throw forbidden('only the committente uploads');
  const intake = await deps.intakes.get(intakeId);
  if (!intake || intake.tenantId !== principal.tenantId) throw notFound('no such intake');
  if (intake.status !== 'AWAITING_UPLOADS') throw conflict(`the intake is ${intake.status}: uploads are closed`);
  if (Date.parse(intake.uploadDeadline) <= deps.now().getTime()) throw conflict('the 24 h upload window has closed');
  const { config } = await deps.config();
  const checked = checkedSizes(sizes, policyFor(config, intake.tenantId).maxListBytes);
  return { intake, uploads: await presignUploads(deps, intake, checked) };
}

/** Whole numbers of bytes within the limits, or a 400 naming the limit. */
function checkedSizes(sizes: UploadSizes, maxListBytes: number): UploadSizes {
  const check = (name: keyof UploadSizes, what: string, max: number) => {
    const value = sizes[name];
    if (value === undefined) return;
    if (!Number.isSafeInteger(value) || value < 1) throw invalidRequest(`${name}: the ${what}'s size in bytes, a whole number from 1`);
    if (value > max) throw invalidRequest(`${name}: ${value} bytes is over the limit of ${describeBytes(max)} for the ${what} (Filiera specification §5)`);
  };
  check('listBytes', 'list', maxListBytes);
  check('attestationBytes', 'attestation', MAX_ATTESTATION_BYTES);
  return sizes;
}

/** 1 GiB, 50 MiB, 2000 bytes: a limit as a person reads it. */
export function describeBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

function presignUploads(deps: PipelineDeps, intake: Intake, sizes: UploadSizes): Promise<OpenedIntake['uploads']> {
  const presign = (kind: 'list' | 'attestation') => {
    const contentLength = kind === 'list' ? sizes.listBytes : sizes.attestationBytes;
    return deps.objects.presignPut(deps.buckets.intake, intake.uploadKey(kind), {
      expiresInSeconds: UPLOAD_LINK_SECONDS,
      ...(kind === 'list' ? { contentType: 'text/csv' } : {}),
      ...(contentLength !== undefined ? { contentLength } : {}),
    });
  };
  return Promise.all([presign('list'), presign('attestation')]).then(([list, attestation]) => ({ list, attestation }));
}
