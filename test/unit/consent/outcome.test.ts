import { describe, expect, it } from 'vitest';

import type { ConsentDefect } from '../../../shared/consent/checks.js';
import {
  consentEvidenceDeadline,
  consentEvidenceOverdue,
  decideConsentSample,
  isConsentEvidenceOverdue,
} from '../../../shared/consent/outcome.js';

function sample(sampled: number, defectiveRows: number[], checksPerRow = 1) {
  const rows = Array.from({ length: sampled }, (_, i) => ({ row: i + 1 }));
  const defects: ConsentDefect[] = defectiveRows.flatMap((row) =>
    Array.from({ length: checksPerRow }, () => ({ row, check: 'notice' as const, message: 'm', messageIt: 'm' })),
  );
  return { rows, defects } as unknown as Parameters<typeof decideConsentSample>[0];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('what the sample means for the intake (Filiera specification §10)', () => {
  it('proceeds without a defect', () => {
    expect(decideConsentSample(sample(59, []))).toEqual({ outcome: 'proceed', sampledRows: 59, defectiveRows: 0, finding: null });
  });

  it.each<[number, number, 'review' | 'rejected']>([
    [59, 1, 'review'],
    [59, 5, 'review'], // 8.5%
    [59, 6, 'rejected'], // 10.2%: more than 10%
    [60, 6, 'review'], // exactly 10% is not more than 10%
    [60, 7, 'rejected'],
    [10, 1, 'review'],
    [10, 2, 'rejected'],
    [3, 1, 'rejected'],
  ])('of %i sampled rows with %i defective: %s', (sampled, defective, outcome) => {
    const decision = decideConsentSample(sample(sampled, range(defective)));
    expect(decision.outcome).toBe(outcome);
    expect(decision.defectiveRows).toBe(defective);
    expect(decision.finding?.code).toBe(outcome === 'review' ? 'consent_sample_defects' : 'consent_sample_failed');
    expect(decision.finding?.severity).toBe(outcome === 'review' ? 'review' : 'reject');
  });

  it('counts a row with several defects once', () => {
    const decision = decideConsentSample(sample(59, [4, 9], 5));
    expect(decision).toMatchObject({ outcome: 'review', defectiveRows: 2 });
  });

  it('writes findings in English and Italian citing art. 6.1.a, naming the rows', () => {
    const review = decideConsentSample(sample(59, [4, 9], 2)).finding!;
    expect(review.message).toBe(
      '2 of the 59 sampled consents are not documented as required (list rows 4, 9): a person must judge the evidence before the list is released.',
    );
    expect(review.messageIt).toBe(
      '2 dei 59 consensi del campione non sono documentati come richiesto (righe della lista 4, 9): le evidenze vanno valutate da una persona prima della consegna.',
    );
    expect(review.rule).toMatch(/^Codice di condotta telemarketing 2024 art\. 6\.1\.a/);
    const failed = decideConsentSample(sample(59, range(30))).finding!;
    expect(failed.message).toMatch(/^30 of the 59 sampled consents \(50\.8%, more than 10%\) are not documented as required \(list rows 1, 2, .*, 20, … \(\+10\)\)/);
    expect(failed.messageIt).toMatch(/^30 dei 59 consensi del campione \(50\.8%, oltre il 10%\)/);
    expect(failed.rule).toMatch(/art\. 6\.1\.a/);
  });
});

describe('overdue evidence (consentEvidenceHours)', () => {
  const requestedAt = new Date('2026-03-14T09:00:00Z');

  it('is overdue only after the deadline', () => {
    expect(consentEvidenceDeadline(requestedAt, 72).toISOString()).toBe('2026-03-17T09:00:00.000Z');
    expect(isConsentEvidenceOverdue(requestedAt, 72, new Date('2026-03-17T08:59:59.999Z'))).toBe(false);
    expect(isConsentEvidenceOverdue(requestedAt, 72, new Date('2026-03-17T09:00:00.000Z'))).toBe(false);
    expect(isConsentEvidenceOverdue(requestedAt, 72, new Date('2026-03-17T09:00:00.001Z'))).toBe(true);
    expect(isConsentEvidenceOverdue(requestedAt, 1, new Date('2026-03-14T10:30:00Z'))).toBe(true);
  });

  it('gives the consent_evidence_overdue rejection with the request time in Rome', () => {
    expect(consentEvidenceOverdue(requestedAt, 72, new Date('2026-03-16T09:00:00Z'))).toBeNull();
    const f = consentEvidenceOverdue(requestedAt, 72, new Date('2026-03-18T09:00:00Z'))!;
    expect(f).toMatchObject({ code: 'consent_evidence_overdue', severity: 'reject' });
    expect(f.message).toBe(
      "No consent evidence arrived within 72 hours of the sample's request (14/03/2026 10:00): the list's consents cannot be shown.",
    );
    expect(f.messageIt).toBe(
      'Le evidenze dei consensi non sono arrivate entro 72 ore dalla richiesta del campione (14/03/2026 10:00): i consensi della lista non sono dimostrabili.',
    );
    expect(f.rule).toMatch(/art\. 6\.1\.a/);
  });
});
