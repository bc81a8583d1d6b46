import type { z } from 'zod';
import type { AuditResponse, IntakeView, ReleaseLinks, ReleaseSummary } from '../api/schemas.js';
import type { Principal } from '../auth/principal.js';
import { actorOf, canSeeIntake } from '../auth/principal.js';
import { verifyAuditChain } from '../intake/audit.js';
import { type Intake, type IntakeStatus, intakeStatuses } from '../intake/intake.js';
import type { Page } from '../ports/intake-repository.js';
import { DOWNLOAD_LINK_SECONDS, type PipelineDeps } from './deps.js';
import { DomainError, forbidden, invalidRequest, notFound } from '../errors.js';
import { announce } from '../events/publish.js';

/** What the API shows of an intake. */
export function intakeView(intake: Intake): IntakeView {
  const s = intake.toSnapshot();
  const view: IntakeView = {
    intakeId: s.intakeId,
    tenant: s.tenantId,
    callCenter: s.callCenterId,
    campaign: s.campaign,
    status: s.status,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    uploadDeadline: s.uploadDeadline,
    uploads: { list: Boolean(s.uploads.list), attestation: Boolean(s.uploads.attestation) },
    findings: s.findings ?? [],
  };
  if (s.verdict) view.verdict = s.verdict;
  if (s.verdictAt) view.verdictAt = s.verdictAt;
  if (s.list) {
    view.counts = { dataRows: s.list.dataRows, releasedRows: s.list.releasedRows, excluded: s.list.excluded };
    view.list = s.list;
  }
  if (s.attestation) view.attestation = s.attestation as IntakeView['attestation'];
  if (s.review) view.review = s.review;
  if (s.release) view.release = { releasedAt: s.release.releasedAt, expiresAt: s.release.expiresAt };
  if (s.consentSample) {
    const c = s.consentSample;
    view.consentSample = {
      seed: c.seed,
      sampledRows: c.sampledRows,
      requestedAt: c.requestedAt,
      deadline: c.deadline,
      ...(c.outcome ? { outcome: c.outcome } : {}),
      ...(c.defectiveRows !== undefined ? { defectiveRows: c.defectiveRows } : {}),
      ...(c.refused && s.status === 'AWAITING_EVIDENCE' ? { evidenceRefused: true } : {}),
    };
  }
  return view;
}

/** The intake, if this principal may see it; otherwise 404 whether or not it exists. */
export async function visibleIntake(deps: PipelineDeps, principal: Principal, intakeId: string): Promise<Intake> {
  const intake = await deps.intakes.get(intakeId);
  if (!intake || !canSeeIntake(principal, intake)) throw notFound('no such intake');
  return intake;
}

