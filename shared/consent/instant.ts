import { parseCalendarDate } from '../list/dates.js';
import type { IsoDate } from '../list/model.js';
import { romeDate } from '../verdict/dates.js';

/**
 * The instants of consent evidence (docs/consent-sampling.md): ISO 8601 with a time and an offset
 * (`2026-03-14T10:05:00+01:00`, `...Z`). A time without an offset names no instant (which day was it in Rome?), so it
 * is refused rather than guessed.
 */
export interface EvidenceInstant {
  /** As written (trimmed). */
  text: string;
  /** Milliseconds since the epoch. */
  epochMs: number;
  /** The calendar day in Europe/Rome at that instant. */
  romeDay: IsoDate;
}

const ISO_INSTANT =
  /^(\d{4}-\d{2}-\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])([01]\d|2[0-3])(?::?([0-5]\d))?)$/;

export function parseInstant(raw: string): EvidenceInstant | null {
  const text = raw.trim();
  const m = ISO_INSTANT.exec(text);
  if (m === null) return null;
  const date = m[1]!;
  if (parseCalendarDate(date) !== date) return null; // 2026-02-30 and the like
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const fraction = m[5] === undefined ? 0 : Math.floor(Number(`0.${m[5]}`) * 1000);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d);
  local.setUTCHours(Number(m[2]), Number(m[3]), Number(m[4] ?? '0'), fraction);
  const localMs = local.getTime();
  const offsetMinutes = m[6] !== undefined ? 0 : (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9] ?? '0'));
  const epochMs = localMs - offsetMinutes * 60_000;
  if (!Number.isFinite(epochMs)) return null;
  return { text, epochMs, romeDay: romeDate(new Date(epochMs)) };
}
