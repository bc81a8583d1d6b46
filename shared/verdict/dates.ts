import type { IsoDate } from '../list/model.js';

/**
 * Dates on forms and in lists are Italian calendar days. "Today" is therefore the calendar day in Rome at the
 * instant of processing, whatever the server's time zone.
 */
export function romeDate(instant: Date): IsoDate {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Rome',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** DD/MM/YYYY for people reading Italian forms. */
export function italianDate(date: IsoDate): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/** The instant a calendar day starts in Rome (00:00 Europe/Rome), whatever daylight saving is in force. */
export function romeStartOfDay(date: IsoDate): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  for (const offsetHours of [1, 2]) {
    const candidate = new Date(utcMidnight - offsetHours * 3_600_000);
    const hour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', hourCycle: 'h23' }).format(candidate);
    if (romeDate(candidate) === date && hour === '00') return candidate;
  }
  return new Date(utcMidnight - 3_600_000);
}
