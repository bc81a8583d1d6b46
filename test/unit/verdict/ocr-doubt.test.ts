import { describe, expect, it } from 'vitest';
import type { AttestationDocument, AttestationFields, ExtractionSource } from '../../../shared/attestation/model.js';
import { PolicySchema } from '../../../shared/config.js';
import type { Finding } from '../../../shared/finding.js';
import type { ListReport } from '../../../shared/list/model.js';
import { compareReading, doubtfulFields } from '../../../shared/verdict/ocr-doubt.js';
import { decideVerdict } from '../../../shared/verdict/policy.js';

/** docs/verdict-rules.md: a field read by OCR within two edits of its expected value is a doubt, not a rejection. */
const NOW = new Date('2026-11-20T10:00:00Z');
const LIST_SHA = '3f'.repeat(32);
const INTAKE = 'FIL-7K3M9Q2XAB';
const TENANT_VAT = '01234567897';

/** Replaces the first `n` characters of `value` with ones it cannot contain: exactly n substitutions. */
function edited(value: string, n: number, alphabet: string): string {
  return alphabet.slice(0, n) + value.slice(n);
}

function scanFields(source: ExtractionSource, overrides: AttestationFields): AttestationFields {
  const read = <T,>(raw: string, value: T) => ({ raw, value, confidence: 0.97, source });
  return {
    intakeId: read(INTAKE, INTAKE),
    controllerVat: read(`IT${TENANT_VAT}`, TENANT_VAT),
    listSha256: read(LIST_SHA, LIST_SHA),
    rowCount: read('1234', 1234),
    legalBasis: read('Consenso (art. 6.1.a GDPR)', 'consent'),
    rpoCheckDate: read('15/11/2026', '2026-11-15'),
    collectionPeriod: read('dal 01/01/2026 al 31/10/2026', { from: '2026-01-01', to: '2026-10-31' }),
    extraEuTransfer: read('No', { declared: false }),
    placeAndDate: read('Milano, 18/11/2026', { place: 'Milano', date: '2026-11-18' }),
    ...overrides,
  };
}

const list: ListReport = {
  readable: true,
  sha256: LIST_SHA,
  bytes: 1000,
  encoding: 'utf-8',
  delimiter: ';',
  header: ['telefono'],
  phoneColumn: 'telefono',
  dataRows: 1234,
  releasedRows: 1234,
  excluded: { invalid_phone: 0, not_callable: 0, duplicate: 0, consent_out_of_period: 0, invalid_consent_date: 0, consent_date_missing: 0, rpo_opposed: 0 },
  samples: [],
};

function verdictOn(fields: AttestationFields, kind: AttestationDocument['kind'] = 'scan-png') {
  return decideVerdict({
    intakeId: INTAKE,
    tenant: { vat: `IT${TENANT_VAT}` },
    policy: PolicySchema.parse({}),
    now: NOW,
    list,
    attestation: { kind, sha256: 'f'.repeat(64), bytes: 1, fields },
    signature: { present: false, valid: false, checks: [], signingTimeSource: 'none', notes: [] },
  });
}

const codesFor = (findings: Finding[], field: string) => findings.filter((f) => f.field === field).map((f) => f.code);

describe('compareReading: the edit-distance boundary', () => {
  it.each([
    [0, 'match'],
    [1, 'doubt'],
    [2, 'doubt'],
    [3, 'mismatch'],
  ] as const)('%i edit(s) read by OCR: %s', (edits, kind) => {
    const read = edited(LIST_SHA, edits, 'abc');
    const reading = compareReading({ value: read, source: 'ocr' }, LIST_SHA);
    expect(reading.kind).toBe(kind);
    if (reading.kind === 'doubt') expect(reading.edits).toBe(edits);
  });

  it.each([
    ['an insertion', '12345', 1],
    ['a deletion', '123', 1],
    ['a deletion and a substitution', '193', 2],
    ['three changes', '9', 3],
  ])('counts %s as edits, not only substitutions', (_name, read, edits) => {
    expect(compareReading({ value: read, source: 'textract' }, 1234)).toEqual(edits <= 2 ? { kind: 'doubt', edits } : { kind: 'mismatch' });
  });

  it('never doubts the digital text layer: one edit is a mismatch', () => {
    expect(compareReading({ value: edited(LIST_SHA, 1, 'a'), source: 'text-layer' }, LIST_SHA)).toEqual({ kind: 'mismatch' });
  });
});

