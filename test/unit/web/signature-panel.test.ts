import { describe, expect, it, vi } from 'vitest';
import { indicationOf } from '../../../shared/signature/indication.js';
import type { SignatureCheck, SignatureReport, SignatureValidation, SignerIdentity } from '../../../shared/signature/model.js';
import type { Intake } from '../../../web/src/api.js';
import type { App } from '../../../web/src/app.js';
import { translate, type Language } from '../../../web/src/i18n.js';
import { fileOnlyNotes, signatureBlocks, signaturePanel } from '../../../web/src/views/signature.js';
import { fakeDocument, type FakeElement } from './fake-document.js';

/**
 * The signature panel of an intake's page: one block per signature, each with its signer and role, the ETSI EN 319
 * 102-1 indication and sub-indication, every check in the reader's language and the finding it raised.
 */

const mario: SignerIdentity = {
  subject: 'CN=Mario Rossi, serialNumber=TINIT-RSSMRA80A01F205X, 2.5.4.97=VATIT-01234567897, O=Acme Energia S.p.A., C=IT',
  issuer: 'CN=Filiera Test Qualified CA, O=Filiera Test Trust Services, C=IT',
  commonName: 'Mario Rossi',
  organizationIdentifier: 'VATIT-01234567897',
  serialNumber: 'TINIT-RSSMRA80A01F205X',
  organizationName: 'Acme Energia S.p.A.',
  certificateSerial: '1001',
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2028-01-01T00:00:00.000Z',
};
const stranger: SignerIdentity = { ...mario, subject: 'CN=Ugo Ignoto, C=IT', issuer: 'CN=Untrusted Root, C=IT', commonName: 'Ugo Ignoto', certificateSerial: '77' };

const check = (name: SignatureCheck['name'], outcome: SignatureCheck['outcome'], detail: string, detailIt: string): SignatureCheck => ({ name, outcome, detail, detailIt });

/** Mario's signature: verifies and chains, no revocation data (so INDETERMINATE / TRY_LATER), names the tenant. */
const marioChecks: SignatureCheck[] = [
  check('integrity', 'pass', 'The signature verifies over the enclosed document', 'La firma è integra sul documento racchiuso'),
  check('chain', 'pass', 'The certificate chains to the trust anchor "Filiera Test Root"', 'Il certificato discende dall\'ancora di fiducia "Filiera Test Root"'),
  check('revocation', 'absent', 'The revocation status cannot be established: no CRL of "Filiera Test Qualified CA"', 'Lo stato di revoca non può essere accertato: nessuna CRL di "Filiera Test Qualified CA"'),
  check('timestamp', 'absent', 'The signature carries no RFC 3161 signature timestamp', 'La firma non ha una marca temporale RFC 3161'),
  check('identity', 'pass', 'The signer identifies the tenant', 'Il firmatario identifica il committente'),
  check('qualified', 'pass', 'A qualified electronic signature under the trusted list\'s CA/QC service "Filiera Test Qualified CA"', 'Una firma elettronica qualificata'),
];
/** A countersigner whose certificate does not chain: INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND. */
const strangerChecks: SignatureCheck[] = [
  check('integrity', 'pass', 'The signature verifies over the enclosed document', 'La firma è integra sul documento racchiuso'),
  check('chain', 'fail', 'The certificate does not chain to a configured trust anchor', 'Il certificato non discende da un\'ancora di fiducia configurata'),
  check('revocation', 'absent', 'Not evaluated: the certificate path does not reach a trust anchor', 'Non valutato: il percorso di certificazione non raggiunge un\'ancora di fiducia'),
  check('identity', 'absent', 'The signer does not name the tenant', 'Il firmatario non indica il committente'),
  check('qualified', 'absent', 'Not a qualified electronic signature', 'Non è una firma elettronica qualificata'),
];

function validation(index: number, signer: SignerIdentity, checks: SignatureCheck[], identifiesTenant: boolean, notes: string[]): SignatureValidation {
  const status = indicationOf(checks);
  return {
    index,
    label: `signer ${index} of 2`,
    labelIt: `firmatario ${index} di 2`,
    type: 'CAdES',
    valid: checks.every((c) => c.name === 'identity' || c.name === 'qualified' || c.outcome !== 'fail'),
    identifiesTenant,
    checks,
    signer,
    signingTime: '2026-11-30T09:00:00.000Z',
    signingTimeSource: index === 1 ? 'timestamp' : 'signed-attribute',
    notes,
    indication: status.indication,
    ...(status.subIndication ? { subIndication: status.subIndication } : {}),
  };
}

