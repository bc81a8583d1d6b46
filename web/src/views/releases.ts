import type { App } from '../app.js';
import type { Release } from '../api.js';
import { facts, h, replaceChildren } from '../dom.js';
import { checkReleasedList } from '../hash-check.js';
import { errorMessage, loading, pageHeading } from './common.js';

/**
 * The call center's releases (docs/api.md): each with committente, campaign, rows, when it was released and
 * when it expires (the RPO check's 15 days), expired ones marked and not downloadable. A download asks the API for
 * five-minute links (GET /v1/releases/{id}, each issue recorded in the intake's audit trail), fetches the list and
 * the receipt, and checks the list's SHA-256 against the receipt here, with WebCrypto, before offering to save them.
 */
export async function renderReleases(app: App, main: HTMLElement): Promise<void> {
  const body = h('div', {}, loading(app));
  replaceChildren(main, pageHeading(app.t('releases.title')), h('p', {}, app.t('releases.intro')), body);
  let items: Release[] = [];
  const load = async (cursor?: string) => {
    try {
      const page = await app.api.releases(new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) }).toString());
      items = items.concat(page.items);
      const more = page.nextCursor
        ? h('button', { type: 'button', class: 'secondary', onclick: () => void load(page.nextCursor) }, app.t('common.loadMore'))
        : null;
      const now = new Date();
      replaceChildren(
        body,
        items.length ? h('ul', { class: 'releases', 'aria-label': app.t('releases.caption') }, items.map((r) => releaseItem(app, r, now))) : h('p', {}, app.t('releases.empty')),
        more,
      );
    } catch (error) {
      replaceChildren(body, errorMessage(app, error));
    }
  };
  await load();
}

/** "expires in 3 d" / "5 h", or that it expired. */
function clock(app: App, release: Release, now: Date): string {
  const ms = Date.parse(release.expiresAt) - now.getTime();
  if (release.expired || ms <= 0) return app.t('releases.expired');
  const hours = Math.floor(ms / 3_600_000);
  return app.t('releases.expiresIn', { left: hours >= 24 ? app.t('age.days', { n: Math.floor(hours / 24) }) : app.t('age.hours', { n: hours }) });
}

function releaseItem(app: App, release: Release, now: Date): HTMLElement {
  const expired = release.expired || Date.parse(release.expiresAt) <= now.getTime();
  const titleId = `release-${release.intakeId}-title`;
  const output = h('div', { class: 'release-download', 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      'aria-describedby': titleId,
      onclick: async () => {
        button.disabled = true;
        replaceChildren(output, loading(app));
        try {
          await download(app, release, output);
        } catch (error) {
          replaceChildren(output, errorMessage(app, error));
        } finally {
          button.disabled = false;
        }
      },
    },
    app.t('releases.download'),
  );
  return h(
    'li',
    { class: `release panel${expired ? ' expired' : ''}`, 'data-release': release.intakeId, 'data-expired': String(expired) },
    h('h2', { id: titleId }, release.campaign),
    facts([
      [app.t('col.tenant'), release.tenant],
      [app.t('col.intake'), h('code', {}, release.intakeId)],
      [app.t('releases.rows'), release.releasedRows === undefined ? '' : h('span', { 'data-testid': 'release-rows' }, app.formatNumber(release.releasedRows))],
      [app.t('releases.releasedAt'), h('time', { datetime: release.releasedAt }, app.formatDateTime(release.releasedAt))],
      [app.t('releases.expiresAt'), h('time', { datetime: release.expiresAt }, app.formatDateTime(release.expiresAt))],
    ]),
    h('p', { class: `badge ${expired ? 'status-expired' : 'status-released'}`, 'data-testid': 'release-clock' }, clock(app, release, now)),
    expired ? h('p', { class: 'hint' }, app.t('releases.expiredHint')) : [button, output],
  );
}

async function download(app: App, release: Release, output: HTMLElement): Promise<void> {
  const links = await app.api.release(release.intakeId);
  const [listResponse, receiptResponse] = await Promise.all([fetch(links.downloadUrl), fetch(links.receiptUrl)]);
  if (!listResponse.ok || !receiptResponse.ok) throw new Error(app.t('releases.fetchFailed', { status: listResponse.ok ? receiptResponse.status : listResponse.status }));
  const [list, receiptText] = await Promise.all([listResponse.arrayBuffer(), receiptResponse.text()]);
  let receipt: unknown = null;
  try {
    receipt = JSON.parse(receiptText);
  } catch {
    // an unreadable receipt names no hash: the check below says not verified
  }
  const check = await checkReleasedList(receipt, list);
  const listUrl = URL.createObjectURL(new Blob([list], { type: 'text/csv' }));
  const receiptUrl = URL.createObjectURL(new Blob([receiptText], { type: 'application/json' }));
  setTimeout(() => (URL.revokeObjectURL(listUrl), URL.revokeObjectURL(receiptUrl)), 10 * 60_000);
  replaceChildren(
    output,
    h(
      'p',
      { class: `hash-check ${check.verified ? 'ok' : 'bad'}`, 'data-testid': 'hash-check', 'data-verified': String(check.verified) },
      check.verified ? `✔ ${app.t('releases.verified')}` : `✘ ${app.t(check.expected ? 'releases.mismatch' : 'releases.noHash')}`,
    ),
    h('p', { class: 'hash' }, app.t('releases.actual', { sha: check.actual })),
    check.expected && !check.verified ? h('p', { class: 'hash' }, app.t('releases.expected', { sha: check.expected })) : null,
    h(
      'ul',
      { class: 'documents' },
      h('li', {}, h('a', { href: listUrl, download: `lista-${release.intakeId}.csv`, 'data-testid': 'save-list' }, app.t('releases.saveList'))),
      h('li', {}, h('a', { href: receiptUrl, download: `ricevuta-${release.intakeId}.json`, 'data-testid': 'save-receipt' }, app.t('releases.saveReceipt'))),
    ),
    h('p', { class: 'hint' }, app.t('releases.linksUntil', { time: app.formatDateTime(links.expiresAt) })),
  );
}
