import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { checkConsentEvidence } from '../../../shared/consent/check-evidence.js';
import { drawConsentSample, type ConsentSampleCandidate } from '../../../shared/consent/draw.js';
import { ConsentSampleSchema } from '../../../shared/consent/schema.js';
import { chunksOf, listBytes } from '../../fixtures/lists.js';

const SEED = createHash('sha256').update('check evidence').digest('hex');
const PERIOD = { from: '2026-01-01', to: '2026-03-31' };
const HEADER = ['Telefono', 'Consenso il', 'IP', 'Fonte', 'Informativa', 'Conferma', 'Confermato il'];

/** 200 released rows; the sample of 20 is drawn from them as the pipeline would. */
const feed: ConsentSampleCandidate[] = Array.from({ length: 200 }, (_, i) => ({
  index: i,
  row: i + 1 + Math.floor(i / 10), // one excluded row in every eleven
  phone: `+39347${String(2000000 + i * 31).padStart(7, '0')}`,
  consentDate: `${String(1 + (i % 28)).padStart(2, '0')}/03/2026`,
  consentSource: 'https://acme.example/promo',
}));
const rows = drawConsentSample(SEED, 20, feed);

/** A documented online consent for a sampled row, as the committente would write it. */
function evidenceFor(r: (typeof rows)[number], over: Partial<Record<'ip' | 'notice' | 'confirmedAt', string>> = {}): string[] {
  const day = r.consentDate!;
  return [
    r.phone.replace('+39', '0039 '),
    `${day}T10:00:00+01:00`,
    over.ip ?? '93.184.216.34',
    'https://acme.example/promo',
    over.notice ?? 'informativa-2026-01',
    'double_opt_in',
    over.confirmedAt ?? `${day}T10:03:00+01:00`,
  ];
}

const unrelated = ['+39 06 1234 5678', '2026-03-01T09:00:00+01:00', '', 'fiera', 'inf', 'modulo', '2026-03-01T09:10:00+01:00'];

describe('checking an evidence upload against the sample', () => {
  it('proceeds on complete evidence, ignoring records of numbers outside the sample', async () => {
    const bytes = listBytes([HEADER, unrelated, ...rows.map((r) => evidenceFor(r))]);
    const result = await checkConsentEvidence({ seed: SEED, rows, evidence: chunksOf(bytes, 64), collectionPeriod: PERIOD });
    if (!result.readable) throw new Error(result.error.message);
    expect(result.decision).toEqual({ outcome: 'proceed', sampledRows: 20, defectiveRows: 0, finding: null });
    expect(result.evidence).toEqual({ encoding: 'utf-8', delimiter: ';', dataRows: 21 });
    expect(result.report.rows.map((r) => r.row)).toEqual(rows.map((r) => r.row));
    expect(ConsentSampleSchema.parse(result.report)).toEqual(result.report);
  });

  it('sends a sample with two defective rows to review, naming them', async () => {
    const table = rows.map((r, i) => (i === 3 ? evidenceFor(r, { ip: '10.0.0.7' }) : i === 11 ? evidenceFor(r, { notice: '' }) : evidenceFor(r)));
    const result = await checkConsentEvidence({ seed: SEED, rows, evidence: listBytes([HEADER, ...table]), collectionPeriod: PERIOD });
    if (!result.readable) throw new Error(result.error.message);
    expect(result.decision.outcome).toBe('review');
    expect(result.report.defects.map((d) => [d.row, d.check])).toEqual([
      [rows[3]!.row, 'public_ip'],
      [rows[11]!.row, 'notice'],
    ]);
    expect(result.decision.finding?.code).toBe('consent_sample_defects');
  });

  it('rejects a sample with more than 10% defective rows, missing records included', async () => {
    const table = rows.slice(3).map((r) => evidenceFor(r)); // 3 of 20 rows without a record: 15%
    const result = await checkConsentEvidence({ seed: SEED, rows, evidence: listBytes([HEADER, ...table]), collectionPeriod: PERIOD });
    if (!result.readable) throw new Error(result.error.message);
    expect(result.decision).toMatchObject({ outcome: 'rejected', defectiveRows: 3 });
    expect(result.decision.finding?.code).toBe('consent_sample_failed');
  });

  it('refuses a malformed file before any check, naming the row and column', async () => {
    const table = rows.map((r) => evidenceFor(r));
    table[4] = evidenceFor(rows[4]!, { confirmedAt: '14/03/2026 10:00' });
    const result = await checkConsentEvidence({ seed: SEED, rows, evidence: listBytes([HEADER, ...table]), collectionPeriod: PERIOD });
    expect(result).toMatchObject({ readable: false, error: { reason: 'malformed_value', row: 5, column: 'Confermato il' } });
  });
});
