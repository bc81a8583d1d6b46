import { describe, expect, it } from 'vitest';

import { ConsentSampleSchema } from '../../../shared/consent/schema.js';

const valid = {
  seed: 'ab'.repeat(32),
  rows: [
    {
      row: 12,
      index: 9,
      phone: '+393471234567',
      consentDate: '2026-03-14',
      consentSource: 'web',
      key: 'cd'.repeat(32),
      evidenceRow: null,
      checks: { record: 'failed', consent_period: 'skipped', consent_date: 'skipped', public_ip: 'skipped', notice: 'skipped', confirmation: 'skipped' },
    },
  ],
  defects: [{ row: 12, check: 'record', message: 'Row 12: no record.', messageIt: 'Riga 12: nessun record.' }],
};

describe('the consentSample JSON of filiera verify (Filiera specification §7 and 10)', () => {
  it('accepts { seed, rows, defects }', () => {
    expect(ConsentSampleSchema.parse(valid)).toEqual(valid);
  });

  it.each<[string, unknown]>([
    ['an upper-case seed', { ...valid, seed: 'AB'.repeat(32) }],
    ['a short seed', { ...valid, seed: 'ab' }],
    ['a row 0', { ...valid, rows: [{ ...valid.rows[0], row: 0 }] }],
    ['a phone not in E.164', { ...valid, rows: [{ ...valid.rows[0], phone: '3471234567' }] }],
    ['an unknown check', { ...valid, defects: [{ ...valid.defects[0], check: 'vibes' }] }],
    ['a missing check outcome', { ...valid, rows: [{ ...valid.rows[0], checks: { record: 'passed' } }] }],
    ['an extra member', { ...valid, verdict: 'approved' }],
  ])('refuses %s', (_label, value) => {
    expect(ConsentSampleSchema.safeParse(value).success).toBe(false);
  });
});