const twoSigners: SignatureReport = {
  present: true,
  type: 'CAdES',
  valid: false,
  checks: marioChecks.map((c) => (c.name === 'chain' ? strangerChecks[1]! : c)),
  signer: mario,
  signingTime: '2026-11-30T09:00:00.000Z',
  signingTimeSource: 'timestamp',
  notes: ['A configured trust anchor could not be parsed and was ignored.', 'signer 2 of 2: No RFC 3161 timestamp.', 'Document timestamp 1: The timestamp verifies.'],
  signatures: [validation(1, mario, marioChecks, true, []), validation(2, stranger, strangerChecks, false, ['No RFC 3161 timestamp.'])],
  indication: 'INDETERMINATE',
  subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
  documentTimestamps: [
    { index: 1, valid: true, trusted: true, time: '2026-11-30T10:00:00.000Z', authority: 'Filiera Test TSA', detail: 'The timestamp verifies.', detailIt: 'La marca temporale è integra.' },
  ],
};

/** The same two signatures with the facts the verifier records beside the sentences. */
const withFacts: SignatureReport = {
  ...twoSigners,
  signatures: [
    {
      ...twoSigners.signatures![0]!,
      chain: { anchor: 'Filiera Test Qualified CA', source: 'trusted-list', service: 'Qualified certificates for eSignatures', territory: 'IT', path: [mario.subject, mario.issuer] },
      revocation: { status: 'good', certificate: 'Mario Rossi', source: 'ocsp', origin: 'fetched', url: 'http://ocsp.test/qca', issuer: 'Filiera Test Qualified CA', issuedAt: '2026-11-30T09:05:00.000Z' },
      timestamp: { time: '2026-11-30T09:00:00.000Z', authority: 'Filiera Test TSA', trusted: true, verified: true },
      qualified: { qualified: true, qcCompliance: true, qcSSCD: true, service: 'Qualified certificates for eSignatures', territory: 'IT' },
    },
    {
      ...twoSigners.signatures![1]!,
      revocation: { status: 'revoked', certificate: 'Untrusted CA', source: 'crl', origin: 'embedded', issuer: 'Untrusted Root', issuedAt: '2026-11-29T00:00:00.000Z', revokedAt: '2026-11-01T00:00:00.000Z', reason: 'keyCompromise' },
      timestamp: { time: '2026-11-30T08:00:00.000Z', authority: 'Rogue TSA', trusted: false, verified: true },
      qualified: { qualified: false, qcCompliance: true, qcSSCD: false },
    },
  ],
};

/** A block's facts as label → text, in order. */
function factRows(block: FakeElement): [string, string][] {
  const list = block.find('dl', { class: 'facts' })[0]!.children;
  const rows: [string, string][] = [];
  for (let i = 0; i < list.length; i += 2) rows.push([list[i]!.textContent, list[i + 1]!.textContent]);
  return rows;
}

const findings = [
  { code: 'signature_untrusted', severity: 'reject', message: 'untrusted' },
  { code: 'revocation_status_unknown', severity: 'info', message: 'unknown' },
] as Intake['findings'];

function fakeApp(language: Language): App {
  return {
    language,
    t: (key, params) => translate(language, key, params),
    formatDateTime: (iso: string) => `[${iso}]`,
    formatNumber: (n: number) => String(n),
  } as App;
}

function render(language: Language, signature: SignatureReport | undefined): FakeElement {
  vi.stubGlobal('document', fakeDocument);
  const intake = { attestation: { format: 'cades-pdf', sha256: 'ab'.repeat(32), signature }, findings } as unknown as Intake;
  return signaturePanel(fakeApp(language), intake) as unknown as FakeElement;
}

