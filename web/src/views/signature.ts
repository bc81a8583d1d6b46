import type { catalogue } from '../../../shared/verdict/catalogue.js';
import type { App } from '../app.js';
import type { Intake, SignatureReport } from '../api.js';
import { facts, h } from '../dom.js';
import type { Language, MessageKey } from '../i18n.js';

/**
 * The signature panel (docs/api.md, "The signature report"): one block per signature of the file with its signer and
 * role, the ETSI EN 319 102-1 indication and sub-indication, each check with its outcome, its sentence and the finding
 * it raised, and the facts the checks establish (trust anchor and its source, revocation status with the data that gave
 * it, the signature timestamp, the qualified status and its trusted-list service); a PDF's document timestamps apart. `signatureBlocks` reads the report into what the panel shows (pure,
 * unit-tested); `signaturePanel` lays it out.
 */

type Report = SignatureReport;
type Validation = NonNullable<Report['signatures']>[number];
type Check = Report['checks'][number];
type Signer = NonNullable<Report['signer']>;
type Outcome = Check['outcome'];
type ChainFacts = NonNullable<Validation['chain']>;
type RevocationFacts = NonNullable<Validation['revocation']>;
type TimestampFacts = NonNullable<Validation['timestamp']>;
type QualifiedFacts = NonNullable<Validation['qualified']>;
type FindingCode = keyof typeof catalogue;

/**
 * The findings a check's outcome raises (shared/verdict/policy.ts decides them over the whole file): a row names a
 * finding only when the intake carries it, so a file-level finding shows beside every signature whose check led to it.
 */
const CHECK_FINDINGS: Record<Check['name'], Partial<Record<Outcome, FindingCode[]>>> = {
  integrity: { fail: ['signature_invalid'] },
  coverage: { fail: ['signature_not_whole_file'] },
  chain: { fail: ['signature_untrusted'] },
  validity: { fail: ['signature_certificate_not_valid'] },
  key_usage: { fail: ['signature_certificate_usage'] },
  signing_time: { fail: ['signing_time_future'] },
  timestamp: { fail: ['signature_timestamp_unused', 'signing_time_claimed'], absent: ['signing_time_claimed'] },
  revocation: { fail: ['signature_revoked'], absent: ['revocation_status_unknown'] },
  signing_certificate: { fail: ['signature_certificate_mismatch'] },
  identity: { fail: ['signature_not_tenant'], absent: ['signature_not_tenant'] },
  qualified: { fail: ['signature_not_qualified'], absent: ['signature_not_qualified'] },
};

export interface CheckRow {
  name: string;
  outcome: Outcome;
  /** The engine's sentence in the reader's language when it has one, else as recorded (English). */
  detail: string;
  detailLanguage: Language;
  findings: string[];
}

export interface SignatureBlock {
  index: number;
  total: number;
  signerName: string | null;
  /** Whether this signer identifies the tenant; null when the report does not say (nothing signed it readably). */
  identifiesTenant: boolean | null;
  where: string | null;
  indication: Report['indication'];
  subIndication: Report['subIndication'];
  valid: boolean;
  signer: Signer | null;
  signingTime: string | null;
  signingTimeSource: Report['signingTimeSource'];
  qualified: boolean | null;
  /** The report's facts; null for an intake verified before they were recorded. */
  chain: ChainFacts | null;
  revocation: RevocationFacts | null;
  timestamp: TimestampFacts | null;
  qualifiedFacts: QualifiedFacts | null;
  checks: CheckRow[];
  notes: string[];
}

