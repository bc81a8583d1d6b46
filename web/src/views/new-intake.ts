import type { App } from '../app.js';
import type { CallCenters } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { errorMessage, loading, pageHeading } from './common.js';

/**
 * The committente opens an intake (docs/api.md): one of its configured call centers and the campaign. The
 * files are uploaded next, on the intake's page, each through a link bound to its size.
 */
export async function renderNewIntake(app: App, main: HTMLElement): Promise<void> {
  replaceChildren(main, pageHeading(app.t('new.title')), loading(app));
  let callCenters: CallCenters;
  try {
    callCenters = await app.api.callCenters();
  } catch (error) {
    replaceChildren(main, pageHeading(app.t('new.title')), errorMessage(app, error));
    return;
  }
  const error = h('p', { class: 'notice error', role: 'alert', id: 'new-error', hidden: true });
  const submit = h('button', { type: 'submit' }, app.t('new.submit'));
  const form = h(
    'form',
    {
      class: 'new-intake',
      novalidate: true,
      'aria-describedby': 'new-error',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const data = new FormData(form);
        const callCenter = String(data.get('callCenter') ?? '');
        const campaign = String(data.get('campaign') ?? '').trim();
        if (!callCenter || !campaign) {
          error.textContent = app.t('new.required');
          error.hidden = false;
          (form.querySelector(callCenter ? '#new-campaign' : '#new-call-center') as HTMLElement | null)?.focus();
          return;
        }
        submit.disabled = true;
        try {
          const opened = await app.api.openIntake({ callCenter, campaign });
          app.navigate(`#/intake/${encodeURIComponent(opened.intakeId)}`);
        } catch (err) {
          error.replaceChildren(errorMessage(app, err).textContent ?? '');
          error.hidden = false;
          submit.disabled = false;
        }
      },
    },
    h('p', {}, app.t('new.intro')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'new-call-center' }, app.t('new.callCenter')),
      h(
        'select',
        { id: 'new-call-center', name: 'callCenter', required: true },
        callCenters.items.length > 1 ? h('option', { value: '' }, app.t('new.choose')) : null,
        callCenters.items.map((c) => h('option', { value: c.id }, `${c.name} (${c.id})`)),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'new-campaign' }, app.t('new.campaign')),
      h('input', { id: 'new-campaign', name: 'campaign', type: 'text', required: true, maxlength: 200, autocomplete: 'off' }),
    ),
    error,
    submit,
  );
  replaceChildren(main, pageHeading(app.t('new.title')), callCenters.items.length ? form : h('p', { class: 'notice' }, app.t('new.noCallCenters')));
}
