import { makeApp, type App } from './app.js';
import { isExpired } from './auth/claims.js';
import { signInFor, type ConsoleConfig, type Session } from './auth/sign-in.js';
import { h, replaceChildren } from './dom.js';
import { languages, translate, type Language } from './i18n.js';
import { filtersFromParams } from './queue-filter.js';
import { errorMessage, pageHeading } from './views/common.js';
import { renderIntake } from './views/intake.js';
import { renderMine } from './views/mine.js';
import { renderNewIntake } from './views/new-intake.js';
import { renderReleases } from './views/releases.js';
import { renderQueue } from './views/queue.js';
import { renderSignIn } from './views/sign-in.js';
import { renderTrace } from './views/trace.js';

/**
 * The compliance console: a single page that talks only to the HTTP API with the bearer token. Addresses are
 * hashes (#/queue, #/intake/ID, #/mine) so the page works from any static host (S3 + CloudFront) with no rewrites.
 */
const LANGUAGE_KEY = 'filiera.console.language';

async function boot(): Promise<void> {
  const config = (await (await fetch('console-config.json', { cache: 'no-store' })).json()) as ConsoleConfig;
  const signIn = signInFor(config.auth);
  let language: Language = languages.includes(localStorage.getItem(LANGUAGE_KEY) as Language) ? (localStorage.getItem(LANGUAGE_KEY) as Language) : 'it';
  let problem: string | undefined;

  const header = document.getElementById('site-header')!;
  const main = document.getElementById('main')!;
  let app: App = build();

  function build(): App {
    return makeApp({
      language,
      apiBaseUrl: config.apiBaseUrl,
      signIn,
      onUnauthorized: () => {
        signIn.signOut();
        problem = translate(language, 'signin.expired');
        app.session = null;
        location.hash = '#/signin';
      },
      navigate: (hash) => {
        if (location.hash === hash) void route();
        else location.hash = hash;
      },
      startSession: (session: Session) => {
        app.session = session;
        problem = undefined;
        app.navigate('#/');
      },
    });
  }

  try {
    const completed = await signIn.complete();
    if (completed) app.session = completed;
  } catch (error) {
    problem = translate(language, 'signin.failed', { detail: (error as Error).message });
  }

  async function route(): Promise<void> {
    document.documentElement.lang = language;
    document.title = app.t('app.title');
    const session = app.session && !isExpired(app.session.user, new Date()) ? app.session : null;
    if (!session && app.session) problem = app.t('signin.expired');
    app.session = session;
    renderHeader();
    const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
    const parts = (path ?? '').split('/').filter(Boolean);
    try {
      if (!session) {
        await renderSignIn(app, main, problem);
      } else if (session.user.role === 'callcenter' && parts[0] === 'releases') {
        await renderReleases(app, main);
      } else if (session.user.role === 'callcenter' && parts.length === 0) {
        location.replace('#/releases');
        return;
      } else if (session.user.role === 'callcenter') {
        // A call center sees its releases and nothing of an intake.
        replaceChildren(
          main,
          pageHeading(app.t('app.title')),
          h('p', { class: 'notice', 'data-testid': 'no-console' }, app.t('role.noConsole'), ' ', h('a', { href: '#/releases' }, app.t('nav.releases'))),
        );
      } else if (parts[0] === 'new' && session.user.role === 'committente') {
        await renderNewIntake(app, main);
      } else if (parts[0] === 'intake' && parts[1]) {
        await renderIntake(app, main, decodeURIComponent(parts[1]));
      } else if (parts[0] === 'queue' && session.user.role === 'compliance') {
        await renderQueue(app, main, filtersFromParams(new URLSearchParams(query)));
      } else if (parts[0] === 'mine' && session.user.role === 'committente') {
        await renderMine(app, main);
      } else if (parts[0] === 'trace') {
        // Compliance and committenti (call centers stopped above); the API applies the scope.
        renderTrace(app, main);
      } else if (parts[0] === 'queue' || parts[0] === 'mine') {
        replaceChildren(main, pageHeading(app.t('app.title')), h('p', { class: 'notice error', role: 'alert' }, app.t('common.forbidden')));
      } else {
        location.replace(session.user.role === 'compliance' ? '#/queue' : '#/mine');
        return;
      }
    } catch (error) {
      replaceChildren(main, pageHeading(app.t('app.title')), errorMessage(app, error));
    }
    document.getElementById('page-title')?.focus();
  }

  function renderHeader(): void {
    const user = app.session?.user;
    const other: Language = language === 'it' ? 'en' : 'it';
    const nav = user
      ? h(
          'nav',
          { 'aria-label': app.t('app.title') },
          h(
            'ul',
            {},
            user.role === 'compliance' ? h('li', {}, h('a', { href: '#/queue' }, app.t('nav.queue'))) : null,
            user.role === 'committente' ? h('li', {}, h('a', { href: '#/mine' }, app.t('nav.mine'))) : null,
            user.role === 'committente' ? h('li', {}, h('a', { href: '#/new', 'data-testid': 'nav-new' }, app.t('nav.new'))) : null,
            user.role === 'callcenter' ? h('li', {}, h('a', { href: '#/releases', 'data-testid': 'nav-releases' }, app.t('nav.releases'))) : null,
            user.role !== 'callcenter' ? h('li', {}, h('a', { href: '#/trace', 'data-testid': 'nav-trace' }, app.t('nav.trace'))) : null,
            user.role !== 'callcenter' ? h('li', {}, openForm()) : null,
          ),
        )
      : null;
    replaceChildren(
      header,
      h('a', { class: 'skip', href: '#main', onclick: (e: Event) => (e.preventDefault(), main.focus()) }, app.t('app.skip')),
      h('p', { class: 'brand' }, h('a', { href: '#/' }, app.t('app.title'))),
      nav,
      h(
        'div',
        { class: 'account' },
        user
          ? h(
              'span',
              { 'data-testid': 'who' },
              app.t('nav.signedInAs', { who: `${user.sub} (${app.t(`role.${user.role}`)}${user.tenant ? ` · ${user.tenant}` : ''}${user.callCenter ? ` · ${user.callCenter}` : ''})` }),
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            lang: other,
            'aria-label': app.t('lang.switchLabel'),
            'data-testid': 'language',
            onclick: () => {
              language = other;
              localStorage.setItem(LANGUAGE_KEY, language);
              const session = app.session;
              app = build();
              app.session = session;
              void route();
            },
          },
          app.t('lang.switch'),
        ),
        user
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => {
                  app.session = null;
                  problem = undefined;
                  signIn.signOut();
                  if (signIn.kind === 'local') app.navigate('#/signin');
                },
              },
              app.t('nav.signOut'),
            )
          : null,
      ),
    );
  }

  function openForm(): HTMLFormElement {
    const form = h(
      'form',
      {
        class: 'open-intake',
        role: 'search',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const id = String(new FormData(form).get('intake') ?? '').trim();
          if (id) app.navigate(`#/intake/${encodeURIComponent(id)}`);
        },
      },
      h('label', { for: 'open-intake' }, app.t('open.label')),
      h('input', { id: 'open-intake', name: 'intake', type: 'text', size: 18, autocomplete: 'off' }),
      h('button', { type: 'submit', class: 'secondary' }, app.t('open.submit')),
    );
    return form;
  }

  window.addEventListener('hashchange', () => void route());
  await route();
}

boot().catch((error: unknown) => {
  const main = document.getElementById('main');
  if (main) main.textContent = `Filiera: ${(error as Error).message ?? String(error)}`;
});
