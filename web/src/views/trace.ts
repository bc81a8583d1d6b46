import { ApiError, type Trace } from '../api.js';
import type { App } from '../app.js';
import { h, replaceChildren } from '../dom.js';
import { errorMessage, loading, pageHeading } from './common.js';

/**
 * Trace a number (docs/api.md), for compliance in scope and a committente for its own releases: the number
 * stays in the form and the request, never in the page's address (browser history keeps addresses), and each
 * release found links to its intake.
 */
export function renderTrace(app: App, main: HTMLElement): void {
  const results = h('div', { 'aria-live': 'polite', 'data-testid': 'trace-results' });
  const form = h(
    'form',
    {
      class: 'trace',
      role: 'search',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const phone = String(new FormData(form).get('phone') ?? '').trim();
        if (phone) void search(phone);
      },
    },
    h('label', { for: 'trace-phone' }, app.t('trace.label')),
    h('input', { id: 'trace-phone', name: 'phone', type: 'tel', autocomplete: 'off', required: true, maxlength: 64, size: 24 }),
    h('button', { type: 'submit' }, app.t('trace.submit')),
  );
  replaceChildren(main, pageHeading(app.t('trace.title')), h('p', {}, app.t('trace.intro')), form, results);

  async function search(phone: string): Promise<void> {
    replaceChildren(results, loading(app));
    try {
      replaceChildren(results, traceResults(app, await app.api.trace(phone)));
    } catch (error) {
      const invalid = error instanceof ApiError && error.status === 400;
      replaceChildren(results, invalid ? h('p', { class: 'notice error', role: 'alert' }, app.t('trace.invalid')) : errorMessage(app, error));
    }
  }
}

export function traceResults(app: App, trace: Trace): HTMLElement {
  const showTenant = app.session?.user.role === 'compliance';
  const searched = h('p', { 'data-testid': 'trace-searched' }, app.t('trace.searchedAs', { phone: trace.phone }));
  if (trace.releases.length === 0) return h('div', {}, searched, h('p', { 'data-testid': 'trace-none' }, app.t('trace.none')));
  const table = h(
    'table',
    { class: 'trace' },
    h('caption', {}, app.t('trace.caption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, app.t('col.intake')),
        h('th', { scope: 'col' }, app.t('col.campaign')),
        showTenant ? h('th', { scope: 'col' }, app.t('col.tenant')) : null,
        h('th', { scope: 'col' }, app.t('col.callCenter')),
        h('th', { scope: 'col' }, app.t('trace.col.releasedAt')),
        h('th', { scope: 'col' }, app.t('trace.col.signer')),
        h('th', { scope: 'col' }, app.t('trace.col.consentDate')),
        h('th', { scope: 'col' }, app.t('trace.col.consentSource')),
      ),
    ),
    h(
      'tbody',
      {},
      trace.releases.map((r) =>
        h(
          'tr',
          { 'data-intake': r.intakeId },
          h('th', { scope: 'row' }, h('a', { href: `#/intake/${encodeURIComponent(r.intakeId)}` }, r.intakeId)),
          h('td', {}, r.campaign),
          showTenant ? h('td', {}, r.tenant) : null,
          h('td', {}, r.callCenter),
          h('td', {}, h('time', { datetime: r.releasedAt }, app.formatDateTime(r.releasedAt))),
          h('td', {}, signerText(r.signer) ?? '—'),
          h('td', {}, r.consentDate ?? '—'),
          h('td', {}, r.consentSource ?? '—'),
        ),
      ),
    ),
  );
  return h('div', {}, searched, table);
}

function signerText(signer: Trace['releases'][number]['signer']): string | null {
  if (!signer) return null;
  const name = signer.commonName ?? signer.organizationName;
  if (!name) return signer.serialNumber ?? null;
  return signer.serialNumber ? `${name} (${signer.serialNumber})` : name;
}
