import { italianDate } from '../../../shared/verdict/dates.js';
import { fieldLabels } from '../../../shared/verdict/field-labels.js';
import type { App } from '../app.js';
import type { Audit, Intake } from '../api.js';
import { verifyChain } from '../audit-chain.js';
import { facts, h, replaceChildren } from '../dom.js';
import type { MessageKey } from '../i18n.js';
import { legalReference } from '../../../shared/verdict/catalogue.js';
import { errorMessage, loading, pageHeading, statusBadge } from './common.js';
import { consentSampleSection } from './consent-sample.js';
import { signaturePanel } from './signature.js';
import { adviceFor } from '../finding-advice.js';
import { MOVING_STATUSES, pollUntil } from '../poll.js';
import { sentUploads, uploadSection, type UploadKind } from './uploads.js';

type Finding = Intake['findings'][number];

/** The API's own types for what the verdict recorded (shared/api/schemas.ts): the console declares none of its own. */
type AttestationReport = NonNullable<Intake['attestation']>;
type ExtractedFields = NonNullable<AttestationReport['fields']>;
type ExtractedField = NonNullable<ExtractedFields[keyof ExtractedFields]>;

/** Below this a field needs a person (docs/verdict-rules.md, minFieldConfidence default). */
const LOW_CONFIDENCE = 0.9;

/**
 * An intake's page: verdict and findings, extracted fields with confidence, list statistics, documents, signature
 * report, audit trail with its chain checked here too, and (compliance, in review) the decision.
 */
export async function renderIntake(app: App, main: HTMLElement, intakeId: string, notice?: string): Promise<void> {
  replaceChildren(main, pageHeading(app.t('intake.title', { id: intakeId })), loading(app));
  let intake: Intake;
  let audit: Audit;
  try {
    [intake, audit] = await Promise.all([app.api.intake(intakeId), app.api.audit(intakeId)]);
  } catch (error) {
    replaceChildren(main, pageHeading(app.t('intake.title', { id: intakeId })), backLink(app), errorMessage(app, error));
    return;
  }
  const live = h('p', { class: 'notice success', role: 'status', 'data-testid': 'decision-notice', tabindex: -1 }, notice ?? '');
  replaceChildren(
    main,
    pageHeading(app.t('intake.title', { id: intakeId })),
    backLink(app),
    notice ? live : null,
    summarySection(app, intake),
    app.session?.user.role === 'compliance' ? decisionSection(app, intake, main) : null,
    intake.consentSample ? await consentSampleSection(app, intake, onSent) : null,
    app.session?.user.role === 'committente' && intake.status === 'AWAITING_EVIDENCE' ? evidenceNotice(app) : null,
    app.session?.user.role === 'committente' && intake.status === 'AWAITING_UPLOADS' ? uploadSection(app, intake, 'list', onSent) : null,
    app.session?.user.role === 'committente' && intake.status === 'AWAITING_UPLOADS' ? templateSection(app, intake) : null,
    app.session?.user.role === 'committente' && intake.status === 'AWAITING_UPLOADS' ? uploadSection(app, intake, 'attestation', onSent) : null,
    findingsSection(app, intake.findings),
    fieldsSection(app, intake),
    listSection(app, intake),
    documentsSection(app, intake),
    signaturePanel(app, intake),
    await auditSection(app, audit),
  );
  if (notice) live.focus();
  if (watching(intake)) watch(app, main, intake);

  function onSent(kind: UploadKind): void {
    void renderIntake(app, main, intakeId, app.t(`upload.sent.${kind}` as MessageKey));
  }
}

/** The intake is moving on its own (processing, releasing), or the API has yet to record a file this page sent. */
function watching(intake: Intake): boolean {
  if (MOVING_STATUSES.has(intake.status)) return true;
  if (intake.status === 'AWAITING_EVIDENCE') return sentUploads(intake.intakeId).has('evidence');
  return intake.status === 'AWAITING_UPLOADS' && [...sentUploads(intake.intakeId)].some((k) => k !== 'evidence' && !intake.uploads[k]);
}

/**
 * Follows the intake without reloading (poll with backoff, ../poll.ts) while this page is shown: a new status
 * re-renders the page with a notice that takes focus, so a screen reader hears the verdict arrive.
 */
