import { describe, expect, it } from 'vitest';
import { applyFilters, countByStatus, filtersFromParams, filtersToParams, matchesAge, noFilters, queueQuery, type QueueFilters } from '../../../web/src/queue-filter.js';

const NOW = new Date('2026-05-20T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const items = [
  { intakeId: 'FIL-A', tenant: 'acme', callCenter: 'cc-napoli', status: 'IN_REVIEW', createdAt: hoursAgo(2) },
  { intakeId: 'FIL-B', tenant: 'acme', callCenter: 'cc-roma', status: 'REJECTED', createdAt: hoursAgo(30) },
  { intakeId: 'FIL-C', tenant: 'beta', callCenter: 'cc-milano', status: 'REJECTED', createdAt: hoursAgo(24 * 10) },
  { intakeId: 'FIL-D', tenant: 'beta', callCenter: 'cc-milano', status: 'IN_REVIEW', createdAt: hoursAgo(24 * 40) },
];
const ids = (filters: Partial<QueueFilters>) => applyFilters(items, { ...noFilters, ...filters }, NOW).map((i) => i.intakeId);

describe('the queue filters', () => {
  it('shows everything newest first without filters', () => {
    expect(ids({})).toEqual(['FIL-A', 'FIL-B', 'FIL-C', 'FIL-D']);
    expect(applyFilters([...items].reverse(), noFilters, NOW).map((i) => i.intakeId)).toEqual(['FIL-A', 'FIL-B', 'FIL-C', 'FIL-D']);
  });

  it.each([
    [{ status: 'IN_REVIEW' }, ['FIL-A', 'FIL-D']],
    [{ status: 'REJECTED' }, ['FIL-B', 'FIL-C']],
    [{ tenant: 'beta' }, ['FIL-C', 'FIL-D']],
    [{ callCenter: 'cc-roma' }, ['FIL-B']],
    [{ age: 'today' }, ['FIL-A']],
    [{ age: 'week' }, ['FIL-A', 'FIL-B']],
    [{ age: 'month' }, ['FIL-A', 'FIL-B', 'FIL-C']],
    [{ age: 'older_week' }, ['FIL-C', 'FIL-D']],
    [{ tenant: 'beta', status: 'REJECTED', age: 'month' }, ['FIL-C']],
    [{ tenant: 'acme', callCenter: 'cc-milano' }, []],
  ] as const)('%o keeps %o', (filters, expected) => {
    expect(ids(filters as Partial<QueueFilters>)).toEqual(expected);
  });

  it('draws the age boundaries at 24 hours and 7 days', () => {
    expect(matchesAge(hoursAgo(23.99), 'today', NOW)).toBe(true);
    expect(matchesAge(hoursAgo(24), 'today', NOW)).toBe(false);
    expect(matchesAge(hoursAgo(24 * 7), 'week', NOW)).toBe(false);
    expect(matchesAge(hoursAgo(24 * 7), 'older_week', NOW)).toBe(true);
  });

  it('counts per status', () => {
    expect(countByStatus(items)).toEqual({ IN_REVIEW: 2, REJECTED: 2 });
    expect(countByStatus([])).toEqual({});
  });

  it('sends status, tenant and call center to the API, never the age', () => {
    const query = new URLSearchParams(queueQuery({ status: 'REJECTED', tenant: 'acme', callCenter: 'cc-roma', age: 'week' }, 'abc'));
    expect(Object.fromEntries(query)).toEqual({ status: 'REJECTED', tenant: 'acme', callCenter: 'cc-roma', limit: '100', cursor: 'abc' });
  });

  it('keeps filters in the address, and ignores values it does not know', () => {
    const filters: QueueFilters = { status: 'IN_REVIEW', tenant: 'acme', callCenter: '', age: 'older_week' };
    expect(filtersFromParams(filtersToParams(filters))).toEqual(filters);
    expect(filtersFromParams(new URLSearchParams('status=RELEASED&age=forever'))).toEqual(noFilters);
  });
});
