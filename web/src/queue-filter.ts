/** The compliance queue's filters: status, tenant and call center go to the API; age is applied here. */

export const ageFilters = ['any', 'today', 'week', 'month', 'older_week'] as const;
export type AgeFilter = (typeof ageFilters)[number];

export interface QueueFilters {
  status: '' | 'IN_REVIEW' | 'REJECTED';
  tenant: string;
  callCenter: string;
  age: AgeFilter;
}

export const noFilters: QueueFilters = { status: '', tenant: '', callCenter: '', age: 'any' };

export interface QueueItem {
  intakeId: string;
  tenant: string;
  callCenter: string;
  status: string;
  createdAt: string;
}

const DAY_MS = 86_400_000;

/** Whether an intake created at `createdAt` passes the age filter at `now`. */
export function matchesAge(createdAt: string, age: AgeFilter, now: Date): boolean {
  const ms = now.getTime() - Date.parse(createdAt);
  switch (age) {
    case 'any':
      return true;
    case 'today':
      return ms < DAY_MS;
    case 'week':
      return ms < 7 * DAY_MS;
    case 'month':
      return ms < 30 * DAY_MS;
    case 'older_week':
      return ms >= 7 * DAY_MS;
  }
}

/** Applies every filter (the API already applied its own; applying them again keeps the view honest) and sorts newest first. */
export function applyFilters<T extends QueueItem>(items: readonly T[], filters: QueueFilters, now: Date): T[] {
  return items
    .filter((i) => !filters.status || i.status === filters.status)
    .filter((i) => !filters.tenant || i.tenant === filters.tenant)
    .filter((i) => !filters.callCenter || i.callCenter === filters.callCenter)
    .filter((i) => matchesAge(i.createdAt, filters.age, now))
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.intakeId.localeCompare(a.intakeId));
}

/** Intakes per status among those shown. */
export function countByStatus(items: readonly QueueItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.status] = (counts[item.status] ?? 0) + 1;
  return counts;
}

/** The API's query string for the server-side filters. */
export function queueQuery(filters: QueueFilters, cursor?: string): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.tenant) params.set('tenant', filters.tenant);
  if (filters.callCenter) params.set('callCenter', filters.callCenter);
  params.set('limit', '100');
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

/** Filters as kept in the address (#/queue?status=...), so a filtered view can be bookmarked and shared. */
export function filtersFromParams(params: URLSearchParams): QueueFilters {
  const status = params.get('status');
  const age = params.get('age');
  return {
    status: status === 'IN_REVIEW' || status === 'REJECTED' ? status : '',
    tenant: params.get('tenant') ?? '',
    callCenter: params.get('callCenter') ?? '',
    age: (ageFilters as readonly string[]).includes(age ?? '') ? (age as AgeFilter) : 'any',
  };
}

export function filtersToParams(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.tenant) params.set('tenant', filters.tenant);
  if (filters.callCenter) params.set('callCenter', filters.callCenter);
  if (filters.age !== 'any') params.set('age', filters.age);
  return params;
}