function watch(app: App, main: HTMLElement, intake: Intake): void {
  const marker = h('p', { class: 'watching', role: 'status', 'data-testid': 'watching' }, app.t('watch.watching'));
  main.querySelector('#summary')?.before(marker);
  const hash = location.hash;
  void pollUntil({
    read: () => app.api.intake(intake.intakeId),
    done: (value) => value.status !== intake.status || !watching(value),
    active: () => main.contains(marker) && location.hash === hash,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    retryErrors: true,
  }).then((value) => {
    if (!value) return;
    // Only the arrival of a file recorded, status unchanged: nothing is re-rendered under the person's hands but the
    // attestation to sign, which now carries the list's hash and rows.
    if (value.status === intake.status) {
      marker.remove();
      main.querySelector('#template')?.replaceWith(templateSection(app, value));
      return;
    }
    void renderIntake(app, main, intake.intakeId, app.t('watch.changed', { status: app.t(`status.${value.status}` as MessageKey) }));
  });
}

/** While the consent sample waits for its evidence, the page leads the committente to it (./consent-sample.ts). */
function evidenceNotice(app: App): HTMLElement {
  return h(
    'div',
    { class: 'notice', 'data-testid': 'evidence-due' },
    h('p', {}, app.t('evidence.due')),
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          const title = document.getElementById('consent-sample-title');
          if (!title) return;
          title.setAttribute('tabindex', '-1');
          title.scrollIntoView();
          title.focus();
        },
      },
      app.t('evidence.go'),
    ),
  );
}

function backLink(app: App): HTMLElement {
  const compliance = app.session?.user.role === 'compliance';
  return h('p', { class: 'back' }, h('a', { href: compliance ? '#/queue' : '#/mine' }, `← ${app.t(compliance ? 'common.back' : 'common.backMine')}`));
}

function section(id: string, title: string, ...content: (Node | null)[]): HTMLElement {
  return h('section', { 'aria-labelledby': `${id}-title`, id, class: 'panel' }, h('h2', { id: `${id}-title` }, title), ...content);
}

function summarySection(app: App, intake: Intake): HTMLElement {
  return section(
    'summary',
    app.t('intake.summary'),
    facts([
      [app.t('col.status'), statusBadge(app, intake.status)],
      [app.t('intake.verdict'), intake.verdict ? h('strong', { 'data-testid': 'verdict' }, app.t(`verdict.${intake.verdict}` as MessageKey)) : app.t('intake.noVerdict')],
      [app.t('intake.verdictAt'), intake.verdictAt ? app.formatDateTime(intake.verdictAt) : ''],
      [app.t('intake.campaign'), intake.campaign],
      [app.t('intake.tenant'), intake.tenant],
      [app.t('intake.callCenter'), intake.callCenter],
      [app.t('intake.created'), app.formatDateTime(intake.createdAt)],
      [app.t('intake.released'), intake.release ? app.formatDateTime(intake.release.releasedAt) : ''],
      [app.t('intake.releaseExpires'), intake.release ? app.formatDateTime(intake.release.expiresAt) : ''],
    ]),
    intake.review
      ? h(
          'div',
          { class: 'review-record', 'data-testid': 'review-record' },
          h(
            'p',
            {},
            app.t('decision.recorded', {
              reviewer: intake.review.reviewer,
              at: app.formatDateTime(intake.review.decidedAt),
              decision: app.t(`decision.decision.${intake.review.decision}` as MessageKey),
            }),
          ),
          h('blockquote', {}, intake.review.justification),
        )
      : null,
  );
}

