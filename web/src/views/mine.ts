import type { App } from '../app.js';
import type { Intake } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { errorMessage, loading, pageHeading } from './common.js';
import { intakeTable } from './queue.js';

/** The committente's own intakes (the API lists only those), newest first, page by page. */
export async function renderMine(app: App, main: HTMLElement): Promise<void> {
  const body = h('div', {}, loading(app));
  replaceChildren(main, pageHeading(app.t('mine.title')), body);
  let items: Intake[] = [];
  const load = async (cursor?: string) => {
    try {
      const page = await app.api.intakes(new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) }).toString());
      items = items.concat(page.items);
      const more = page.nextCursor
        ? h('button', { type: 'button', class: 'secondary', onclick: () => void load(page.nextCursor) }, app.t('common.loadMore'))
        : null;
      replaceChildren(body, items.length ? intakeTable(app, items, { tenant: false, caption: app.t('mine.caption') }) : h('p', {}, app.t('mine.empty')), more);
    } catch (error) {
      replaceChildren(body, errorMessage(app, error));
    }
  };
  await load();
}