/** Each signature of the report as the panel shows it; an intake verified before per-signature reports gives one block for the file. */
export function signatureBlocks(report: Report, language: Language, findings: readonly { code: string }[]): SignatureBlock[] {
  const raised = new Set(findings.map((f) => f.code));
  const rows = (checks: readonly Check[]): CheckRow[] =>
    checks.map((c) => {
      const italian = language === 'it' && c.detailIt !== undefined;
      return {
        name: c.name,
        outcome: c.outcome,
        detail: italian ? c.detailIt! : c.detail,
        detailLanguage: italian ? 'it' : 'en',
        findings: (CHECK_FINDINGS[c.name]?.[c.outcome] ?? []).filter((code) => raised.has(code)),
      };
    });
  /** What a signature and a file-level report (older intakes) show alike. */
  type Shown = Pick<Report, 'indication' | 'subIndication' | 'valid' | 'signer' | 'signingTime' | 'signingTimeSource' | 'checks' | 'notes' | 'chain' | 'revocation' | 'timestamp' | 'qualified'>;
  const block = (
    source: Shown,
    place: Pick<SignatureBlock, 'index' | 'total' | 'identifiesTenant' | 'where'>,
  ): SignatureBlock => {
    const qualifiedCheck = source.checks.find((c) => c.name === 'qualified');
    return {
      ...place,
      signerName: nameOf(source.signer),
      indication: source.indication,
      subIndication: source.subIndication,
      valid: source.valid,
      signer: source.signer ?? null,
      signingTime: source.signingTime ?? null,
      signingTimeSource: source.signingTimeSource,
      qualified: qualifiedCheck ? qualifiedCheck.outcome === 'pass' : null,
      chain: source.chain ?? null,
      revocation: source.revocation ?? null,
      timestamp: source.timestamp ?? null,
      qualifiedFacts: source.qualified ?? null,
      checks: rows(source.checks),
      notes: source.notes,
    };
  };
  const signatures = report.signatures ?? [];
  if (signatures.length === 0) {
    const identity = report.checks.find((c) => c.name === 'identity');
    return [block(report, { index: 1, total: 1, identifiesTenant: identity ? identity.outcome === 'pass' : null, where: null })];
  }
  return signatures.map((s: Validation) =>
    block(s, {
      index: s.index,
      total: signatures.length,
      identifiesTenant: s.identifiesTenant,
      // One signature alone: where it sits says nothing ("the signature", "PDF signature 1 of 1").
      where: signatures.length === 1 ? null : language === 'it' ? (s.labelIt ?? s.label) : s.label,
    }),
  );
}

/**
 * The report's notes that are about the file, not repeated from a block: the engine repeats each signature's notes
 * (prefixed with its label when there are several) and each document timestamp's detail in the file's notes.
 */
export function fileOnlyNotes(report: Report, blocks: readonly SignatureBlock[]): string[] {
  const repeated = (note: string) =>
    blocks.some((b) => b.notes.some((n) => note === n || note.endsWith(`: ${n}`))) ||
    (report.documentTimestamps ?? []).some((t) => note.startsWith(`Document timestamp ${t.index}: `));
  return report.notes.filter((n) => !repeated(n));
}

function nameOf(signer: Signer | undefined): string | null {
  return signer ? (signer.commonName ?? signer.subject) : null;
}

/** The signature section of an intake's page. */
export function signaturePanel(app: App, intake: Intake): HTMLElement {
  const report = intake.attestation?.signature ?? null;
  if (!report) return panel(app, h('p', {}, app.t('sig.none')));
  const stamps = report.documentTimestamps?.length ? documentTimestamps(app, report.documentTimestamps) : null;
  if (!report.present) return panel(app, h('p', { 'data-testid': 'signature-absent' }, app.t('sig.absent')), stamps);
  const blocks = signatureBlocks(report, app.language, intake.findings);
  const legacy = !report.signatures?.length;
  const fileNotes = legacy ? [] : fileOnlyNotes(report, blocks);
  return panel(
    app,
    facts([
      [app.t('sig.type'), report.type ?? ''],
      [app.t('sig.valid'), h('strong', { class: report.valid ? 'ok' : 'bad', 'data-testid': 'signature-valid' }, app.t(report.valid ? 'sig.validYes' : 'sig.validNo'))],
      [app.t('sig.indication'), report.indication ? indicationBadge(app, report.indication, report.subIndication, 'signature-indication') : ''],
      [app.t('sig.count'), legacy ? '' : app.formatNumber(blocks.length)],
    ]),
    legacy ? h('p', { class: 'help' }, app.t('sig.wholeFile')) : null,
    blocks.map((b) => signatureBlock(app, b, legacy)),
    stamps,
    notes(app, fileNotes),
  );
}

function panel(app: App, ...content: (Node | Node[] | null)[]): HTMLElement {
  return h('section', { 'aria-labelledby': 'signature-title', id: 'signature', class: 'panel' }, h('h2', { id: 'signature-title' }, app.t('sig.title')), ...content);
}

/** The indication in words and as the standard spells it, with the sub-indication explained: never colour alone. */
function indicationBadge(app: App, indication: NonNullable<Report['indication']>, sub: Report['subIndication'], testId: string): HTMLElement {
  return h(
    'span',
    { class: 'indication' },
    h(
      'span',
      { class: `badge indication-${indication.toLowerCase()}`, 'data-testid': testId, 'data-indication': indication },
      `${indication} (${app.t(`sig.indication.${indication}` as MessageKey)})`,
    ),
    sub
      ? h('span', { class: 'sub-indication', 'data-sub-indication': sub }, ` ${app.t('sig.subIndication')} `, h('code', {}, sub), `: ${app.t(`sig.sub.${sub}` as MessageKey)}`)
      : null,
  );
}