describe('the verdict on a scan read by OCR, 0 to 3 edits from the expected value', () => {
  const cases = [
    ['listSha256', 'list_hash_mismatch', (n: number) => ({ listSha256: { raw: edited(LIST_SHA, n, 'abc'), value: edited(LIST_SHA, n, 'abc') } })],
    ['rowCount', 'row_count_mismatch', (n: number) => ({ rowCount: { raw: edited('1234', n, '999'), value: Number(edited('1234', n, '999')) } })],
    ['intakeId', 'intake_mismatch', (n: number) => ({ intakeId: { raw: edited(INTAKE, n, '123'), value: edited(INTAKE, n, '123') } })],
    ['controllerVat', 'vat_not_tenant', (n: number) => {
      // The check digit catches every single-digit change, so one edit off is an invalid Partita IVA (itself a doubt
      // when read by OCR); two and three edits off are valid Partite IVA of someone else.
      const vat = ['01234567897', '01234567898', '15234567897', '10334567897'][n]!;
      return { controllerVat: { raw: `IT${vat}`, value: vat } };
    }],
  ] as const;

  it.each(cases.flatMap(([field, mismatch, make]) => [0, 1, 2, 3].map((n) => [field, n, mismatch, make] as const)))(
    '%s, %i edit(s)',
    (field, n, mismatch, make) => {
      // Prepare
      const patch = make(n) as Record<string, { raw: string; value: unknown }>;
      const overrides = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, { ...v, confidence: 0.97, source: 'ocr' as const }]));
      // Act
      const { verdict, findings } = verdictOn(scanFields('ocr', overrides as AttestationFields));
      // Assess
      const codes = codesFor(findings, field);
      if (field === 'controllerVat' && n === 1) {
        expect(findings.filter((f) => f.field === field).map((f) => [f.code, f.severity])).toEqual([['vat_invalid', 'review']]);
        expect(verdict).toBe('review');
        return;
      }
      switch (n) {
        case 0:
          expect(codes).toEqual([]);
          expect(verdict).toBe('review'); // an unsigned scan always goes to a person
          break;
        case 1:
        case 2:
          expect(codes).toEqual(['ocr_doubt']);
          expect(findings.find((f) => f.code === 'ocr_doubt')?.message).toContain(`${n} character edit(s)`);
          expect(verdict).toBe('review');
          expect(doubtfulFields(findings)).toContainEqual({ field, codes: ['ocr_doubt'] });
          break;
        case 3:
          expect(codes).toContain(mismatch);
          expect(verdict).toBe('rejected');
          break;
      }
    },
  );

  it('the same one-edit difference on a digital PDF is a rejection', () => {
    const read = edited(LIST_SHA, 1, 'a');
    const { verdict, findings } = verdictOn(
      scanFields('text-layer', { listSha256: { raw: read, value: read, confidence: 1, source: 'text-layer' } }),
      'pdf',
    );
    expect(codesFor(findings, 'listSha256')).toEqual(['list_hash_mismatch']);
    expect(verdict).toBe('rejected');
  });
});

describe('doubtfulFields', () => {
  it('lists the fields in doubt once each, with their reasons, and leaves out rejections and unrelated findings', () => {
    const f = (code: string, severity: Finding['severity'], field?: string): Finding => ({ code, severity, message: code, ...(field ? { field } : {}) });
    expect(
      doubtfulFields([
        f('attestation_unsigned', 'review'),
        f('attestation_low_confidence', 'review', 'controllerVat'),
        f('ocr_doubt', 'review', 'rowCount'),
        f('attestation_field_malformed', 'review', 'controllerVat'),
        f('attestation_field_malformed', 'reject', 'listSha256'),
        f('extra_eu_transfer', 'review', 'extraEuTransfer'),
      ]),
    ).toEqual([
      { field: 'controllerVat', codes: ['attestation_low_confidence', 'attestation_field_malformed'] },
      { field: 'rowCount', codes: ['ocr_doubt'] },
    ]);
  });
});
