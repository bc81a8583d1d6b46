import { parsePhoneNumberFromString } from 'libphonenumber-js';
import metadata from 'libphonenumber-js/metadata.min.json';
import { callingCodeOf, foreignNumber, type ForeignPhone, type PhoneNumberType } from './foreign-phone.js';

/**
 * Phone numbers, parsed with Italy as the default region (docs/list-format.md).
 *
 * The reference answer is libphonenumber-js: `parsePhoneNumberFromString(raw, 'IT')`, then `isValid()`, then
 * `number`. It costs about 12 us a number, most of the engine's time on a list. The fast path below answers for the
 * notations people actually type for Italian numbers (+39 / 0039 / 39 / national, with spaces, dashes, dots,
 * parentheses) by replaying libphonenumber-js's own steps with its own Italian metadata (the same file the default
 * import uses), and returns `undefined` ("unsure") for anything else, which then goes to libphonenumber-js.
 * International numbers of the countries lists carry (the EU, Switzerland, the UK, San Marino, the Vatican) are
 * answered the same way by foreign-phone.ts. Property tests check that both give the same answer on every input.
 */

type CountryArray = readonly unknown[];

interface NumberType {
  readonly pattern: RegExp;
  readonly lengths: readonly number[];
  /** The type's index in the metadata (libphonenumber-js's order: 0 FIXED_LINE, 1 MOBILE, 2 TOLL_FREE, ...). */
  readonly index: number;
}

interface ItalianPlan {
  readonly nationalPattern: RegExp;
  readonly maxLength: number;
  readonly types: readonly NumberType[];
  /** Numbers the Vatican (which shares +39) claims by leading digits: left to libphonenumber-js. */
  readonly vaticanLeading: RegExp | null;
}

function whole(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/**
 * Reads the Italian numbering plan out of libphonenumber-js's metadata (v4 array layout, as in its metadata.js:
 * [callingCode, idd, nationalNumberPattern, possibleLengths, formats, nationalPrefix, nationalPrefixFormattingRule,
 * nationalPrefixForParsing, nationalPrefixTransformRule, ..., leadingDigits, types]). If the layout or the facts the
 * fast path relies on ever change, the fast path turns itself off and every number goes to libphonenumber-js.
 */
function loadItalianPlan(): ItalianPlan | null {
  try {
    const json = metadata as unknown as {
      country_calling_codes: Record<string, string[]>;
      countries: Record<string, CountryArray>;
    };
    const sharing = json.country_calling_codes['39'];
    const it = json.countries['IT'];
    if (!sharing || sharing[0] !== 'IT' || !it) return null;
    if (it[0] !== '39' || it[1] !== '00') return null; // calling code, international (IDD) prefix
    if (it[5] || it[7] || it[8] || it[10]) return null; // national prefix / prefix for parsing / transform / leading digits
    const lengths = it[3] as number[];
    const types = it[11] as unknown;
    if (typeof it[2] !== 'string' || !Array.isArray(lengths) || !Array.isArray(types)) return null;
    const parsedTypes: NumberType[] = [];
    (types as unknown[]).forEach((t, index) => {
      if (!Array.isArray(t) || typeof t[0] !== 'string' || t[0] === '') return;
      parsedTypes.push({ pattern: whole(t[0]), lengths: (t[1] as number[] | undefined) ?? lengths, index });
    });
    let vaticanLeading: RegExp | null = null;
    for (const other of sharing.slice(1)) {
      if (other !== 'VA') return null;
      const va = json.countries['VA'];
      if (!va || typeof va[10] !== 'string') return null;
      vaticanLeading = new RegExp(`^(?:${va[10]})`);
    }
    return {
      nationalPattern: whole(it[2]),
      maxLength: lengths[lengths.length - 1]!,
      types: parsedTypes,
      vaticanLeading,
    };
  } catch {
    return null;
  }
}

const plan = loadItalianPlan();

/**
 * libphonenumber-js getNumberType(IT) !== undefined: the national pattern and one type (with its lengths). Returns
 * the metadata index of the first type that fits, -1 for none.
 */
function italianTypeIndex(p: ItalianPlan, national: string): number {
  if (!p.nationalPattern.test(national)) return -1;
  const len = national.length;
  for (const t of p.types) {
    if (t.lengths.includes(len) && t.pattern.test(national)) return t.index;
  }
  return -1;
}

const NON_DIGITS = /\D/g;

/**
 * The fast path: E.164, null (libphonenumber-js would say "not a valid number"), or undefined (unsure: ask it).
 * Exported for the property test that holds it to libphonenumber-js.
 */
export function fastItalianPhone(raw: string): string | null | undefined {
  const p = plan;
  if (p === null) return undefined;
  const n = raw.length;
  if (n > 250) return null; // libphonenumber-js: MAX_INPUT_STRING_LENGTH
  let plus = false;
  let seenDigit = false;
  let digitCount = 0;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      seenDigit = true;
      digitCount++;
    } else if (c === 43 /* + */) {
      if (seenDigit || plus) return undefined;
      plus = true;
    } else if (c !== 32 && c !== 45 && c !== 46 && c !== 40 && c !== 41) {
      // space - . ( ) are libphonenumber punctuation; anything else (letters, extensions, slashes, NBSP, other
      // scripts' digits, RFC 3966 URIs) is left to the library.
      return undefined;
    }
  }
  // Not a viable phone number for libphonenumber-js (fewer than 3 digits): never valid.
  if (digitCount < 3) return null;
  return fastItalianDigits(digitCount === n ? raw : raw.replace(NON_DIGITS, ''), plus, null);
}

