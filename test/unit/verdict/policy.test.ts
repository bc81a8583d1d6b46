import { describe, expect, it } from 'vitest';
import type { AttestationDocument, AttestationFields } from '../../../shared/attestation/model.js';
import { PolicySchema } from '../../../shared/config.js';
import type { ListReport } from '../../../shared/list/model.js';
import type { SignatureReport } from '../../../shared/signature/model.js';
import { decideVerdict, type VerdictInput } from '../../../shared/verdict/policy.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const LIST_SHA = 'a'.repeat(64);
const INTAKE = 'FIL-7K3M9Q2XAB';

function listReport(overrides: Partial<ListReport> = {}): ListReport {
  return {
    readable: true,
    sha256: LIST_SHA,
    bytes: 1000,
    encoding: 'utf-8',
    delimiter: ';',
    header: ['nome', 'telefono'],
    phoneColumn: 'telefono',
    dataRows: 100,
    releasedRows: 100,
    excluded: { invalid_phone: 0, not_callable: 0, duplicate: 0, consent_out_of_period: 0, invalid_consent_date: 0, consent_date_missing: 0, rpo_opposed: 0 },
    samples: [],
    ...overrides,
  };
}

const text = <T,>(raw: string, value: T) => ({ raw, value, confidence: 1, source: 'text-layer' as const });
const ocr = <T,>(raw: string, value: T, confidence = 0.97) => ({ raw, value, confidence, source: 'ocr' as const });

function fields(overrides: AttestationFields = {}): AttestationFields {
  return {
    intakeId: text(INTAKE, INTAKE),
    controllerName: text('Acme Energia S.p.A.', 'Acme Energia S.p.A.'),
    controllerVat: text('IT01234567897', '01234567897'),
    signatory: text('Mario Rossi', 'Mario Rossi'),
    listSha256: text(LIST_SHA, LIST_SHA),
    rowCount: text('100', 100),
    legalBasis: text('Consenso (art. 6.1.a GDPR)', 'consent'),
    purpose: text('Marketing', 'Marketing'),
    collectionPeriod: text('dal 01/01/2026 al 31/10/2026', { from: '2026-01-01', to: '2026-10-31' }),
    source: text('Concorso online', 'Concorso online'),
    rpoCheckDate: text('15/11/2026', '2026-11-15'),
    extraEuTransfer: text('No', { declared: false }),
    processor: text('Contact Napoli S.r.l.', 'Contact Napoli S.r.l.'),
    placeAndDate: text('Milano, 18/11/2026', { place: 'Milano', date: '2026-11-18' }),
    ...overrides,
  };
}

const goodSignature: SignatureReport = {
  present: true,
  type: 'PAdES',
  valid: true,
  checks: [
    { name: 'integrity', outcome: 'pass', detail: 'ok' },
    { name: 'coverage', outcome: 'pass', detail: 'ok' },
    { name: 'chain', outcome: 'pass', detail: 'ok' },
    { name: 'validity', outcome: 'pass', detail: 'ok' },
    { name: 'signing_certificate', outcome: 'pass', detail: 'ok' },
    { name: 'identity', outcome: 'pass', detail: 'ok' },
  ],
  signingTime: '2026-11-18T09:00:00Z',
  signingTimeSource: 'signed-attribute',
  notes: [],
};

function failing(name: SignatureReport['checks'][number]['name']): SignatureReport {
  return {
    ...goodSignature,
    valid: false,
    checks: goodSignature.checks.map((c) => (c.name === name ? { ...c, outcome: 'fail', detail: `${name} failed` } : c)),
  };
}

const unsigned: SignatureReport = { present: false, valid: false, checks: [], signingTimeSource: 'none', notes: [] };

function input(over: {
  list?: Partial<ListReport>;
  fields?: AttestationFields;
  doc?: Partial<AttestationDocument>;
  signature?: SignatureReport;
  policy?: Record<string, unknown>;
}): VerdictInput {
  return {
    intakeId: INTAKE,
    tenant: { vat: 'IT01234567897' },
    policy: PolicySchema.parse(over.policy ?? {}),
    now: NOW,
    list: listReport(over.list),
    attestation: { kind: 'pades-pdf', sha256: 'b'.repeat(64), bytes: 5000, fields: fields(over.fields), ...over.doc },
    signature: over.signature ?? goodSignature,
  };
}

