import { describe, expect, it } from 'vitest';

import { checkConsentSample, isUrlSource, type ConsentCheck } from '../../../shared/consent/checks.js';
import type { ConsentSampleRow } from '../../../shared/consent/draw.js';
import type { EvidenceRecord } from '../../../shared/consent/evidence.js';
import { parseInstant } from '../../../shared/consent/instant.js';
import { parseIp } from '../../../shared/consent/ip.js';
import { ConsentSampleSchema } from '../../../shared/consent/schema.js';

const SEED = 'ab'.repeat(32);
const PERIOD = { from: '2026-01-01', to: '2026-03-31' };

function sampled(over: Partial<ConsentSampleRow> = {}): ConsentSampleRow {
  return { row: 12, index: 9, phone: '+393471234567', consentDate: '2026-03-14', consentSource: 'web', key: 'cd'.repeat(32), ...over };
}

function at(text: string) {
  const instant = parseInstant(text);
  if (instant === null) throw new Error(`bad instant ${text}`);
  return instant;
}

/** A record that passes every check. */
function record(over: Partial<EvidenceRecord> = {}): EvidenceRecord {
  return {
    row: 3,
    phone: '+393471234567',
    consentAt: at('2026-03-14T10:05:00+01:00'),
    ip: parseIp('93.184.216.34'),
    source: 'https://acme.example/promo',
    notice: 'informativa-v3',
    confirmation: 'double_opt_in',
    confirmedAt: at('2026-03-14T10:20:00+01:00'),
    ...over,
  };
}

function check(row: ConsentSampleRow, evidence: EvidenceRecord[], period: typeof PERIOD | null = PERIOD) {
  return checkConsentSample({ seed: SEED, rows: [row], evidence, collectionPeriod: period });
}