function findingsSection(app: App, findings: readonly Finding[]): HTMLElement {
  const other = app.language === 'it' ? 'en' : 'it';
  const order = { reject: 0, review: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  return section(
    'findings',
    app.t('findings.title'),
    sorted.length
      ? h(
          'ul',
          { class: 'findings' },
          sorted.map((f) => {
            const message = app.language === 'it' ? (f.messageIt ?? f.message) : f.message;
            const reference = legalReference(f.code, f.rule, app.language);
            const otherReference = legalReference(f.code, f.rule, other);
            return h(
              'li',
              { class: `finding severity-${f.severity}`, 'data-code': f.code },
              h('p', { class: 'finding-head' }, h('span', { class: `badge severity-${f.severity}` }, app.t(`severity.${f.severity}` as MessageKey)), ' ', h('code', {}, f.code)),
              h('p', { class: 'finding-message' }, message),
              adviceFor(f.code, app.language) ? h('p', { class: 'finding-advice' }, h('strong', {}, `${app.t('findings.advice')}: `), adviceFor(f.code, app.language)!) : null,
              h(
                'dl',
                { class: 'finding-meta' },
                reference ? [h('dt', {}, app.t('findings.rule')), h('dd', { lang: app.language, class: 'rule' }, reference)] : null,
                otherReference && otherReference !== reference
                  ? [h('dt', {}, app.t('findings.ruleOther')), h('dd', { lang: other, class: 'rule rule-other' }, otherReference)]
                  : null,
                f.field ? [h('dt', {}, app.t('findings.field')), h('dd', {}, fieldName(app, f.field))] : null,
              ),
            );
          }),
        )
      : h('p', {}, app.t('findings.none')),
  );
}

function fieldName(app: App, field: string): string {
  const label = (fieldLabels as Record<string, { it: string; en: string }>)[field];
  return label ? label[app.language] : field;
}

/**
 * An extracted field's interpreted value as a person reads the form: dates as DD/MM/YYYY, the collection period as a
 * range, the transfer declaration as yes or no with its details, place and date as written. Any other shape falls
 * back to its keys and values.
 */
export function displayValue(value: unknown, yesNo: { yes: string; no: string } = { yes: 'yes', no: 'no' }): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(value) ? italianDate(value) : value;
  if (typeof value === 'boolean') return value ? yesNo.yes : yesNo.no;
  if (typeof value !== 'object') return String(value);
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).sort().join(',');
  if (keys === 'from,to') return `${displayValue(v.from, yesNo)} – ${displayValue(v.to, yesNo)}`;
  if (keys === 'date,place') return `${displayValue(v.place, yesNo)}, ${displayValue(v.date, yesNo)}`;
  if (typeof v.declared === 'boolean' && (keys === 'declared' || keys === 'declared,details')) {
    const answer = displayValue(v.declared, yesNo);
    return typeof v.details === 'string' && v.details ? `${answer}: ${v.details}` : answer;
  }
  return Object.entries(v)
    .map(([k, item]) => `${k}: ${displayValue(item, yesNo)}`)
    .join(', ');
}

function fieldsSection(app: App, intake: Intake): HTMLElement {
  const attestation: Partial<AttestationReport> = intake.attestation ?? {};
  const fields: Record<string, ExtractedField | undefined> = attestation.fields ?? {};
  const names = Object.keys(fieldLabels).filter((name) => fields[name]);
  const format = attestation.format ?? '';
  return section(
    'fields',
    app.t('fields.title'),
    format ? facts([[app.t('fields.format'), format]]) : null,
    names.length
      ? h(
          'table',
          { class: 'fields' },
          h('caption', {}, app.t('fields.caption')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [app.t('fields.field'), app.t('fields.raw'), app.t('fields.value'), app.t('fields.confidence'), app.t('fields.source')].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            names.map((name) => {
              const f = fields[name]!;
              const confidence = typeof f.confidence === 'number' ? f.confidence : 0;
              const low = confidence < LOW_CONFIDENCE;
              return h(
                'tr',
                { 'data-field': name, class: low ? 'low-confidence' : '' },
                h('th', { scope: 'row' }, fieldName(app, name)),
                h('td', { class: 'raw' }, f.raw ?? ''),
                h('td', {}, displayValue(f.value, { yes: app.t('common.yes'), no: app.t('common.no') })),
                h(
                  'td',
                  { class: 'confidence' },
                  h('meter', { min: 0, max: 1, low: LOW_CONFIDENCE, optimum: 1, value: confidence, 'aria-hidden': 'true' }),
                  ` ${Math.round(confidence * 100)}%`,
                  low ? h('strong', { class: 'flag' }, ` ${app.t('fields.low')}`) : null,
                ),
                h('td', {}, f.source ? app.t(`fields.source.${f.source}` as MessageKey) : ''),
              );
            }),
          ),
        )
      : h('p', {}, app.t('fields.none')),
  );
}