describe('signatureBlocks: what the panel shows of each signature', () => {
  it('gives one block per signature with its signer, role, place in the file and ETSI indication', () => {
    const blocks = signatureBlocks(twoSigners, 'it', findings);

    expect(blocks.map((b) => [b.index, b.total, b.signerName, b.identifiesTenant, b.where])).toEqual([
      [1, 2, 'Mario Rossi', true, 'firmatario 1 di 2'],
      [2, 2, 'Ugo Ignoto', false, 'firmatario 2 di 2'],
    ]);
    expect(blocks.map((b) => [b.indication, b.subIndication])).toEqual([
      ['INDETERMINATE', 'TRY_LATER'],
      ['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'],
    ]);
    expect(blocks.map((b) => b.qualified)).toEqual([true, false]);
    expect(signatureBlocks(twoSigners, 'en', findings)[1]!.where).toBe('signer 2 of 2');
    // A signature alone: no place in the file to tell.
    const alone = { ...twoSigners, signatures: [{ ...twoSigners.signatures![0]!, label: 'the signature', labelIt: 'la firma' }] };
    expect(signatureBlocks(alone, 'it', findings).map((b) => [b.total, b.where])).toEqual([[1, null]]);
  });

  it("gives each check's sentence in the reader's language, and the finding it raised when the intake carries it", () => {
    const [first, second] = signatureBlocks(twoSigners, 'it', findings);
    const chain = second!.checks.find((c) => c.name === 'chain')!;

    expect(chain).toEqual({ name: 'chain', outcome: 'fail', detail: "Il certificato non discende da un'ancora di fiducia configurata", detailLanguage: 'it', findings: ['signature_untrusted'] });
    expect(first!.checks.find((c) => c.name === 'revocation')!.findings).toEqual(['revocation_status_unknown']);
    // Not raised on this intake (no timestamp finding, the tenant is identified): no finding named.
    expect(first!.checks.find((c) => c.name === 'timestamp')!.findings).toEqual([]);
    expect(second!.checks.find((c) => c.name === 'identity')!.findings).toEqual([]);
    expect(signatureBlocks(twoSigners, 'en', findings)[1]!.checks.find((c) => c.name === 'chain')!.detail).toBe('The certificate does not chain to a configured trust anchor');
  });

  it('reads an intake verified before per-signature reports as one block for the file, its English details as recorded', () => {
    const legacy = { present: true, type: 'PAdES', valid: true, signer: mario, signingTimeSource: 'signed-attribute', notes: [], checks: [
      { name: 'integrity', outcome: 'pass', detail: 'The signature verifies' },
      { name: 'identity', outcome: 'pass', detail: 'The signer identifies the tenant' },
    ] } as SignatureReport;

    const [block, ...rest] = signatureBlocks(legacy, 'it', []);

    expect(rest).toEqual([]);
    expect(block).toMatchObject({ index: 1, total: 1, signerName: 'Mario Rossi', identifiesTenant: true, where: null, indication: undefined, qualified: null });
    expect(block!.checks[0]).toEqual({ name: 'integrity', outcome: 'pass', detail: 'The signature verifies', detailLanguage: 'en', findings: [] });
  });

  it("keeps the file's own notes and drops those repeated from a signature or a document timestamp", () => {
    expect(fileOnlyNotes(twoSigners, signatureBlocks(twoSigners, 'en', []))).toEqual(['A configured trust anchor could not be parsed and was ignored.']);
  });
});

describe('signatureBlocks: the facts beside the checks', () => {
  it("carries each signature's chain, revocation, timestamp and qualified facts; none for a report that has none", () => {
    const blocks = signatureBlocks(withFacts, 'en', findings);

    expect(blocks[0]).toMatchObject({ chain: withFacts.signatures![0]!.chain, revocation: withFacts.signatures![0]!.revocation, timestamp: withFacts.signatures![0]!.timestamp, qualifiedFacts: withFacts.signatures![0]!.qualified });
    expect(blocks[1]!.chain).toBeNull();
    expect(signatureBlocks(twoSigners, 'en', findings).map((b) => [b.chain, b.revocation, b.timestamp, b.qualifiedFacts])).toEqual([
      [null, null, null, null],
      [null, null, null, null],
    ]);
  });
});

