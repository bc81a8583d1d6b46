import type { Finding } from '../finding.js';
import { finding } from '../verdict/catalogue.js';
import type { ConsentSampleReport } from './checks.js';

/**
 * What a checked sample means for the intake (docs/consent-sampling.md; Codice di condotta telemarketing 2024 art.
 * 6.1.a): no defect, processing goes on; one defective row or more, a person reviews; more than 10% of the sampled
 * rows defective, or no evidence within `consentEvidenceHours`, rejected.
 */

export type ConsentSampleOutcome = 'proceed' | 'review' | 'rejected';

export interface ConsentSampleDecision {
  outcome: ConsentSampleOutcome;
  sampledRows: number;
  /** Sampled rows with at least one defect. */
  defectiveRows: number;
  /** The finding to add to the verdict; null when the sample is clean. */
  finding: Finding | null;
}

/** Above this share of defective rows the list is rejected: "more than 10%". */
export const MAX_DEFECTIVE_PERCENT = 10;
/** Row numbers named in a finding (docs/limits-and-retention.md: a finding detail is bounded; the receipt has them all). */
const MAX_ROWS_NAMED = 20;

function rowsNamed(rows: number[]): string {
  const named = rows.slice(0, MAX_ROWS_NAMED).join(', ');
  return rows.length > MAX_ROWS_NAMED ? `${named}, … (+${rows.length - MAX_ROWS_NAMED})` : named;
}

export function decideConsentSample(report: Pick<ConsentSampleReport, 'rows' | 'defects'>): ConsentSampleDecision {
  const sampledRows = report.rows.length;
  const defective = [...new Set(report.defects.map((d) => d.row))].sort((a, b) => a - b);
  const defectiveRows = defective.length;
  if (defectiveRows === 0) return { outcome: 'proceed', sampledRows, defectiveRows, finding: null };
  // Whole numbers: defective / sampled > 10% exactly, no floating-point edge (6 of 60 is not above 10%).
  if (defectiveRows * 100 > sampledRows * MAX_DEFECTIVE_PERCENT) {
    return {
      outcome: 'rejected',
      sampledRows,
      defectiveRows,
      finding: finding('consent_sample_failed', {
        defective: defectiveRows,
        sampled: sampledRows,
        percent: ((defectiveRows * 100) / sampledRows).toFixed(1),
        limit: MAX_DEFECTIVE_PERCENT,
        rows: rowsNamed(defective),
      }),
    };
  }
  return {
    outcome: 'review',
    sampledRows,
    defectiveRows,
    finding: finding('consent_sample_defects', { defective: defectiveRows, sampled: sampledRows, rows: rowsNamed(defective) }),
  };
}

/** The instant after which evidence is overdue. */
export function consentEvidenceDeadline(requestedAt: Date, consentEvidenceHours: number): Date {
  return new Date(requestedAt.getTime() + consentEvidenceHours * 3_600_000);
}

/** The time to answer is `consentEvidenceHours` from the request: evidence arriving exactly at the deadline is in time. */
export function isConsentEvidenceOverdue(requestedAt: Date, consentEvidenceHours: number, now: Date): boolean {
  return now.getTime() > consentEvidenceDeadline(requestedAt, consentEvidenceHours).getTime();
}

/** The `consent_evidence_overdue` finding when the evidence is overdue at `now`, else null. */
export function consentEvidenceOverdue(requestedAt: Date, consentEvidenceHours: number, now: Date): Finding | null {
  if (!isConsentEvidenceOverdue(requestedAt, consentEvidenceHours, now)) return null;
  return finding('consent_evidence_overdue', { hours: consentEvidenceHours, requestedAt: romeDateTime(requestedAt) });
}

/** DD/MM/YYYY HH:MM in Europe/Rome, as compliance staff read times. */
export function romeDateTime(instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Rome',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')}`;
}