function listSection(app: App, intake: Intake): HTMLElement {
  const counts = intake.counts;
  if (!counts) return section('list', app.t('list.title'), h('p', {}, app.t('list.none')));
  const list: Partial<NonNullable<Intake['list']>> = intake.list ?? {};
  const excludedTotal = Object.values(counts.excluded).reduce((a, b) => a + b, 0);
  const delimiter = list.delimiter === '\t' ? 'TAB' : list.delimiter;
  const samples = (list.samples ?? []).slice(0, 10);
  return section(
    'list',
    app.t('list.title'),
    facts([
      [app.t('list.dataRows'), h('span', { 'data-testid': 'data-rows' }, app.formatNumber(counts.dataRows))],
      [app.t('list.released'), h('span', { 'data-testid': 'released-rows' }, app.formatNumber(counts.releasedRows))],
      [app.t('list.excluded'), app.formatNumber(excludedTotal)],
      [app.t('list.encoding'), list.encoding ?? ''],
      [app.t('list.delimiter'), delimiter ? h('code', {}, delimiter) : ''],
      [app.t('list.sha256'), list.sha256 ? h('code', { class: 'hash' }, list.sha256) : ''],
    ]),
    h(
      'table',
      { class: 'excluded' },
      h('caption', {}, app.t('list.excluded')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, app.t('list.reason')), h('th', { scope: 'col' }, app.t('list.count')))),
      h(
        'tbody',
        {},
        Object.entries(counts.excluded).map(([reason, n]) =>
          h('tr', { 'data-reason': reason }, h('th', { scope: 'row' }, reasonName(app, reason)), h('td', { class: 'number' }, app.formatNumber(n))),
        ),
      ),
    ),
    samples.length
      ? h(
          'details',
          {},
          h('summary', {}, app.t('list.samples')),
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, [app.t('list.row'), app.t('list.phone'), app.t('list.reason')].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, samples.map((s) => h('tr', {}, h('td', { class: 'number' }, s.row), h('td', {}, s.phone), h('td', {}, reasonName(app, s.reason))))),
          ),
        )
      : null,
  );
}

function reasonName(app: App, reason: string): string {
  const key = `reason.${reason}` as MessageKey;
  const text = app.t(key);
  return text === key ? reason : text;
}

/**
 * A button that fetches something and shows the result below it: disabled while it works, the loading line meanwhile,
 * the API's error in place of the result if it fails.
 */
function fetchButton(app: App, label: string, run: (output: HTMLElement) => Promise<void>): { button: HTMLButtonElement; output: HTMLElement } {
  const output = h('div', { 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        button.disabled = true;
        replaceChildren(output, loading(app));
        try {
          await run(output);
        } catch (error) {
          replaceChildren(output, errorMessage(app, error));
        } finally {
          button.disabled = false;
        }
      },
    },
    label,
  );
  return { button, output };
}

function documentsSection(app: App, intake: Intake): HTMLElement {
  const any = intake.uploads.list || intake.uploads.attestation;
  const { button, output } = fetchButton(app, app.t('docs.issue'), async (out) => {
    const result = await app.api.documents(intake.intakeId);
    replaceChildren(
      out,
      h('p', {}, app.t('docs.expires', { time: app.formatDateTime(result.expiresAt) })),
      h(
        'ul',
        { class: 'documents' },
        result.documents.map((d) =>
          h(
            'li',
            { 'data-document': d.kind },
            h('a', { href: d.url, rel: 'noopener noreferrer', download: d.fileName }, `${app.t(`docs.kind.${d.kind}` as MessageKey)} (${d.fileName})`),
            d.sha256 ? h('div', { class: 'hash' }, app.t('docs.sha', { sha: d.sha256 })) : null,
          ),
        ),
      ),
    );
  });
  return section('documents', app.t('docs.title'), any ? h('p', {}, app.t('docs.intro')) : h('p', {}, app.t('docs.none')), any ? button : null, output);
}

/**
 * The committente's next step while the intake waits for its files: the pre-filled attestation to sign (after the
 * list is uploaded it carries the list's SHA-256 and row count).
 */