describe('the checks of a sampled row (Filiera specification §10)', () => {
  it('passes a documented online consent on every check', () => {
    const report = check(sampled(), [record()]);
    expect(report.defects).toEqual([]);
    expect(report.rows[0]).toMatchObject({
      row: 12,
      evidenceRow: 3,
      checks: { record: 'passed', consent_period: 'passed', consent_date: 'passed', public_ip: 'passed', notice: 'passed', confirmation: 'passed' },
    });
  });

  it('passes a documented offline consent without an IP', () => {
    const report = check(sampled(), [record({ ip: null, source: 'fiera di Milano', confirmation: 'modulo' })]);
    expect(report.defects).toEqual([]);
    expect(report.rows[0]!.checks.public_ip).toBe('skipped');
  });

  it('finds no record for a number missing from the evidence', () => {
    const report = check(sampled(), [record({ phone: '+393479999999' })]);
    expect(report.defects).toEqual([
      {
        row: 12,
        check: 'record',
        message: 'Row 12 (+393471234567): the evidence file has no record for this number.',
        messageIt: 'Riga 12 (+393471234567): il file delle evidenze non ha alcun record per questo numero.',
      },
    ]);
    expect(report.rows[0]).toMatchObject({ evidenceRow: null, checks: { record: 'failed', notice: 'skipped' } });
  });

  it.each<[string, Partial<EvidenceRecord>, Partial<ConsentSampleRow>, ConsentCheck, RegExp]>([
    ['consent before the period', { consentAt: at('2025-12-31T23:59:00+01:00'), confirmedAt: at('2026-01-01T09:00:00+01:00') }, { consentDate: null }, 'consent_period', /31\/12\/2025 in Italy\) is outside the attested collection period 01\/01\/2026 - 31\/03\/2026/],
    ['consent after the period', { consentAt: at('2026-04-01T00:10:00+02:00'), confirmedAt: at('2026-04-01T01:00:00+02:00') }, { consentDate: null }, 'consent_period', /outside the attested collection period/],
    ['consent UTC time on the next Rome day, after the period', { consentAt: at('2026-03-31T22:30:00Z'), confirmedAt: at('2026-04-01T10:00:00Z') }, { consentDate: null }, 'consent_period', /01\/04\/2026 in Italy/],
    ['consent on another day than the list says', { consentAt: at('2026-03-13T10:00:00+01:00') }, {}, 'consent_date', /is on 13\/03\/2026 in Italy, but the list dates the consent 14\/03\/2026/],
    ['consent at 23:30 UTC, the next day in Rome', { consentAt: at('2026-03-13T23:30:00Z') }, { consentDate: '2026-03-13' }, 'consent_date', /is on 14\/03\/2026 in Italy/],
    ['a URL source without IP', { ip: null }, {}, 'public_ip', /collected online \(a web source\) but the record gives no IP address/],
    ['a bare domain source without IP', { ip: null, source: 'promo.acme.it/concorso' }, {}, 'public_ip', /no IP address/],
    ['a private IP', { ip: parseIp('192.168.1.20') }, {}, 'public_ip', /192\.168\.1\.20 is a private network address/],
    ['an IP with an offline source', { ip: parseIp('10.1.2.3'), source: 'fiera' }, {}, 'public_ip', /10\.1\.2\.3 is a private/],
    ['a CGNAT IP', { ip: parseIp('100.64.1.1') }, {}, 'public_ip', /carrier-grade NAT/],
    ['a link-local IPv6', { ip: parseIp('fe80::1') }, {}, 'public_ip', /fe80::1 is a link-local address/],
    ['a documentation IP', { ip: parseIp('203.0.113.9') }, {}, 'public_ip', /reserved for documentation/],
    ['no notice', { notice: null }, {}, 'notice', /names no notice/],
    ['no confirmation', { confirmation: null, confirmedAt: null }, {}, 'confirmation', /gives no confirmation/],
    ['a confirmation without time', { confirmation: 'sms', confirmedAt: null }, {}, 'confirmation', /the sms confirmation has no time/],
    ['a confirmation before the consent', { confirmedAt: at('2026-03-14T10:00:00+01:00') }, {}, 'confirmation', /is not after the consent/],
    ['a confirmation at the same instant', { confirmedAt: at('2026-03-14T09:05:00Z') }, {}, 'confirmation', /is not after the consent/],
    ['a confirmation 30 days and a second later', { confirmedAt: at('2026-04-13T11:05:01+02:00') }, {}, 'confirmation', /more than 30 days after the consent/],
  ])('finds a defect: %s', (_label, recordOver, rowOver, failing, message) => {
    const report = check(sampled(rowOver), [record(recordOver)]);
    expect(report.defects.map((d) => d.check)).toEqual([failing]);
    expect(report.defects[0]!.row).toBe(rowOver.row ?? 12);
    expect(report.defects[0]!.message).toMatch(/^Row 12 \(\+393471234567\), evidence row 3: /);
    expect(report.defects[0]!.message).toMatch(message);
    expect(report.defects[0]!.messageIt).toMatch(/^Riga 12 \(\+393471234567\), riga 3 delle evidenze: /);
    expect(report.rows[0]!.checks[failing]).toBe('failed');
  });

  it('accepts a confirmation exactly 30 days after the consent, and the period and date on their edges in Rome', () => {
    const edges = [
      record({ confirmedAt: at('2026-04-13T11:05:00+02:00') }), // 30 x 24 h after 09:05Z on 14/03 (summer time since 29/03)
      record({ consentAt: at('2025-12-31T23:00:00Z'), confirmedAt: at('2026-01-01T08:00:00+01:00') }), // 01/01 00:00 in Rome
      record({ consentAt: at('2026-03-31T21:59:59Z'), confirmedAt: at('2026-04-01T08:00:00+02:00') }), // 31/03 23:59:59 in Rome
    ];
    expect(check(sampled({ consentDate: null }), [edges[0]!]).defects).toEqual([]);
    expect(check(sampled({ consentDate: '2026-01-01' }), [edges[1]!]).defects).toEqual([]);
    expect(check(sampled({ consentDate: '2026-03-31' }), [edges[2]!]).defects).toEqual([]);
  });

  it('fails the time checks of a record without a consent time', () => {
    const report = check(sampled(), [record({ consentAt: null })]);
    expect(report.defects.map((d) => d.check)).toEqual(['consent_period', 'consent_date', 'confirmation']);
  });

  it('skips the period check without an attested period and the date check without a date in the list', () => {
    const report = check(sampled({ consentDate: null }), [record({ consentAt: at('2020-01-01T10:00:00+01:00'), confirmedAt: at('2020-01-02T10:00:00+01:00') })], null);
    expect(report.defects).toEqual([]);
    expect(report.rows[0]!.checks).toMatchObject({ consent_period: 'skipped', consent_date: 'skipped' });
  });

  it('names every failing check of a row, one defect each', () => {
    const report = check(sampled(), [record({ ip: parseIp('127.0.0.1'), notice: null, confirmation: null, consentAt: at('2026-03-20T10:00:00+01:00') })]);
    expect(report.defects.map((d) => d.check)).toEqual(['consent_date', 'public_ip', 'notice', 'confirmation']);
    expect(new Set(report.defects.map((d) => d.row))).toEqual(new Set([12]));
  });

  it('judges a number with several records on the best one, the first on a tie', () => {
    const report = check(sampled(), [record({ row: 4, notice: null }), record({ row: 7 }), record({ row: 9 })]);
    expect(report.defects).toEqual([]);
    expect(report.rows[0]!.evidenceRow).toBe(7);
    const tie = check(sampled(), [record({ row: 4, notice: null }), record({ row: 5, confirmation: null })]);
    expect(tie.rows[0]!.evidenceRow).toBe(4);
    expect(tie.defects.map((d) => d.check)).toEqual(['notice']);
  });

  it('checks every sampled row in order and produces the JSON of filiera verify', () => {
    const rows = [sampled({ row: 2, index: 0, phone: '+393470000001' }), sampled({ row: 5, index: 3 }), sampled({ row: 9, index: 6, phone: '+393470000002' })];
    const report = checkConsentSample({ seed: SEED, rows, evidence: [record(), record({ phone: '+393470000002', notice: null })], collectionPeriod: PERIOD });
    expect(report.rows.map((r) => r.row)).toEqual([2, 5, 9]);
    expect(report.defects.map((d) => [d.row, d.check])).toEqual([
      [2, 'record'],
      [9, 'notice'],
    ]);
    expect(ConsentSampleSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });
});

describe('online sources', () => {
  it.each([
    ['https://acme.example/promo?x=1', true],
    ['HTTP://ACME.IT', true],
    ['www.acme.it', true],
    ['acme.it', true],
    ['promo.acme.co.uk/landing', true],
    ['fiera di Milano', false],
    ['app', false],
    ['modulo cartaceo', false],
    ['porta a porta', false],
    ['3.5', false],
  ])('%j is a URL: %s', (source, expected) => {
    expect(isUrlSource(source)).toBe(expected);
  });
});
