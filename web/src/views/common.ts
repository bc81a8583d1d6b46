import { ApiError } from '../api.js';
import type { App } from '../app.js';
import { h } from '../dom.js';
import type { MessageKey } from '../i18n.js';

/** The page heading, focusable so that a route change moves keyboard and screen-reader focus to it. */
export function pageHeading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: -1, id: 'page-title' }, text);
}

export function statusBadge(app: App, status: string): HTMLSpanElement {
  return h('span', { class: `badge status-${status.toLowerCase()}`, 'data-status': status }, app.t(`status.${status}` as MessageKey));
}

export function errorMessage(app: App, error: unknown): HTMLElement {
  if (error instanceof ApiError && error.status === 404) return h('p', { class: 'notice error', role: 'alert' }, app.t('common.notFound'));
  if (error instanceof ApiError && error.status === 403) return h('p', { class: 'notice error', role: 'alert' }, app.t('common.forbidden'));
  return h('p', { class: 'notice error', role: 'alert' }, app.t('common.error', { detail: (error as Error).message ?? String(error) }));
}

export function loading(app: App): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, app.t('common.loading'));
}

/** "3 d" / "5 h" since an instant. */
export function age(app: App, iso: string, now: Date): string {
  const hours = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 3_600_000));
  return hours >= 24 ? app.t('age.days', { n: Math.floor(hours / 24) }) : app.t('age.hours', { n: hours });
}