function templateSection(app: App, intake: Intake): HTMLElement {
  const { button, output } = fetchButton(app, app.t('template.download'), async (out) => {
    const url = URL.createObjectURL(await app.api.attestationTemplate(intake.intakeId));
    const link = h('a', { href: url, download: `dichiarazione-${intake.intakeId}.pdf` }, app.t('template.saved'));
    replaceChildren(out, h('p', {}, link));
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
  return section('template', app.t('template.title'), h('p', {}, app.t(intake.uploads.list ? 'template.withList' : 'template.withoutList')), button, output);
}

async function auditSection(app: App, audit: Audit): Promise<HTMLElement> {
  const server = audit.chain.valid
    ? h('p', { class: 'chain ok', 'data-testid': 'chain-server', 'data-valid': 'true' }, '✔ ', app.t('audit.serverValid'))
    : h('p', { class: 'chain bad', 'data-testid': 'chain-server', 'data-valid': 'false' }, '✘ ', app.t('audit.serverBroken', { at: audit.chain.brokenAt ?? '?' }));
  let browser: HTMLElement;
  if (!globalThis.crypto?.subtle) {
    browser = h('p', { class: 'chain unknown', 'data-testid': 'chain-browser' }, app.t('audit.browserUnavailable'));
  } else {
    const check = await verifyChain(audit.events, audit.head);
    browser = check.valid
      ? h('p', { class: 'chain ok', 'data-testid': 'chain-browser', 'data-valid': 'true' }, '✔ ', app.t('audit.browserValid', { n: check.checked }))
      : h(
          'p',
          { class: 'chain bad', 'data-testid': 'chain-browser', 'data-valid': 'false' },
          '✘ ',
          app.t('audit.browserBroken', { at: check.brokenAt ?? '?', reason: app.t(`audit.reason.${check.reason ?? 'hash'}` as MessageKey) }),
        );
  }
  return section(
    'audit',
    app.t('audit.title'),
    server,
    browser,
    h(
      'table',
      { class: 'audit' },
      h('caption', {}, app.t('audit.caption')),
      h('thead', {}, h('tr', {}, [app.t('audit.seq'), app.t('audit.at'), app.t('audit.type'), app.t('audit.actor'), app.t('audit.data'), app.t('audit.hash')].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        audit.events.map((e) =>
          h(
            'tr',
            { 'data-event': e.type },
            h('td', { class: 'number' }, e.seq),
            h('td', {}, h('time', { datetime: e.at }, app.formatDateTime(e.at))),
            h('td', {}, h('code', {}, e.type)),
            h('td', {}, e.actor),
            h('td', { class: 'data' }, eventData(e.data)),
            h('td', {}, h('code', { class: 'hash', title: e.hash }, `${e.hash.slice(0, 12)}…`)),
          ),
        ),
      ),
    ),
  );
}

function eventData(data: Record<string, unknown>): string {
  const text = Object.entries(data)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** Approve or reject, with a required written justification; the API decides whether this reviewer may. */
function decisionSection(app: App, intake: Intake, main: HTMLElement): HTMLElement | null {
  if (intake.status !== 'IN_REVIEW') return null;
  const error = h('p', { class: 'notice error', role: 'alert', id: 'decision-error', hidden: true });
  const form = h(
    'form',
    {
      class: 'decision',
      novalidate: true,
      'aria-describedby': 'decision-error',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const data = new FormData(form);
        const decision = data.get('decision');
        const justification = String(data.get('justification') ?? '').trim();
        if ((decision !== 'approve' && decision !== 'reject') || justification.length < 10) {
          error.textContent = app.t('decision.required');
          error.hidden = false;
          (form.querySelector(decision ? 'textarea' : 'input[name="decision"]') as HTMLElement | null)?.focus();
          return;
        }
        submit.disabled = true;
        try {
          const updated = await app.api.decide(intake.intakeId, decision, justification);
          await renderIntake(app, main, intake.intakeId, app.t('decision.done', { status: app.t(`status.${updated.status}` as MessageKey) }));
        } catch (err) {
          error.replaceChildren(errorMessage(app, err).textContent ?? '');
          error.hidden = false;
          submit.disabled = false;
        }
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, app.t('decision.legend')),
      h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'decision', value: 'approve', id: 'decision-approve', required: true }), h('label', { for: 'decision-approve' }, app.t('decision.approve'))),
      h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'decision', value: 'reject', id: 'decision-reject' }), h('label', { for: 'decision-reject' }, app.t('decision.reject'))),
    ),
    h('div', { class: 'field' }, h('label', { for: 'decision-justification' }, app.t('decision.justification')), h('textarea', { id: 'decision-justification', name: 'justification', rows: 4, required: true, minlength: 10, maxlength: 4000 })),
    error,
  );
  const submit = h('button', { type: 'submit' }, app.t('decision.submit'));
  form.append(submit);
  return section('decision', app.t('decision.title'), form);
}