function signatureBlock(app: App, b: SignatureBlock, legacy: boolean): HTMLElement {
  const id = `signature-${b.index}-title`;
  const signer = b.signerName ?? app.t('sig.unknownSigner');
  const role = b.identifiesTenant === null ? null : app.t(b.identifiesTenant ? 'sig.role.tenant' : 'sig.role.other');
  const signingTime = b.signingTime
    ? app.t(b.signingTimeSource === 'timestamp' ? 'sig.signingTimeStamped' : 'sig.signingTimeClaimed', { time: app.formatDateTime(b.signingTime) })
    : '';
  return h(
    'section',
    {
      class: 'signature-block',
      'aria-labelledby': id,
      'data-testid': 'signature-block',
      'data-signature': b.index,
      'data-identifies-tenant': b.identifiesTenant === null ? null : String(b.identifiesTenant),
    },
    h(
      'h3',
      { id },
      app.t('sig.block.title', { n: b.index, total: b.total, signer }),
      role ? [' — ', h('span', { class: b.identifiesTenant ? 'role tenant' : 'role' }, role)] : null,
    ),
    facts([
      [app.t('sig.indication'), b.indication ? indicationBadge(app, b.indication, b.subIndication, 'signature-block-indication') : ''],
      [app.t('sig.valid'), legacy ? '' : h('strong', { class: b.valid ? 'ok' : 'bad' }, app.t(b.valid ? 'sig.validYes' : 'sig.validNo'))],
      [app.t('sig.where'), b.where ?? ''],
      [app.t('sig.signer'), b.signer?.subject ?? ''],
      [app.t('sig.issuer'), b.signer?.issuer ?? ''],
      [app.t('sig.certificateSerial'), b.signer ? h('code', {}, b.signer.certificateSerial) : ''],
      [app.t('sig.certificateValidity'), b.signer ? `${app.formatDateTime(b.signer.notBefore)} – ${app.formatDateTime(b.signer.notAfter)}` : ''],
      [app.t('sig.signingTime'), signingTime],
      [app.t('sig.anchor'), b.chain ? anchor(app, b.chain) : ''],
      [app.t('sig.path'), b.chain ? b.chain.path.join(' → ') : ''],
      [app.t('sig.revocationStatus'), b.revocation ? revocation(app, b.revocation, b.signerName) : ''],
      [app.t('sig.signatureTimestamp'), b.timestamp ? timestamp(app, b.timestamp) : ''],
      [
        app.t('sig.qualifiedStatus'),
        b.qualified === null
          ? ''
          : [h('span', { 'data-qualified': String(b.qualified) }, app.t(b.qualified ? 'sig.qualified.pass' : 'sig.qualified.not')), b.qualifiedFacts ? qualifiedSource(app, b.qualifiedFacts) : null],
      ],
    ]),
    b.checks.length ? checksTable(app, b, signer, legacy) : null,
    notes(app, b.notes),
  );
}

/** The anchor, and where its trust comes from: the configuration, or a trusted list's service. */
function anchor(app: App, chain: ChainFacts): HTMLElement {
  const source =
    chain.source === 'trusted-list' && chain.service
      ? app.t('sig.trustedListService', { service: chain.service, territory: chain.territory ?? '' })
      : app.t('sig.anchor.configured');
  return h('span', { 'data-anchor-source': chain.source }, `${chain.anchor} (${source})`);
}

/** The status at the signing time, then the CRL or OCSP response that gave it: whose, when issued, from where. */
function revocation(app: App, facts: RevocationFacts, signerName: string | null): HTMLElement {
  const parts: string[] = [];
  if (facts.status === 'revoked') parts.push(app.t('sig.revocation.revoked', { time: facts.revokedAt ? app.formatDateTime(facts.revokedAt) : '?' }));
  else parts.push(app.t(facts.status === 'good' ? 'sig.revocation.good' : 'sig.revocation.unknown'));
  if (facts.status === 'good' && facts.revokedAt) parts.push(app.t('sig.revocation.revokedLater', { time: app.formatDateTime(facts.revokedAt) }));
  if (facts.reason) parts.push(app.t('sig.revocation.reason', { reason: facts.reason }));
  // A CA certificate of the path, not the signer's, decided the status: say which.
  if (facts.certificate && facts.certificate !== signerName) parts.push(app.t('sig.revocation.certificate', { name: facts.certificate }));
  const data: string[] = [];
  if (facts.source) {
    const time = facts.issuedAt ? app.formatDateTime(facts.issuedAt) : '?';
    data.push(app.t(facts.source === 'crl' ? 'sig.revocation.crl' : 'sig.revocation.ocsp', { issuer: facts.issuer ?? '?', time }));
  }
  if (facts.origin) data.push(app.t(`sig.revocation.origin.${facts.origin}` as MessageKey, { url: facts.url ?? '?' }));
  return h(
    'span',
    { 'data-revocation-status': facts.status, 'data-revocation-source': facts.source ?? null, 'data-revocation-origin': facts.origin ?? null },
    parts.join(', '),
    data.length ? ` — ${data.join(', ')}` : '',
  );
}