describe('verdict policy (Filiera specification §5)', () => {
  it('approves a signed, bound, fresh attestation over a clean list', () => {
    const outcome = decideVerdict(input({}));
    expect(outcome.verdict).toBe('approved');
    expect(outcome.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    // The signing time is the signer's claim without a timestamp: said, but not held against it.
    expect(outcome.findings.map((f) => f.code)).toContain('signing_time_claimed');
  });

  it.each<[string, Parameters<typeof input>[0], string]>([
    ['unreadable list', { list: { readable: false, unreadable: { reason: 'no_phone_column', detail: 'no phone column' } } }, 'list_unreadable'],
    ['list over the size limit', { list: { readable: false, unreadable: { reason: 'too_large', detail: 'x' }, bytes: 2e9 } }, 'list_too_large'],
    ['unreadable attestation', { doc: { kind: 'unknown', readError: 'not a PDF' } }, 'attestation_unreadable'],
    ['missing intakeId', { fields: { intakeId: undefined } }, 'attestation_field_missing'],
    ['missing controllerVat', { fields: { controllerVat: undefined } }, 'attestation_field_missing'],
    ['missing listSha256', { fields: { listSha256: undefined } }, 'attestation_field_missing'],
    ['missing rowCount', { fields: { rowCount: undefined } }, 'attestation_field_missing'],
    ['missing legalBasis', { fields: { legalBasis: undefined } }, 'attestation_field_missing'],
    ['missing rpoCheckDate', { fields: { rpoCheckDate: undefined } }, 'attestation_field_missing'],
    ['malformed rpoCheckDate', { fields: { rpoCheckDate: text('31/02/2026', null) } }, 'attestation_field_malformed'],
    ['list hash differs', { fields: { listSha256: text('c'.repeat(64), 'c'.repeat(64)) } }, 'list_hash_mismatch'],
    ['row count differs', { fields: { rowCount: text('101', 101) } }, 'row_count_mismatch'],
    ['another intake', { fields: { intakeId: text('FIL-0000000000', 'FIL-0000000000') } }, 'intake_mismatch'],
    ['VAT check digit', { fields: { controllerVat: text('01234567890', '01234567890') } }, 'vat_invalid'],
    ['VAT of another company', { fields: { controllerVat: text('00743110157', '00743110157') } }, 'vat_not_tenant'],
    ['signature does not verify', { signature: failing('integrity') }, 'signature_invalid'],
    ['signature does not cover the file', { signature: failing('coverage') }, 'signature_not_whole_file'],
    ['untrusted CA', { signature: failing('chain') }, 'signature_untrusted'],
    ['certificate expired at signing', { signature: failing('validity') }, 'signature_certificate_not_valid'],
    ['ESS signing-certificate mismatch', { signature: failing('signing_certificate') }, 'signature_certificate_mismatch'],
    ['signer of another company', { signature: failing('identity') }, 'signature_not_tenant'],
    ['RPO check 16 days old', { fields: { rpoCheckDate: text('04/11/2026', '2026-11-04') } }, 'rpo_check_stale'],
    ['RPO check in the future', { fields: { rpoCheckDate: text('21/11/2026', '2026-11-21') } }, 'rpo_check_future'],
    ['collection period ends in the future', { fields: { collectionPeriod: text('x', { from: '2026-01-01', to: '2026-12-31' }) } }, 'collection_period_future'],
    ['collection period inverted', { fields: { collectionPeriod: text('x', { from: '2026-10-01', to: '2026-01-01' }) } }, 'collection_period_inverted'],
    ['collection period malformed', { fields: { collectionPeriod: text('sempre', null) } }, 'attestation_field_malformed'],
    ['signed 31 days ago', { signature: { ...goodSignature, signingTime: '2026-10-20T09:00:00Z' } }, 'attestation_stale'],
    ['unsigned and dated 31 days ago', { signature: unsigned, fields: { placeAndDate: text('Milano, 20/10/2026', { place: 'Milano', date: '2026-10-20' }) } }, 'attestation_stale'],
    ['no row survives', { list: { releasedRows: 0, excluded: { invalid_phone: 100, not_callable: 0, duplicate: 0, consent_out_of_period: 0, invalid_consent_date: 0, consent_date_missing: 0, rpo_opposed: 0 } } }, 'list_no_rows_survive'],
  ])('rejects: %s', (_name, over, code) => {
    const outcome = decideVerdict(input(over));
    expect(outcome.verdict).toBe('rejected');
    const hit = outcome.findings.find((f) => f.code === code);
    expect(hit?.severity).toBe('reject');
    expect(hit?.message.length).toBeGreaterThan(20);
    expect(hit?.messageIt?.length).toBeGreaterThan(20);
    expect(hit?.rule).toBeTruthy();
  });

  it.each<[string, Parameters<typeof input>[0], string]>([
    ['unsigned PDF', { signature: unsigned, doc: { kind: 'pdf' } }, 'attestation_unsigned'],
    ['scan not read yet', { signature: unsigned, doc: { kind: 'scan-png', fields: {} } }, 'attestation_scan_not_read'],
    ['low OCR confidence', { signature: unsigned, doc: { kind: 'scan-png' }, fields: { rowCount: ocr('100', 100, 0.6) } }, 'attestation_low_confidence'],
    ['OCR read the hash two edits off', { signature: unsigned, doc: { kind: 'scan-png' }, fields: { listSha256: ocr('a'.repeat(62) + 'bb', 'a'.repeat(62) + 'bb') } }, 'ocr_doubt'],
    ['OCR read the row count one edit off', { signature: unsigned, doc: { kind: 'scan-png' }, fields: { rowCount: ocr('108', 108) } }, 'ocr_doubt'],
    ['OCR read the intake one edit off', { signature: unsigned, doc: { kind: 'scan-png' }, fields: { intakeId: ocr('FIL-7K3M9O2XAB', 'FIL-7K3M9O2XAB') } }, 'ocr_doubt'],
    ['OCR missed a required field', { signature: unsigned, doc: { kind: 'scan-png' }, fields: { rowCount: undefined } }, 'attestation_field_unread'],
    ['transfer outside the EU', { fields: { extraEuTransfer: text('Sì, Albania', { declared: true, details: 'Albania' }) } }, 'extra_eu_transfer'],
    ['legal basis not consent', { fields: { legalBasis: text('Legittimo interesse', 'legitimate_interests') } }, 'legal_basis_not_allowed'],
    ['6% of rows excluded', { list: { releasedRows: 94, excluded: { invalid_phone: 6, not_callable: 0, duplicate: 0, consent_out_of_period: 0, invalid_consent_date: 0, consent_date_missing: 0, rpo_opposed: 0 } } }, 'list_excluded_ratio'],
  ])('sends to review: %s', (_name, over, code) => {
    const outcome = decideVerdict(input(over));
    expect(outcome.findings.filter((f) => f.severity === 'reject')).toEqual([]);
    expect(outcome.verdict).toBe('review');
    expect(outcome.findings.find((f) => f.code === code)?.severity).toBe('review');
  });

  it('an OCR value more than two edits off is a rejection, not a doubt', () => {
    const outcome = decideVerdict(
      input({ signature: unsigned, doc: { kind: 'scan-png' }, fields: { rowCount: ocr('999', 999) } }),
    );
    expect(outcome.verdict).toBe('rejected');
    expect(outcome.findings.map((f) => f.code)).toContain('row_count_mismatch');
  });

  it.each([
    ['RPO check exactly 15 days old is still valid', { fields: { rpoCheckDate: text('05/11/2026', '2026-11-05') } }],
    ['exactly 5% excluded is tolerated', { list: { releasedRows: 95, excluded: { invalid_phone: 5, not_callable: 0, duplicate: 0, consent_out_of_period: 0, invalid_consent_date: 0, consent_date_missing: 0, rpo_opposed: 0 } } }],
    ['signed exactly 30 days ago', { signature: { ...goodSignature, signingTime: '2026-10-21T09:00:00Z' } }],
  ] as const)('boundaries approve: %s', (_name, over) => {
    expect(decideVerdict(input(over as Parameters<typeof input>[0])).verdict).toBe('approved');
  });

  it('reads every threshold from the policy', () => {
    const stale = { fields: { rpoCheckDate: text('04/11/2026', '2026-11-04') } };
    expect(decideVerdict(input(stale)).verdict).toBe('rejected');
    expect(decideVerdict(input({ ...stale, policy: { rpoMaxAgeDays: 20 } })).verdict).toBe('approved');
    const basis = { fields: { legalBasis: text('Contratto', 'contract' as const) } };
    expect(decideVerdict(input({ ...basis, policy: { allowedLegalBases: ['consent', 'contract'] } })).verdict).toBe('approved');
    const excluded = { list: { releasedRows: 90, excluded: { invalid_phone: 10, not_callable: 0, duplicate: 0, consent_out_of_period: 0, invalid_consent_date: 0, consent_date_missing: 0, rpo_opposed: 0 } } };
    expect(decideVerdict(input({ ...excluded, policy: { maxExcludedRatio: 0.1 } })).verdict).toBe('approved');
    const lowConfidence = { signature: goodSignature, fields: { rowCount: { ...text('100', 100), confidence: 0.85 } } };
    expect(decideVerdict(input({ ...lowConfidence, policy: { minFieldConfidence: 0.8 } })).verdict).toBe('approved');
  });

  it('reports every problem at once rather than stopping at the first', () => {
    const outcome = decideVerdict(
      input({ signature: failing('chain'), fields: { rowCount: text('7', 7), rpoCheckDate: text('01/01/2026', '2026-01-01') } }),
    );
    expect(outcome.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['signature_untrusted', 'row_count_mismatch', 'rpo_check_stale']),
    );
  });

  it("uses Rome's calendar day: 23:30 UTC on 19 Nov is already 20 Nov in Italy", () => {
    const late = { ...input({ fields: { rpoCheckDate: text('05/11/2026', '2026-11-05') } }), now: new Date('2026-11-19T23:30:00Z') };
    // 05/11 -> 20/11 is 15 days: valid; if the day were taken in UTC it would be 14 (also valid) so probe 04/11 too.
    const older = { ...input({ fields: { rpoCheckDate: text('04/11/2026', '2026-11-04') } }), now: new Date('2026-11-19T23:30:00Z') };
    expect(decideVerdict(late).verdict).toBe('approved');
    expect(decideVerdict(older).verdict).toBe('rejected');
  });
});