/** What the byte engine learns of a phone cell in one step: its E.164, the number packed as e164Key, and whether it is callable. */
export interface PhoneReading {
  e164: string | null;
  /** e164Key(e164), or -1. */
  key: number;
  /** isCallable(e164) when the fast path knows it on the way (an Italian number), else undefined. */
  callable: boolean | undefined;
}

/**
 * fastItalianPhone after its scan: the cell's digits, and whether a plus came before them. With `reading`, an answer
 * also fills in the key and, for an Italian number, whether isCallable would say yes: getNumberType(IT) is the first
 * type that fits, and only FIXED_LINE (0) and MOBILE (1) as the first fit make a personal line.
 */
export function fastItalianDigits(digits: string, plus: boolean, reading: PhoneReading | null): string | null | undefined {
  const p = plan!;
  let national: string;
  if (plus) {
    // +39..., another calling code by the foreign fast path (or the library)
    if (digits.charCodeAt(0) !== 51 || digits.charCodeAt(1) !== 57) return foreignE164(digits);
    national = digits.slice(2);
  } else if (digits.charCodeAt(0) === 48 && digits.charCodeAt(1) === 48) {
    // The Italian international prefix 00: 0039... is +39...; 00 then 0 is not an international prefix (the
    // library's stripIddPrefix), left to the library.
    if (digits.charCodeAt(2) === 48) return undefined;
    if (digits.charCodeAt(2) !== 51 || digits.charCodeAt(3) !== 57) return foreignE164(digits.slice(2));
    national = digits.slice(4);
  } else if (digits.charCodeAt(0) === 51 && digits.charCodeAt(1) === 57) {
    // "39..." without a plus: libphonenumber-js strips the calling code when the whole does not fit the Italian
    // pattern but the rest does, or when the whole is too long (extractCountryCallingCodeFromInternational...).
    const shorter = digits.slice(2);
    const strip =
      (!p.nationalPattern.test(digits) && p.nationalPattern.test(shorter)) || digits.length > p.maxLength;
    national = strip ? shorter : digits;
  } else {
    national = digits;
  }
  if (national.length < 2 || national.length > 17) return null; // MIN/MAX_LENGTH_FOR_NSN
  const type = italianTypeIndex(p, national);
  if (type >= 0) {
    if (reading !== null) {
      let key = 39;
      for (let i = 0; i < national.length; i++) key = key * 10 + (national.charCodeAt(i) - 48);
      reading.key = national.length <= 13 ? key : -1;
      reading.callable = type <= 1;
    }
    return `+39${national}`;
  }
  if (p.vaticanLeading !== null && p.vaticanLeading.test(national)) return e164Of(foreignNumber('39', national));
  return null;
}