function timestamp(app: App, facts: TimestampFacts): HTMLElement {
  const standing = !facts.verified ? 'sig.timestamp.notVerified' : facts.trusted ? 'sig.timestamp.trusted' : 'sig.timestamp.untrusted';
  return h(
    'span',
    { 'data-timestamp-trusted': String(facts.trusted), 'data-timestamp-verified': String(facts.verified) },
    h('time', { datetime: facts.time }, app.t('sig.timestamp.by', { time: app.formatDateTime(facts.time), authority: facts.authority })),
    ` (${app.t(standing)})`,
  );
}

/** What the qualified status rests on: the trusted-list service, or which part is missing. */
function qualifiedSource(app: App, facts: QualifiedFacts): HTMLElement {
  const yesNo = (value: boolean) => app.t(value ? 'common.yes' : 'common.no');
  const service = facts.service ? app.t('sig.trustedListService', { service: facts.service, territory: facts.territory ?? '' }) : app.t('sig.qualified.noService');
  const text = facts.qualified ? service : `${app.t('sig.qualified.statements', { compliance: yesNo(facts.qcCompliance), sscd: yesNo(facts.qcSSCD) })}; ${service}`;
  return h('span', { class: 'qualified-source', 'data-qualified-service': facts.service ?? null }, ` — ${text}`);
}

function checksTable(app: App, b: SignatureBlock, signer: string, legacy: boolean): HTMLElement {
  return h(
    'table',
    { class: 'checks' },
    h('caption', {}, legacy ? app.t('sig.fileChecksCaption') : app.t('sig.checksCaption', { n: b.index, signer })),
    h('thead', {}, h('tr', {}, [app.t('sig.check'), app.t('sig.outcome'), app.t('sig.detail'), app.t('sig.finding')].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      b.checks.map((c) =>
        h(
          'tr',
          { 'data-check': c.name, 'data-outcome': c.outcome },
          h('th', { scope: 'row' }, checkName(app, c.name)),
          h('td', { class: `outcome-${c.outcome}` }, app.t(`outcome.${c.outcome}` as MessageKey)),
          h(
            'td',
            { class: 'detail', lang: c.detailLanguage },
            c.detail,
            c.detailLanguage !== app.language ? h('span', { class: 'as-recorded', lang: app.language }, ` (${app.t('sig.asRecorded')})`) : null,
          ),
          h('td', { class: 'finding-codes' }, c.findings.map((code, i) => [i ? ', ' : '', h('code', {}, code)])),
        ),
      ),
    ),
  );
}

function checkName(app: App, name: string): string {
  const key = `sig.check.${name}` as MessageKey;
  const text = app.t(key);
  return text === key ? name : text;
}

function documentTimestamps(app: App, stamps: NonNullable<Report['documentTimestamps']>): HTMLElement {
  const yesNo = (value: boolean) => app.t(value ? 'common.yes' : 'common.no');
  return h(
    'section',
    { class: 'document-timestamps', 'aria-labelledby': 'document-timestamps-title', 'data-testid': 'document-timestamps' },
    h('h3', { id: 'document-timestamps-title' }, app.t('sig.dts.title')),
    h(
      'table',
      { class: 'checks' },
      h('caption', {}, app.t('sig.dts.caption')),
      h(
        'thead',
        {},
        h('tr', {}, [app.t('sig.dts.index'), app.t('sig.dts.time'), app.t('sig.dts.authority'), app.t('sig.dts.valid'), app.t('sig.dts.trusted'), app.t('sig.detail')].map((c) => h('th', { scope: 'col' }, c))),
      ),
      h(
        'tbody',
        {},
        stamps.map((t) => {
          const italian = app.language === 'it' && t.detailIt !== undefined;
          return h(
            'tr',
            { 'data-document-timestamp': t.index },
            h('th', { scope: 'row', class: 'number' }, t.index),
            h('td', {}, t.time ? h('time', { datetime: t.time }, app.formatDateTime(t.time)) : ''),
            h('td', {}, t.authority ?? ''),
            h('td', { class: t.valid ? 'ok' : 'bad' }, yesNo(t.valid)),
            h('td', { class: t.trusted ? 'ok' : 'bad' }, yesNo(t.trusted)),
            h('td', { class: 'detail', lang: italian ? 'it' : 'en' }, italian ? t.detailIt! : t.detail),
          );
        }),
      ),
    ),
  );
}

/** The verifier's notes are recorded in English only: labelled so in the Italian console. */
function notes(app: App, list: readonly string[]): HTMLElement | null {
  if (!list.length) return null;
  return h('div', { class: 'signature-notes' }, h('h4', {}, app.t(app.language === 'it' ? 'sig.notesAsRecorded' : 'sig.notes')), h('ul', { lang: 'en' }, list.map((n) => h('li', {}, n))));
}