export async function listIntakes(
  deps: PipelineDeps,
  principal: Principal,
  query: { status?: IntakeStatus; tenant?: string; callCenter?: string; limit?: number; cursor?: string; order?: 'newest' | 'oldest' },
): Promise<Page<IntakeView>> {
  const paging = { ...(query.limit ? { limit: query.limit } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) };
  if (principal.role === 'committente') {
    const page = await deps.intakes.listForTenant(principal.tenantId, { ...paging, ...(query.status ? { status: query.status } : {}) });
    return { items: page.items.map(intakeView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }
  if (principal.role === 'compliance') {
    const statuses: IntakeStatus[] = query.status ? [query.status] : [...intakeStatuses];
    const tenant = query.tenant ?? soleTenant(principal);
    const page = await deps.intakes.listByStatus(statuses, {
      ...paging,
      ...(query.order ? { order: query.order } : {}),
      ...(tenant ? { tenantId: tenant } : {}),
      ...(query.callCenter ? { callCenterId: query.callCenter } : {}),
    });
    const items = page.items.filter((i) => canSeeIntake(principal, i)).map(intakeView);
    return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }
  throw forbidden('call centers list releases, not intakes');
}

/** The compliance queue: in review and rejected, by age (newest first unless asked oldest first), with counts per status. */
export async function reviewQueue(
  deps: PipelineDeps,
  principal: Principal,
  query: { status?: IntakeStatus; tenant?: string; callCenter?: string; limit?: number; cursor?: string; order?: 'newest' | 'oldest' },
): Promise<Page<IntakeView> & { counts: Record<string, number> }> {
  if (principal.role !== 'compliance') throw forbidden('the review queue is for compliance staff');
  const statuses: IntakeStatus[] = query.status ? [query.status] : ['IN_REVIEW', 'REJECTED'];
  if (statuses.some((s) => s !== 'IN_REVIEW' && s !== 'REJECTED')) {
    throw invalidRequest('the queue holds IN_REVIEW and REJECTED intakes');
  }
  const scopedTenant = query.tenant ?? soleTenant(principal);
  const filter = {
    ...(scopedTenant ? { tenantId: scopedTenant } : {}),
    ...(query.callCenter ? { callCenterId: query.callCenter } : {}),
  };
  const page = await deps.intakes.listByStatus(statuses, {
    ...filter,
    ...(query.order ? { order: query.order } : {}),
    ...(query.limit ? { limit: query.limit } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  const counts = await deps.intakes.countByStatus(['IN_REVIEW', 'REJECTED'], {
    ...(countedTenants(principal, query.tenant) ?? {}),
    ...(query.callCenter ? { callCenterId: query.callCenter } : {}),
  });
  return {
    items: page.items.filter((i) => canSeeIntake(principal, i)).map(intakeView),
    counts,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** An officer scoped to one tenant reads that tenant's intakes, rather than pages of others' filtered out after. */
function soleTenant(principal: Principal & { role: 'compliance' }): string | undefined {
  return principal.tenants !== 'all' && principal.tenants.length === 1 ? principal.tenants[0] : undefined;
}

/** The tenants whose intakes a compliance officer's counts cover: the asked one if in scope, else the scope. */
function countedTenants(principal: Principal & { role: 'compliance' }, tenant: string | undefined): { tenantIds: string[] } | null {
  if (tenant) return { tenantIds: principal.tenants === 'all' || principal.tenants.includes(tenant) ? [tenant] : [] };
  return principal.tenants === 'all' ? null : { tenantIds: principal.tenants };
}

export async function auditOf(deps: PipelineDeps, principal: Principal, intakeId: string): Promise<z.infer<typeof AuditResponse>> {
  await visibleIntake(deps, principal, intakeId);
  // The head first: an event appended meanwhile then lies beyond it, chained on it, rather than short of it.
  const head = await deps.intakes.auditHead(intakeId);
  const events = await deps.intakes.auditTrail(intakeId);
  return {
    intakeId,
    ...(head ? { head } : {}),
    events: events as z.infer<typeof AuditResponse>['events'],
    chain: verifyAuditChain(events, head),
  };
}

function releaseSummary(intake: Intake, now: Date): z.infer<typeof ReleaseSummary> {
  const s = intake.toSnapshot();
  return {
    intakeId: s.intakeId,
    tenant: s.tenantId,
    campaign: s.campaign,
    releasedAt: s.release!.releasedAt,
    expiresAt: s.release!.expiresAt,
    ...(s.list ? { releasedRows: s.list.releasedRows } : {}),
    expired: Date.parse(s.release!.expiresAt) <= now.getTime(),
  };
}

export async function listReleases(
  deps: PipelineDeps,
  principal: Principal,
  query: { limit?: number; cursor?: string },
): Promise<Page<z.infer<typeof ReleaseSummary>>> {
  if (principal.role !== 'callcenter') throw forbidden('releases are for call centers');
  const page = await deps.intakes.listReleasesForCallCenter(principal.callCenterId, {
    ...(query.limit ? { limit: query.limit } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  const now = deps.now();
  return { items: page.items.map((i) => releaseSummary(i, now)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/**
 * Short-lived download links for a release (5 minutes). Each issue is audited. After the release expired (the RPO
 * check is too old, DPR 26/2022) no link is issued: 410.
 */
export async function releaseLinks(deps: PipelineDeps, principal: Principal, intakeId: string): Promise<z.infer<typeof ReleaseLinks>> {
  if (principal.role !== 'callcenter') throw forbidden('releases are for call centers');
  const intake = await deps.intakes.get(intakeId);
  if (!intake || intake.callCenterId !== principal.callCenterId || intake.status !== 'RELEASED') {
    throw notFound('no such release');
  }
  const release = intake.releaseRecord!;
  const now = deps.now();
  if (Date.parse(release.expiresAt) <= now.getTime()) {
    throw new DomainError('release_expired', `the release expired at ${release.expiresAt}: the RPO check it rests on is more than 15 days old`);
  }
  const [download, receipt] = await Promise.all([
    deps.objects.presignGet(deps.buckets.release, release.key, { expiresInSeconds: DOWNLOAD_LINK_SECONDS, downloadName: `${intakeId}.csv` }),
    deps.objects.presignGet(deps.buckets.release, release.receiptKey, { expiresInSeconds: DOWNLOAD_LINK_SECONDS, downloadName: `${intakeId}-receipt.json` }),
  ]);
  const recorded = await deps.intakes.appendEvent(intakeId, {
    type: 'release.link_issued',
    actor: actorOf(principal),
    at: now.toISOString(),
    data: { expiresAt: download.expiresAt },
  });
  // docs/events.md: each issue of the download links is the release's download, as the trail records it.
  await announce(deps, 'release.downloaded', intake, recorded);
  return { intakeId, downloadUrl: download.url, receiptUrl: receipt.url, expiresAt: download.expiresAt, releaseExpiresAt: release.expiresAt };
}

