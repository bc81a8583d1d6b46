import type { App } from '../app.js';
import { CognitoSignIn, LocalSignIn, type DemoUser } from '../auth/sign-in.js';
import { h, replaceChildren } from '../dom.js';
import { pageHeading } from './common.js';

/** Sign-in: demo users and a pasted token locally; a button to the Cognito hosted UI in AWS. */
export async function renderSignIn(app: App, main: HTMLElement, problem?: string): Promise<void> {
  const alert = h('p', { class: 'notice error', role: 'alert', hidden: !problem }, problem ?? '');
  replaceChildren(main, pageHeading(app.t('signin.title')), h('p', {}, app.t('signin.intro')), alert);
  const signIn = app.signIn;

  if (signIn instanceof CognitoSignIn) {
    main.append(
      h(
        'p',
        {},
        h('button', { type: 'button', onclick: () => void signIn.begin().catch((e: Error) => showProblem(alert, app.t('signin.failed', { detail: e.message }))) }, app.t('signin.cognito')),
      ),
    );
    return;
  }
  if (!(signIn instanceof LocalSignIn)) return;

  const users = await signIn.demoUsers().catch(() => []);
  if (users.length) {
    const form = h(
      'form',
      {
        class: 'panel',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const index = Number(new FormData(form).get('user'));
          const user = users[index];
          const session = user ? signIn.useToken(user.token) : null;
          if (session) app.startSession(session);
          else showProblem(alert, app.t('signin.badToken'));
        },
      },
      h('h2', { id: 'demo-title' }, app.t('signin.demoUsers')),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'demo-user' }, app.t('signin.demoUser')),
        h('select', { id: 'demo-user', name: 'user' }, users.map((u, i) => h('option', { value: i, 'data-role': u.role }, demoUserLabel(app, u)))),
      ),
      h('button', { type: 'submit' }, app.t('signin.useDemo')),
    );
    main.append(form);
  }
  const tokenForm = h(
    'form',
    {
      class: 'panel',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const session = signIn.useToken(String(new FormData(tokenForm).get('token') ?? ''));
        if (session) app.startSession(session);
        else showProblem(alert, app.t('signin.badToken'));
      },
    },
    h('h2', {}, app.t('signin.token')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'token' }, app.t('signin.token')),
      h('textarea', { id: 'token', name: 'token', rows: 3, required: true, 'aria-describedby': 'token-help', autocomplete: 'off', spellcheck: 'false' }),
      h('p', { id: 'token-help', class: 'help' }, app.t('signin.tokenHelp')),
    ),
    h('button', { type: 'submit' }, app.t('signin.useToken')),
  );
  main.append(tokenForm);
}

function showProblem(alert: HTMLElement, text: string): void {
  alert.textContent = text;
  alert.hidden = false;
}

/** "committente · Acme Energia S.p.A." in the reader's language; the server's English label for a role it does not know. */
export function demoUserLabel(app: Pick<App, 't'>, user: DemoUser): string {
  if (user.role === 'compliance') return app.t('signin.demoCompliance');
  if (user.role === 'committente' && user.name) return `${app.t('role.committente')} · ${user.name}`;
  if (user.role === 'callcenter' && user.name) return `${app.t('role.callcenter')} · ${user.name}`;
  return user.label;
}
