import type { ListReport } from '../list/model.js';

/**
 * What an intake's stored record may keep, and for how long (docs/limits-and-retention.md). Contact data (lists) lives
 * `contactRetentionDays` in S3; evidence (the signed attestation, the receipt, the audit trail's head) lives
 * `evidenceRetentionDays`. The intake item and its trail hold evidence (attestation fields, signer identities, the
 * chain) and therefore live as long as the evidence; the few phone numbers they would otherwise carry (excluded-row
 * samples) are masked, so that no contact outlives the contact retention in the table.
 */
export const DEFAULT_EVIDENCE_RETENTION_DAYS = 1825;
export const DEFAULT_CONTACT_RETENTION_DAYS = 30;

const DAY_SECONDS = 24 * 60 * 60;

/** The TTL (epoch seconds) of a record made at `createdAt` and kept `days`. */
export function retentionTtl(createdAt: string, days: number): number {
  const created = Date.parse(createdAt);
  if (!Number.isFinite(created)) throw new RangeError(`not an instant: ${createdAt}`);
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`retention must be a positive number of days, got ${days}`);
  return Math.floor(created / 1000) + days * DAY_SECONDS;
}

/**
 * A phone cell with its middle hidden: `+393471234567` -> `+39347*****67` (country, operator prefix and the last two
 * digits stay, enough to recognise a sample; not enough to call it). Short cells are hidden whole.
 */
export function maskPhone(cell: string): string {
  const s = cell.trim();
  const n = [...s].length;
  const chars = [...s];
  const [head, tail] = n >= 10 ? [6, 2] : n >= 6 ? [2, 2] : [0, 0];
  const hidden = Math.min(n - head - tail, 16);
  return chars.slice(0, head).join('') + '*'.repeat(Math.max(hidden, 0)) + (tail ? chars.slice(n - tail).join('') : '');
}

/** The list report as the intake record keeps it: excluded-row samples masked, everything else as reported. */
export function maskListReport<T extends Pick<ListReport, 'samples'> | undefined>(list: T): T {
  if (!list?.samples?.length) return list;
  return { ...list, samples: list.samples.map((s) => ({ ...s, phone: maskPhone(s.phone) })) };
}
