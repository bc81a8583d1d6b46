import type { IsoDate } from './model.js';

/**
 * Calendar dates as they appear in lists and RPO files: DD/MM/YYYY (also D/M/YYYY, with '-' or '.') or ISO 8601
 * (YYYY-MM-DD, optionally followed by a time). Dates carry no time zone: they are Italian calendar days. An ISO
 * datetime with an explicit offset (or Z) names an instant, so it is converted to the calendar day in Europe/Rome.
 *
 * Internally a date is a "day key" yyyy*10000 + mm*100 + dd: an integer that orders like the date and costs no
 * allocation on the hot path. -1 means unreadable.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function validDay(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const max = m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!;
  return d <= max;
}

function digitsAt(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const ISO_TIME = /^[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:[.,]\d+)?)?(Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/;

let romeFormat: Intl.DateTimeFormat | undefined;

function romeDayKey(instant: number): number {
  romeFormat ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Rome',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  let y = 0;
  let m = 0;
  let d = 0;
  for (const part of romeFormat.formatToParts(instant)) {
    if (part.type === 'year') y = Number(part.value);
    else if (part.type === 'month') m = Number(part.value);
    else if (part.type === 'day') d = Number(part.value);
  }
  return y * 10000 + m * 100 + d;
}

/** Day key of a date cell, or -1. Leading and trailing spaces are ignored. */
export function dayKey(raw: string): number {
  const text = raw.length > 0 && (raw.charCodeAt(0) === 32 || raw.charCodeAt(raw.length - 1) === 32) ? raw.trim() : raw;
  const n = text.length;
  if (n < 8) return -1;
  // ISO 8601: YYYY-MM-DD[Thh:mm[:ss[.fff]][Z|±hh[:mm]]]
  if (text.charCodeAt(4) === 45 /* - */ && n >= 10 && text.charCodeAt(7) === 45) {
    const y = digitsAt(text, 0, 4);
    const m = digitsAt(text, 5, 7);
    const d = digitsAt(text, 8, 10);
    if (y < 0 || m < 0 || d < 0 || !validDay(y, m, d)) return -1;
    if (n === 10) return y * 10000 + m * 100 + d;
    const time = ISO_TIME.exec(text.slice(10));
    if (time === null) return -1;
    const zone = time[4];
    if (zone === undefined) return y * 10000 + m * 100 + d;
    const instant = Date.parse(
      `${text.slice(0, 10)}T${time[1]}:${time[2]}:${time[3] ?? '00'}${zone === 'Z' ? 'Z' : normaliseOffset(zone)}`,
    );
    return Number.isNaN(instant) ? -1 : romeDayKey(instant);
  }
  // Italian: D/M/YYYY with '/', '-' or '.'; both separators the same.
  const s1 = firstSeparator(text);
  if (s1 < 1 || s1 > 2) return -1;
  const sep = text.charCodeAt(s1);
  const s2 = text.indexOf(String.fromCharCode(sep), s1 + 1);
  if (s2 - s1 < 2 || s2 - s1 > 3 || n - s2 !== 5) return -1;
  const d = digitsAt(text, 0, s1);
  const m = digitsAt(text, s1 + 1, s2);
  const y = digitsAt(text, s2 + 1, n);
  if (d < 0 || m < 0 || y < 0 || !validDay(y, m, d)) return -1;
  return y * 10000 + m * 100 + d;
}

function firstSeparator(text: string): number {
  for (let i = 0; i < 3 && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 || c === 45 || c === 46) return i;
  }
  return -1;
}

function normaliseOffset(zone: string): string {
  // ±hh, ±hhmm, ±hh:mm -> ±hh:mm (the only form Date.parse is specified to read)
  const sign = zone[0]!;
  const digits = zone.slice(1).replace(':', '');
  return `${sign}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2, 4) : '00'}`;
}

export function isoFromDayKey(key: number): IsoDate {
  const y = Math.floor(key / 10000);
  const m = Math.floor(key / 100) % 100;
  const d = key % 100;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function dayKeyFromIso(iso: IsoDate): number {
  const key = dayKey(iso);
  if (key < 0) throw new RangeError(`not a calendar date: ${iso}`);
  return key;
}

/** DD/MM/YYYY (also D/M/YYYY, '-' or '.') or ISO 8601 date/datetime -> 'YYYY-MM-DD'; impossible dates -> null. */
export function parseCalendarDate(text: string): IsoDate | null {
  const key = dayKey(text);
  return key < 0 ? null : isoFromDayKey(key);
}

/** dayKeyOfBytes's answer when the bytes need the string path (a time of day, a character past ASCII). */
export const DAY_KEY_UNSURE = -2;

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function digitsOfBytes(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * dayKey of a cell's UTF-8 bytes [from, to) without making a string: the same answer for the notations it reads
 * (DD/MM/YYYY and its variants, a bare ISO date), DAY_KEY_UNSURE for a datetime or a non-ASCII byte (ask dayKey).
 */
export function dayKeyOfBytes(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i]! >= 0x80) return DAY_KEY_UNSURE;
  let s = from;
  let e = to;
  if (e > s && (b[s] === 32 || b[e - 1] === 32)) {
    // dayKey trims only when the text starts or ends with a space; then as String.prototype.trim (ASCII here).
    while (s < e && isAsciiSpace(b[s]!)) s++;
    while (e > s && isAsciiSpace(b[e - 1]!)) e--;
  }
  const n = e - s;
  if (n < 8) return -1;
  if (b[s + 4] === 45 /* - */ && n >= 10 && b[s + 7] === 45) {
    const y = digitsOfBytes(b, s, s + 4);
    const m = digitsOfBytes(b, s + 5, s + 7);
    const d = digitsOfBytes(b, s + 8, s + 10);
    if (y < 0 || m < 0 || d < 0 || !validDay(y, m, d)) return -1;
    return n === 10 ? y * 10000 + m * 100 + d : DAY_KEY_UNSURE;
  }
  let s1 = -1;
  for (let i = 0; i < 3 && i < n; i++) {
    const c = b[s + i]!;
    if (c === 47 || c === 45 || c === 46) {
      s1 = i;
      break;
    }
  }
  if (s1 < 1 || s1 > 2) return -1;
  const sep = b[s + s1]!;
  let s2 = -1;
  for (let i = s1 + 1; i < n; i++) {
    if (b[s + i] === sep) {
      s2 = i;
      break;
    }
  }
  if (s2 - s1 < 2 || s2 - s1 > 3 || n - s2 !== 5) return -1;
  const d = digitsOfBytes(b, s, s + s1);
  const m = digitsOfBytes(b, s + s1 + 1, s + s2);
  const y = digitsOfBytes(b, s + s2 + 1, s + n);
  if (d < 0 || m < 0 || y < 0 || !validDay(y, m, d)) return -1;
  return y * 10000 + m * 100 + d;
}