/** The foreign fast path's answer for the digits after + (or 00): E.164, null, or undefined (ask the library). */
function foreignE164(international: string): string | null | undefined {
  const code = callingCodeOf(international);
  if (code === undefined) return undefined;
  return e164Of(foreignNumber(code, international.slice(code.length)));
}

const e164Of = (answer: ForeignPhone | null | undefined) => (answer === undefined || answer === null ? answer : answer.e164);

/** libphonenumber-js's answer: E.164 of a valid number (Italy as default region), else null. */
export function referencePhone(raw: string): string | null {
  try {
    const parsed = parsePhoneNumberFromString(raw, 'IT');
    return parsed !== undefined && parsed.isValid() ? parsed.number : null;
  } catch {
    return null;
  }
}

/**
 * E.164 of a valid phone number, Italy as the default region, else null (docs/list-format.md). Spreadsheet damage is
 * never repaired by guessing: a cell that a spreadsheet turned into a number with a decimal part or an exponent
 * (`3471234567.0`, `3,47E+09`) is not a phone number; Excel's text markers (`'347...`, `="347..."`) and full-width
 * digits are read as the digits they carry.
 */
export function normalizePhone(raw: string): string | null {
  const cell = phoneCellText(raw);
  if (cell === null) return null;
  const fast = fastItalianPhone(cell);
  return fast === undefined ? referencePhone(cell) : fast;
}

/**
 * A phone number a spreadsheet stored as a number and wrote back as one: in scientific notation (`3,47E+09`), or a
 * long digit run with a short decimal part (`3471234567.0`). A stored number has no leading zero and no plus sign,
 * which keeps dotted notations people type (`+44 15340.00000`, `0039 010.000`) out of this rule.
 */
const SPREADSHEET_NUMBER = /^\d+(?:[.,]\d+)?[eE][+-]?\d+$|^[1-9]\d{7,}[.,]\d{1,2}$/;
const FULL_WIDTH = /[\uFF10-\uFF19\uFF0B]/g;

/** The phone as typed, out of its spreadsheet wrapping; null for a cell a spreadsheet turned into a float. */
export function phoneCellText(raw: string): string | null {
  let cell = raw.trim();
  if (cell.length === 0) return cell;
  // ="347 123 4567" (a formula that yields text) and '347... (the text prefix) are Excel's ways to keep digits.
  if (cell.startsWith('="') && cell.endsWith('"') && cell.length >= 3) cell = cell.slice(2, -1).trim();
  else if (cell.charCodeAt(0) === 39 /* ' */) cell = cell.slice(1).trim();
  if (FULL_WIDTH.test(cell)) {
    FULL_WIDTH.lastIndex = 0;
    cell = cell.replace(FULL_WIDTH, (c) => (c === '\uFF0B' ? '+' : String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48)));
  }
  return SPREADSHEET_NUMBER.test(cell) ? null : cell;
}

/**
 * Whether a valid number (E.164) is one a call center may dial: a personal line (mobile, fixed line or either), not
 * a toll-free, premium-rate, shared-cost, UAN, voicemail, pager, personal-number or VoIP service (docs/list-format.md,
 * reason not_callable). A country whose metadata names no types is given the benefit of the doubt.
 */
export function isCallable(e164: string): boolean {
  const type = phoneType(e164);
  return type === undefined || CALLABLE_TYPES.has(type);
}

const CALLABLE_TYPES: ReadonlySet<PhoneNumberType> = new Set(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);

/** libphonenumber-js's getType() of an E.164 number: the foreign fast path's plans first, the library otherwise. */
export function phoneType(e164: string): PhoneNumberType | undefined {
  const digits = e164.slice(1);
  const code = callingCodeOf(digits);
  if (code !== undefined) {
    const fast = foreignNumber(code, digits.slice(code.length));
    if (fast !== undefined && fast !== null) return fast.type;
  }
  try {
    return parsePhoneNumberFromString(e164)?.getType() as PhoneNumberType | undefined;
  } catch {
    return undefined;
  }
}

/** Whether the fast path could read libphonenumber-js's Italian metadata (it falls back entirely otherwise). */
export const phoneFastPathEnabled: boolean = plan !== null;
