import type { App } from '../app.js';
import type { ConsentSample, Intake } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import type { MessageKey } from '../i18n.js';
import { errorMessage } from './common.js';
import { evidenceUpload, type UploadKind } from './uploads.js';

/** The checks of each sampled row, in the order of docs/consent-sampling.md (shared/consent/checks.ts). */
const CHECKS = ['record', 'consent_period', 'consent_date', 'public_ip', 'notice', 'confirmation'] as const;

/**
 * The consent sample on the intake's page (docs/consent-sampling.md): the drawn rows and, once checked, each row's
 * checks and the defects, for compliance to decide with them in front of them; for the committente while the evidence
 * is awaited, the sample to download and how to upload the evidence.
 */
export async function consentSampleSection(app: App, intake: Intake, onSent: (kind: UploadKind) => void = () => {}): Promise<HTMLElement> {
  const title = h('h2', { id: 'consent-sample-title' }, app.t('sample.title'));
  const panel = h('section', { 'aria-labelledby': 'consent-sample-title', id: 'consent-sample', class: 'panel' }, title);
  let sample: ConsentSample;
  try {
    sample = await app.api.consentSample(intake.intakeId);
  } catch (error) {
    panel.append(errorMessage(app, error));
    return panel;
  }
  const rows = sample.rows.length;
  const defective = new Set(sample.defects.map((d) => d.row)).size;
  const state = sample.outcome
    ? sample.outcome === 'overdue'
      ? app.t('sample.overdue', { deadline: app.formatDateTime(sample.deadline) })
      : app.t('sample.checked', { outcome: app.t(`sample.outcome.${sample.outcome}` as MessageKey), defective, rows })
    : app.t('sample.awaiting', { rows, deadline: app.formatDateTime(sample.deadline) });
  panel.append(
    h('p', { 'data-testid': 'sample-state' }, state),
    h('p', { class: 'hint' }, app.t('sample.confidence')),
    h('p', {}, `${app.t('sample.seed')}: `, h('code', { class: 'hash' }, sample.seed)),
  );
  if (sample.refused && intake.status === 'AWAITING_EVIDENCE') {
    panel.append(
      h('div', { class: 'notice error', role: 'alert' }, h('p', {}, app.t('sample.refused')), h('ul', {}, sample.refused.errors.slice(0, 20).map((e) => h('li', {}, app.language === 'it' ? e.messageIt : e.message)))),
    );
  }
  if (app.session?.user.role === 'committente' && intake.status === 'AWAITING_EVIDENCE') panel.append(answerForm(app, intake, onSent));
  const checked = 'checks' in (sample.rows[0] ?? {});
  panel.append(
    h(
      'table',
      { class: 'consent-sample', 'data-testid': 'sample-table' },
      h('caption', {}, app.t('sample.rows', { rows })),
      h(
        'thead',
        {},
        h('tr', {}, [app.t('sample.row'), app.t('sample.phone'), app.t('sample.consentDate'), ...(checked ? CHECKS : [])].map((c) => h('th', { scope: 'col' }, c))),
      ),
      h(
        'tbody',
        {},
        sample.rows.map((r) =>
          h(
            'tr',
            { 'data-row': r.row },
            h('td', { class: 'number' }, r.row),
            h('td', {}, r.phone),
            h('td', {}, r.consentDate ?? ''),
            ...(checked && 'checks' in r ? CHECKS.map((c) => h('td', { class: `check check-${r.checks[c]}` }, app.t(`sample.check.${r.checks[c]}` as MessageKey))) : []),
          ),
        ),
      ),
    ),
    sample.defects.length
      ? h(
          'ul',
          { class: 'defects', 'data-testid': 'sample-defects' },
          sample.defects.map((d) => h('li', { 'data-row': d.row }, `${app.t('sample.row')} ${d.row}, `, h('code', {}, d.check), `: ${app.language === 'it' ? d.messageIt : d.message}`)),
        )
      : h('p', {}, checked ? app.t('sample.noDefects') : ''),
  );
  return panel;
}

/**
 * The committente's answer: the sample as CSV to fill in, then the filled-in file uploaded from the browser through a
 * size-bound presigned link (./uploads.ts), or by script with `filiera submit --intake ID --evidence FILE`.
 */
function answerForm(app: App, intake: Intake, onSent: (kind: UploadKind) => void): HTMLElement {
  const output = h('div', { 'aria-live': 'polite' });
  const download = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        try {
          const url = URL.createObjectURL(await app.api.consentSampleCsv(intake.intakeId));
          const link = h('a', { href: url, download: `campione-consensi-${intake.intakeId}.csv` }, app.t('sample.download'));
          replaceChildren(output, h('p', {}, link));
          link.click();
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        } catch (error) {
          replaceChildren(output, errorMessage(app, error));
        }
      },
    },
    app.t('sample.download'),
  );
  return h(
    'div',
    { class: 'evidence-answer', 'data-testid': 'sample-answer' },
    h('p', {}, app.t('sample.instructions')),
    h('p', {}, download),
    output,
    evidenceUpload(app, intake, onSent),
    h('p', { class: 'hint' }, app.t('sample.uploadWith'), ' ', h('code', {}, `filiera submit --intake ${intake.intakeId} --evidence FILE`)),
  );
}
