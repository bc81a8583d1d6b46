import type { PhoneReader } from './byte-engine.js';
import { e164Key } from './e164-table.js';
import { fastItalianDigits, isCallable, normalizePhone, phoneFastPathEnabled, type PhoneReading } from './phone.js';

/**
 * The phone cell read from the list's UTF-8 bytes (docs/list-format.md, Phone numbers): the same answers as
 * normalizePhone and isCallable, in one step and without a string for the cell. The bytes answer for the notations
 * people type (digits, a leading +, spaces, dashes, dots, parentheses, in ASCII); anything else (Excel's markers,
 * full-width digits, letters, a comma) is read as a string by normalizePhone, whose answer stands.
 */

const DIGITS = Buffer.allocUnsafe(256);

/**
 * The first `length` bytes as a string: Buffer's own latin1Slice (what toString('latin1') calls after checking its
 * arguments, a third of the cost of a short cell) where the runtime has it.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string }).latin1Slice;
const latin1: (b: Buffer, length: number) => string =
  typeof latin1Slice === 'function' ? (b, length) => latin1Slice.call(b, 0, length) : (b, length) => b.toString('latin1', 0, length);

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Fills `reading` for the cell's bytes [from, to) and returns true, or returns false when the bytes cannot say
 * (then normalizePhone on the cell's text answers).
 */
export function readPhoneBytes(b: Uint8Array, from: number, to: number, reading: PhoneReading): boolean {
  if (!phoneFastPathEnabled) return false;
  let s = from;
  let e = to;
  while (s < e && isAsciiSpace(b[s]!)) s++;
  while (e > s && isAsciiSpace(b[e - 1]!)) e--;
  const n = e - s;
  reading.key = -1;
  reading.callable = undefined;
  if (n > 250) return false;
  let plus = false;
  let seenDigit = false;
  let digits = 0;
  let dots = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      seenDigit = true;
      DIGITS[digits++] = c;
    } else if (c === 43 /* + */) {
      if (seenDigit || plus) return false;
      plus = true;
    } else if (c === 46 /* . */) {
      dots++;
    } else if (c !== 32 && c !== 45 && c !== 40 && c !== 41) {
      // a byte past ASCII (its trim is String.prototype.trim's, its digits may be full-width), a letter, a quote,
      // Excel's = or ' marker, a comma: the string path
      return false;
    }
  }
  // phone.ts phoneCellText: a spreadsheet's float (`3471234567.0`) is not a phone number.
  if (dots === 1 && digits === n - 1 && b[s]! >= 49 && isSpreadsheetDecimal(b, s, e)) {
    reading.e164 = null;
    return true;
  }
  if (digits < 3) {
    reading.e164 = null;
    return true;
  }
  const e164 = fastItalianDigits(latin1(DIGITS, digits), plus, reading);
  if (e164 === undefined) return false;
  reading.e164 = e164;
  if (e164 !== null && reading.key < 0) reading.key = e164Key(e164);
  return true;
}

/** `^[1-9]\d{7,}[.]\d{1,2}$` on a cell of digits and one dot. */
function isSpreadsheetDecimal(b: Uint8Array, s: number, e: number): boolean {
  let dot = s;
  while (b[dot] !== 46) dot++;
  const after = e - dot - 1;
  return dot - s >= 8 && after >= 1 && after <= 2;
}

/** normalizePhone and isCallable of a cell's text, into `reading` (the string path of readPhoneBytes). */
export function readPhoneText(raw: string, reading: PhoneReading): void {
  const e164 = normalizePhone(raw);
  reading.e164 = e164;
  reading.key = e164 === null ? -1 : e164Key(e164);
  reading.callable = undefined;
}

/** The phone rules of processContactList for the byte engine. */
export const phoneReader: PhoneReader = { bytes: readPhoneBytes, text: readPhoneText, isCallable };
