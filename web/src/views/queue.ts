import type { App } from '../app.js';
import type { Intake } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import type { MessageKey } from '../i18n.js';
import { ageFilters, applyFilters, countByStatus, filtersToParams, queueQuery, type QueueFilters } from '../queue-filter.js';
import { age, errorMessage, loading, pageHeading, statusBadge } from './common.js';

/** Tenants and call centers seen in this tab, offered in the filters (there is no API listing them). */
const seen = { tenants: new Set<string>(), callCenters: new Set<string>() };
/** A queue is a working list, not an archive: beyond this many intakes the filters should narrow it. */
const MAX_PAGES = 10;

/** The compliance queue: in review and rejected, filterable by tenant, call center, status and age, newest first. */
export async function renderQueue(app: App, main: HTMLElement, filters: QueueFilters): Promise<void> {
  const counts = h('p', { class: 'counts', role: 'status', 'data-testid': 'queue-counts' });
  const body = h('div', {}, loading(app));
  replaceChildren(main, pageHeading(app.t('queue.title')), filterForm(app, filters), counts, body);

  let items: Intake[] = [];
  try {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await app.api.review(queueQuery(filters, cursor));
      items = items.concat(result.items);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
  } catch (error) {
    replaceChildren(body, errorMessage(app, error));
    return;
  }
  for (const item of items) {
    seen.tenants.add(item.tenant);
    seen.callCenters.add(item.callCenter);
  }
  const shown = applyFilters(items, filters, new Date());
  const perStatus = countByStatus(shown);
  counts.textContent = app.t('queue.counts', { review: perStatus.IN_REVIEW ?? 0, rejected: perStatus.REJECTED ?? 0, shown: shown.length });
  // The options may have grown with this page's intakes.
  main.querySelector('form.filters')?.replaceWith(filterForm(app, filters));
  replaceChildren(body, shown.length ? intakeTable(app, shown, { tenant: true, caption: app.t('queue.caption') }) : h('p', {}, app.t('queue.empty')));
}

function filterForm(app: App, filters: QueueFilters): HTMLFormElement {
  const select = (name: string, label: string, current: string, options: [string, string][]) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `filter-${name}` }, label),
      h('select', { id: `filter-${name}`, name }, options.map(([value, text]) => h('option', { value, selected: value === current }, text))),
    );
  const all: [string, string] = ['', app.t('queue.all')];
  const sorted = (set: Set<string>, current: string) => [...new Set([...set, ...(current ? [current] : [])])].sort().map((v): [string, string] => [v, v]);
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': app.t('queue.filters'),
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        const next: QueueFilters = {
          status: (data.get('status') as QueueFilters['status']) ?? '',
          tenant: String(data.get('tenant') ?? ''),
          callCenter: String(data.get('callCenter') ?? ''),
          age: (data.get('age') as QueueFilters['age']) ?? 'any',
        };
        const query = filtersToParams(next).toString();
        app.navigate(`#/queue${query ? `?${query}` : ''}`);
      },
    },
    select('status', app.t('queue.status'), filters.status, [all, ['IN_REVIEW', app.t('status.IN_REVIEW')], ['REJECTED', app.t('status.REJECTED')]]),
    select('tenant', app.t('queue.tenant'), filters.tenant, [all, ...sorted(seen.tenants, filters.tenant)]),
    select('callCenter', app.t('queue.callCenter'), filters.callCenter, [all, ...sorted(seen.callCenters, filters.callCenter)]),
    select('age', app.t('queue.age'), filters.age, ageFilters.map((a): [string, string] => [a, app.t(`queue.age.${a}` as MessageKey)])),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, app.t('queue.apply')),
      h('a', { href: '#/queue', class: 'button secondary' }, app.t('queue.reset')),
    ),
  );
  return form;
}

/** Intakes as a table; each row links to the intake's page. */
export function intakeTable(app: App, items: readonly Intake[], options: { tenant: boolean; caption: string }): HTMLTableElement {
  const now = new Date();
  return h(
    'table',
    { class: 'intakes' },
    h('caption', {}, options.caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, app.t('col.intake')),
        h('th', { scope: 'col' }, app.t('col.campaign')),
        options.tenant ? h('th', { scope: 'col' }, app.t('col.tenant')) : null,
        h('th', { scope: 'col' }, app.t('col.callCenter')),
        h('th', { scope: 'col' }, app.t('col.status')),
        h('th', { scope: 'col' }, app.t('col.created')),
        h('th', { scope: 'col' }, app.t('col.age')),
        h('th', { scope: 'col' }, app.t('col.findings')),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((item) => {
        const weighty = item.findings.filter((f) => f.severity !== 'info');
        return h(
          'tr',
          { 'data-intake': item.intakeId },
          h('th', { scope: 'row' }, h('a', { href: `#/intake/${encodeURIComponent(item.intakeId)}` }, item.intakeId)),
          h('td', {}, item.campaign),
          options.tenant ? h('td', {}, item.tenant) : null,
          h('td', {}, item.callCenter),
          h('td', {}, statusBadge(app, item.status)),
          h('td', {}, h('time', { datetime: item.createdAt }, app.formatDateTime(item.createdAt))),
          h('td', {}, age(app, item.createdAt, now)),
          h('td', {}, weighty.length ? `${weighty.length} · ${weighty.map((f) => f.code).join(', ')}` : '—'),
        );
      }),
    ),
  );
}