describe('signaturePanel: the markup', () => {
  it('adds fact rows per signature: anchor and its source, path, revocation status with its data, timestamp, qualified status and its source (Italian)', () => {
    const blocks = render('it', withFacts).find('section', { 'data-testid': 'signature-block' });

    const first = Object.fromEntries(factRows(blocks[0]!));
    expect(first['Ancora di fiducia']).toBe('Filiera Test Qualified CA (servizio "Qualified certificates for eSignatures" dell\'elenco di fiducia IT)');
    expect(first['Percorso di certificazione']).toBe(`${mario.subject} → ${mario.issuer}`);
    expect(first['Stato di revoca']).toBe('non revocato all\'ora di firma — risposta OCSP per "Filiera Test Qualified CA" del [2026-11-30T09:05:00.000Z], scaricata da http://ocsp.test/qca');
    expect(first['Marca temporale della firma']).toBe('[2026-11-30T09:00:00.000Z], autorità "Filiera Test TSA" (autorità fidata)');
    expect(first['Stato qualificato']).toBe('firma elettronica qualificata — servizio "Qualified certificates for eSignatures" dell\'elenco di fiducia IT');
    expect(blocks[0]!.find('span', { 'data-anchor-source': 'trusted-list' })).toHaveLength(1);
    expect(blocks[0]!.find('span', { 'data-revocation-status': 'good' })[0]!.getAttribute('data-revocation-origin')).toBe('fetched');
    expect(blocks[0]!.find('time', { datetime: '2026-11-30T09:00:00.000Z' })).toHaveLength(1);

    const second = Object.fromEntries(factRows(blocks[1]!));
    // No anchor reached: no anchor row, no path row.
    expect(second['Ancora di fiducia']).toBeUndefined();
    expect(second['Percorso di certificazione']).toBeUndefined();
    expect(second['Stato di revoca']).toBe('revocato il [2026-11-01T00:00:00.000Z], motivo keyCompromise, certificato "Untrusted CA" — CRL di "Untrusted Root" emessa il [2026-11-29T00:00:00.000Z], contenuta nel file firmato');
    expect(second['Marca temporale della firma']).toBe('[2026-11-30T08:00:00.000Z], autorità "Rogue TSA" (autorità non fidata: ora non usata)');
    expect(second['Stato qualificato']).toBe('non accertata come qualificata — QcCompliance: sì, QcSSCD: no; nessun servizio CA/QC di un elenco di fiducia nel percorso');
    expect(blocks[1]!.find('span', { 'data-revocation-status': 'revoked' })[0]!.getAttribute('data-revocation-source')).toBe('crl');
  });

  it('words the same facts in English: a configured anchor, a revocation after signing, an unknown status, a timestamp that does not verify', () => {
    const report: SignatureReport = {
      ...withFacts,
      signatures: [
        {
          ...withFacts.signatures![0]!,
          chain: { anchor: 'Filiera Test Root', source: 'configured', path: [mario.subject, mario.issuer, 'CN=Filiera Test Root, C=IT'] },
          revocation: { status: 'good', certificate: 'Mario Rossi', source: 'crl', origin: 'configured', issuer: 'Filiera Test Qualified CA', issuedAt: '2026-11-30T10:00:00.000Z', revokedAt: '2026-11-30T09:30:00.000Z', reason: 'superseded' },
          timestamp: { time: '2026-11-30T09:00:00.000Z', authority: 'Filiera Test TSA', trusted: false, verified: false },
        },
        { ...withFacts.signatures![1]!, revocation: { status: 'unknown', certificate: 'Ugo Ignoto' } },
      ],
    };

    const blocks = render('en', report).find('section', { 'data-testid': 'signature-block' });

    const first = Object.fromEntries(factRows(blocks[0]!));
    expect(first['Trust anchor']).toBe('Filiera Test Root (configured anchor)');
    expect(first['Revocation status']).toBe('not revoked at the signing time, revoked after signing, on [2026-11-30T09:30:00.000Z], reason superseded — CRL of "Filiera Test Qualified CA" issued [2026-11-30T10:00:00.000Z], configured');
    expect(first['Signature timestamp']).toBe('[2026-11-30T09:00:00.000Z], authority "Filiera Test TSA" (does not verify: time not used)');
    expect(Object.fromEntries(factRows(blocks[1]!))['Revocation status']).toBe('cannot be established');
  });

  it('shows no fact rows for a report recorded before the facts were', () => {
    const labels = factRows(render('en', twoSigners).find('section', { 'data-testid': 'signature-block' })[0]!).map(([label]) => label);

    expect(labels).not.toContain('Trust anchor');
    expect(labels).not.toContain('Revocation status');
    expect(labels).not.toContain('Signature timestamp');
    expect(labels).toContain('Qualified status');
  });

  it('renders a headed block per signature naming who identifies the tenant, with the indication badge in words', () => {
    const panel = render('it', twoSigners);

    const blocks = panel.find('section', { 'data-testid': 'signature-block' });
    expect(blocks.map((b) => b.find('h3')[0]!.textContent)).toEqual([
      'Firma 1 di 2: Mario Rossi — identifica il committente',
      'Firma 2 di 2: Ugo Ignoto — non identifica il committente',
    ]);
    expect(blocks.map((b) => b.getAttribute('data-identifies-tenant'))).toEqual(['true', 'false']);
    const badge = blocks[1]!.find('span', { 'data-testid': 'signature-block-indication' })[0]!;
    expect(badge.textContent).toBe('INDETERMINATE (indeterminata)');
    expect(badge.getAttribute('class')).toBe('badge indication-indeterminate');
    expect(blocks[1]!.find('span', { class: 'sub-indication' })[0]!.textContent).toBe(' sotto-indicazione NO_CERTIFICATE_CHAIN_FOUND: il certificato non discende da un\'ancora di fiducia');
    expect(panel.find('span', { 'data-testid': 'signature-indication' })[0]!.getAttribute('data-indication')).toBe('INDETERMINATE');
    // The signing time says where it comes from.
    expect(blocks[0]!.textContent).toContain('[2026-11-30T09:00:00.000Z] (da marca temporale verificata)');
    expect(blocks[1]!.textContent).toContain('[2026-11-30T09:00:00.000Z] (dichiarata dal firmatario)');
    expect(blocks[0]!.find('span', { 'data-qualified': 'true' })[0]!.textContent).toBe('firma elettronica qualificata');
  });

  it('lays each signature\'s checks out as a captioned table with header scopes, data-check rows and the finding codes', () => {
    const panel = render('it', twoSigners);

    const tables = panel.find('section', { 'data-testid': 'signature-block' }).map((b) => b.find('table', { class: 'checks' })[0]!);
    expect(tables.map((t) => t.find('caption')[0]!.textContent)).toEqual(['Controlli della firma 1 (Mario Rossi)', 'Controlli della firma 2 (Ugo Ignoto)']);
    expect(tables[0]!.find('th').map((th) => th.getAttribute('scope'))).toEqual(['col', 'col', 'col', 'col', ...marioChecks.map(() => 'row')]);
    const chain = tables[1]!.find('tr', { 'data-check': 'chain' })[0]!;
    expect(chain.children.map((c) => c.textContent)).toEqual(['Catena di certificazione', 'non superato', "Il certificato non discende da un'ancora di fiducia configurata", 'signature_untrusted']);
    expect(chain.children[2]!.getAttribute('lang')).toBe('it');
    expect(tables[0]!.find('tr', { 'data-check': 'integrity' })[0]!.children[1]!.textContent).toBe('superato');
  });

  it('shows the document timestamps as their own table, and the notes in English labelled as recorded', () => {
    const panel = render('it', twoSigners);

    const stamps = panel.find('section', { 'data-testid': 'document-timestamps' })[0]!;
    expect(stamps.find('h3')[0]!.textContent).toBe('Marche temporali del documento');
    expect(stamps.find('tr', { 'data-document-timestamp': '1' })[0]!.children.map((c) => c.textContent)).toEqual([
      '1',
      '[2026-11-30T10:00:00.000Z]',
      'Filiera Test TSA',
      'sì',
      'sì',
      'La marca temporale è integra.',
    ]);
    const notes = panel.find('div', { class: 'signature-notes' });
    expect(notes.map((n) => n.find('h4')[0]!.textContent)).toEqual(['Note del verificatore (in inglese, come registrate)', 'Note del verificatore (in inglese, come registrate)']);
    expect(notes.map((n) => n.find('ul')[0]!.getAttribute('lang'))).toEqual(['en', 'en']);
    expect(notes[1]!.textContent).toContain('A configured trust anchor could not be parsed and was ignored.');
  });

  it('labels an English-only check detail in the Italian console, and says when there is no signature', () => {
    const legacy = { present: true, type: 'PAdES', valid: true, signer: mario, signingTimeSource: 'none', notes: [], checks: [{ name: 'integrity', outcome: 'pass', detail: 'The signature verifies' }] } as SignatureReport;

    const detail = render('it', legacy).find('tr', { 'data-check': 'integrity' })[0]!.children[2]!;
    const absent = render('en', { present: false, valid: false, checks: [], signingTimeSource: 'none', notes: [] });

    expect(detail.getAttribute('lang')).toBe('en');
    expect(detail.textContent).toBe('The signature verifies (in inglese, come registrato)');
    expect(absent.find('p', { 'data-testid': 'signature-absent' })[0]!.textContent).toBe('The attestation carries no digital signature.');
    expect(absent.find('section', { 'data-testid': 'signature-block' })).toEqual([]);
  });
});
