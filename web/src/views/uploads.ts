import type { App } from '../app.js';
import type { Intake } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import type { MessageKey } from '../i18n.js';
import { putWithProgress, UploadError } from '../upload.js';
import { errorMessage } from './common.js';

export type UploadKind = 'list' | 'attestation' | 'evidence';

/** Files this page sent whose arrival the API has not recorded yet, by intake (the page polls until it has). */
const sent = new Map<string, Set<UploadKind>>();

export function sentUploads(intakeId: string): ReadonlySet<UploadKind> {
  return sent.get(intakeId) ?? new Set();
}

/**
 * The committente's upload of one file on the intake's page (docs/api.md), while it is missing: a file input
 * with its label (the keyboard path) and a drop zone that is a button (Enter opens the same picker). Each upload asks
 * the API for a fresh link bound to the file's size (POST /v1/intakes/{id}/uploads), then PUTs the file straight to
 * storage with a progress bar. A refused or expired link is said plainly, with a button that renews it and sends the
 * same file again.
 */
export function uploadSection(app: App, intake: Intake, kind: 'list' | 'attestation', onSent: (kind: UploadKind) => void): HTMLElement | null {
  if (intake.uploads[kind]) return null;
  return h(
    'section',
    { 'aria-labelledby': `upload-${kind}-title`, id: `upload-${kind}-section`, class: 'panel uploads' },
    h('h2', { id: `upload-${kind}-title` }, app.t(`upload.heading.${kind}` as MessageKey)),
    sentUploads(intake.intakeId).has(kind)
      ? h('p', { class: 'notice success', 'data-upload': kind, 'data-state': 'sent' }, app.t(`upload.sent.${kind}` as MessageKey))
      : uploadControl(app, intake, kind, onSent),
  );
}

/** The consent sample's evidence file, uploaded as the documents are (POST /v1/intakes/{id}/evidence gives the link). */
export function evidenceUpload(app: App, intake: Intake, onSent: (kind: UploadKind) => void): HTMLElement {
  return sentUploads(intake.intakeId).has('evidence')
    ? h('p', { class: 'notice success', 'data-upload': 'evidence', 'data-state': 'sent' }, app.t('upload.sent.evidence'))
    : uploadControl(app, intake, 'evidence', onSent);
}

function uploadControl(app: App, intake: Intake, kind: UploadKind, onSent: (kind: UploadKind) => void): HTMLElement {
  const inputId = `upload-${kind}`;
  const progressId = `upload-${kind}-progress`;
  const input = h('input', {
    type: 'file',
    id: inputId,
    name: kind,
    accept: kind === 'attestation' ? '.pdf,.p7m,application/pdf,application/pkcs7-mime' : '.csv,.txt,text/csv,text/plain',
    'aria-describedby': `upload-${kind}-hint`,
  });
  const progress = h('progress', { id: progressId, max: 100, value: 0, hidden: true, 'aria-label': app.t(`upload.progress.${kind}` as MessageKey) });
  const status = h('p', { class: 'upload-status', role: 'status', 'data-testid': `upload-${kind}-status` });
  const problem = h('div', { class: 'upload-problem', 'data-testid': `upload-${kind}-error` });
  const drop = h(
    'button',
    {
      type: 'button',
      class: 'dropzone',
      id: `upload-${kind}-drop`,
      'data-testid': `drop-${kind}`,
      onclick: () => input.click(),
      ondragover: (event: Event) => {
        event.preventDefault();
        drop.classList.add('dragging');
      },
      ondragleave: () => drop.classList.remove('dragging'),
      ondrop: (event: Event) => {
        event.preventDefault();
        drop.classList.remove('dragging');
        const file = (event as DragEvent).dataTransfer?.files[0];
        if (file) void send(file);
      },
    },
    app.t(`upload.drop.${kind}` as MessageKey),
  );
  let busy = false;

  async function send(file: File): Promise<void> {
    if (busy) return;
    busy = true;
    input.disabled = true;
    drop.disabled = true;
    replaceChildren(problem);
    progress.hidden = false;
    progress.value = 0;
    status.textContent = app.t('upload.sending', { name: file.name, size: app.formatNumber(file.size) });
    try {
      if (file.size === 0) throw new UploadError('refused', 0, 'empty file');
      // A fresh link bound to this file's size: S3 takes exactly these bytes on it, nothing else.
      const link =
        kind === 'evidence'
          ? (await app.api.evidenceLink(intake.intakeId, file.size)).upload
          : (await app.api.renewUploads(intake.intakeId, kind === 'list' ? { listBytes: file.size } : { attestationBytes: file.size })).uploads[kind];
      await putWithProgress(link, file, (done, total) => {
        progress.value = total ? Math.round((done / total) * 100) : 0;
      });
      status.textContent = app.t(`upload.sent.${kind}` as MessageKey);
      let set = sent.get(intake.intakeId);
      if (!set) sent.set(intake.intakeId, (set = new Set()));
      set.add(kind);
      onSent(kind);
    } catch (error) {
      progress.hidden = true;
      status.textContent = '';
      replaceChildren(problem, failure(app, error, file, send));
      input.disabled = false;
      drop.disabled = false;
      input.value = '';
    } finally {
      busy = false;
    }
  }
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void send(file);
  });

  return h(
    'div',
    { class: 'upload', 'data-upload': kind },
    h('div', { class: 'field' }, h('label', { for: inputId }, app.t(`upload.choose.${kind}` as MessageKey)), input),
    h('p', { class: 'hint', id: `upload-${kind}-hint` }, app.t(`upload.hint.${kind}` as MessageKey)),
    drop,
    progress,
    status,
    problem,
  );
}

/** What went wrong, and, for a link the store refused or that ran out, the way on without choosing the file again. */
function failure(app: App, error: unknown, file: File, retry: (file: File) => Promise<void>): HTMLElement {
  if (!(error instanceof UploadError)) return errorMessage(app, error);
  if (error.status === 0 && error.message === 'empty file') return h('p', { class: 'notice error', role: 'alert' }, app.t('upload.empty'));
  const renew = h('button', { type: 'button', 'data-testid': 'renew-link', onclick: () => void retry(file) }, app.t('upload.renew'));
  return h('div', { class: 'notice error', role: 'alert' }, h('p', {}, app.t(`upload.failed.${error.kind}` as MessageKey)), renew);
}
