import metadata from 'libphonenumber-js/metadata.min.json';

/**
 * The phone fast path for the foreign numbers real Italian lists carry (docs/list-format.md): the EU members,
 * Switzerland, the United Kingdom, San Marino and the Vatican, written internationally (+CC or 00CC). It replays
 * libphonenumber-js's steps for such an input (calling code, national prefix, country among those sharing the code,
 * validity, number type) with the numbering plans of its own metadata (the file the library's default import uses),
 * read once at module load: no table to regenerate when the library is upgraded. Anything it is not sure of (a
 * national prefix written after the calling code, a country it did not compile, metadata of an unexpected shape)
 * answers `undefined`, and libphonenumber-js decides. A property test holds it to the library.
 */

/** The countries compiled: ISO 3166 codes as libphonenumber-js names them. */
export const FAST_FOREIGN_COUNTRIES = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT',
  'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', // the EU
  'CH', 'GB', 'SM', 'VA',
] as const;

/** libphonenumber-js's number types (PhoneNumber.getType()). */
export type PhoneNumberType =
  | 'FIXED_LINE'
  | 'MOBILE'
  | 'FIXED_LINE_OR_MOBILE'
  | 'PREMIUM_RATE'
  | 'TOLL_FREE'
  | 'SHARED_COST'
  | 'VOIP'
  | 'PERSONAL_NUMBER'
  | 'PAGER'
  | 'UAN'
  | 'VOICEMAIL';

export interface ForeignPhone {
  e164: string;
  /** As libphonenumber-js's getType(): undefined where its metadata has no types for the country. */
  type: PhoneNumberType | undefined;
}

interface TypePlan {
  readonly pattern: RegExp;
  readonly lengths: readonly number[];
}

interface CountryPlan {
  readonly nationalPattern: RegExp;
  /** Leading digits that claim a number for this country among those sharing its calling code. */
  readonly leadingDigits: RegExp | null;
  /** By libphonenumber-js's type index; null where the metadata has no types for the country. */
  readonly types: (TypePlan | null)[] | null;
  /** The MOBILE type is present with an empty pattern (fixed lines are then FIXED_LINE_OR_MOBILE). */
  readonly emptyMobile: boolean;
}

interface CallingCodePlan {
  readonly code: string;
  /** National prefix (for parsing) of the code's main country: an input that starts with it goes to the library. */
  readonly nationalPrefix: RegExp | null;
  /** In libphonenumber-js's order; null where a sharing country was not compiled. */
  readonly countries: readonly (CountryPlan | null)[];
}

/** Index of each type in the metadata's types array (libphonenumber-js metadata.js getType). */
const TYPE_INDEX: Record<Exclude<PhoneNumberType, 'FIXED_LINE_OR_MOBILE'>, number> = {
  FIXED_LINE: 0,
  MOBILE: 1,
  TOLL_FREE: 2,
  PREMIUM_RATE: 3,
  PERSONAL_NUMBER: 4,
  VOICEMAIL: 5,
  UAN: 6,
  PAGER: 7,
  VOIP: 8,
  SHARED_COST: 9,
};
/** The order getNumberType tries after FIXED_LINE. */
const NON_FIXED_LINE_TYPES = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;

const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);
const leading = (pattern: string) => new RegExp(`^(?:${pattern})`);

interface MetadataJson {
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, readonly unknown[]>;
  nonGeographic?: Record<string, unknown>;
}

/**
 * Reads a country's plan from the metadata's v4 array layout ([callingCode, idd, nationalNumberPattern,
 * possibleLengths, formats, nationalPrefix, nationalPrefixFormattingRule, nationalPrefixForParsing,
 * nationalPrefixTransformRule, ..., leadingDigits, types]); null if it is not of that shape.
 */
function countryPlan(entry: readonly unknown[] | undefined): CountryPlan | null {
  if (!entry || typeof entry[2] !== 'string' || !Array.isArray(entry[3])) return null;
  const lengths = entry[3] as number[];
  const rawTypes = entry[11];
  let types: (TypePlan | null)[] | null = null;
  let emptyMobile = false;
  if (Array.isArray(rawTypes) && rawTypes.length > 0) {
    types = [];
    for (let i = 0; i < 10; i++) {
      const t = rawTypes[i] as unknown;
      if (!Array.isArray(t)) {
        types.push(null);
        continue;
      }
      if (typeof t[0] !== 'string') return null;
      if (i === TYPE_INDEX.MOBILE && t[0] === '') emptyMobile = true;
      types.push(t[0] === '' ? null : { pattern: whole(t[0]), lengths: Array.isArray(t[1]) ? (t[1] as number[]) : lengths });
    }
  } else if (rawTypes !== undefined && rawTypes !== 0) {
    return null;
  }
  const leadingDigits = entry[10];
  if (leadingDigits !== undefined && leadingDigits !== 0 && typeof leadingDigits !== 'string') return null;
  return { nationalPattern: whole(entry[2]), leadingDigits: leadingDigits ? leading(leadingDigits) : null, types, emptyMobile };
}

/** The compiled calling codes, by code; null if the metadata is not of the expected shape (all goes to the library). */
function loadPlans(): { byCode: Map<string, CallingCodePlan>; allCodes: Set<string> } | null {
  try {
    const json = metadata as unknown as MetadataJson;
    const allCodes = new Set([...Object.keys(json.country_calling_codes), ...Object.keys(json.nonGeographic ?? {})]);
    const byCode = new Map<string, CallingCodePlan>();
    for (const country of FAST_FOREIGN_COUNTRIES) {
      const code = json.countries[country]?.[0];
      if (typeof code !== 'string') return null;
      if (byCode.has(code)) continue;
      const sharing = json.country_calling_codes[code];
      if (!sharing || sharing.length === 0) return null;
      const main = json.countries[sharing[0]!];
      if (!main || main[0] !== code) return null;
      // nationalPrefixForParsing, else the national prefix (metadata.js nationalPrefixForParsing())
      const prefix = main[7] || main[5];
      if (prefix !== undefined && prefix !== 0 && typeof prefix !== 'string') return null;
      byCode.set(code, {
        code,
        nationalPrefix: typeof prefix === 'string' && prefix !== '' ? leading(prefix) : null,
        countries: sharing.map((c) => countryPlan(json.countries[c])),
      });
    }
    return { byCode, allCodes };
  } catch {
    return null;
  }
}

const plans = loadPlans();

/** Whether the foreign fast path could read libphonenumber-js's metadata. */
export const foreignFastPathEnabled: boolean = plans !== null;

function isType(plan: CountryPlan, national: string, index: number): boolean {
  const t = plan.types?.[index];
  return t !== null && t !== undefined && t.lengths.includes(national.length) && t.pattern.test(national);
}

/** libphonenumber-js getNumberType for a country's national number. */
function numberType(plan: CountryPlan, national: string): PhoneNumberType | undefined {
  if (!plan.nationalPattern.test(national) || plan.types === null) return undefined;
  if (isType(plan, national, TYPE_INDEX.FIXED_LINE)) {
    if (plan.emptyMobile || plan.types[TYPE_INDEX.MOBILE] === null) return 'FIXED_LINE_OR_MOBILE';
    return isType(plan, national, TYPE_INDEX.MOBILE) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  for (const type of NON_FIXED_LINE_TYPES) if (isType(plan, national, TYPE_INDEX[type])) return type;
  return undefined;
}

/** libphonenumber-js isValidNumber: a type where the metadata has types, else the national pattern. */
function isValid(plan: CountryPlan, national: string): boolean {
  return plan.types !== null ? numberType(plan, national) !== undefined : plan.nationalPattern.test(national);
}

/**
 * The answer for a calling code and the digits after it: the E.164 and type of a valid number, null (not valid),
 * or undefined (unsure: ask libphonenumber-js).
 */
export function foreignNumber(code: string, rest: string): ForeignPhone | null | undefined {
  const plan = plans?.byCode.get(code);
  if (plan === undefined) return undefined;
  // A national prefix after the calling code (+44 (0)20 ...) is stripped by the library under conditions not
  // replayed here.
  if (plan.nationalPrefix !== null && plan.nationalPrefix.test(rest)) return undefined;
  const national = rest;
  if (national.length < 2 || national.length > 17) return null; // MIN/MAX_LENGTH_FOR_NSN
  // getCountryByNationalNumber: the first sharing country whose leading digits start the number, or (for one
  // without leading digits) for which the number has a type.
  let country: CountryPlan | undefined;
  if (plan.countries.length === 1) {
    country = plan.countries[0] ?? undefined;
    if (country === undefined) return undefined;
  } else {
    for (const candidate of plan.countries) {
      if (candidate === null) return undefined;
      if (candidate.leadingDigits !== null ? candidate.leadingDigits.test(national) : numberType(candidate, national) !== undefined) {
        country = candidate;
        break;
      }
    }
    // No country: the library validates against the calling code's main country.
    if (country === undefined) {
      const main = plan.countries[0];
      if (!main) return undefined;
      return isValid(main, national) ? { e164: `+${code}${national}`, type: numberType(main, national) } : null;
    }
  }
  return isValid(country, national) ? { e164: `+${code}${national}`, type: numberType(country, national) } : null;
}

/**
 * The calling code an international number starts with, as libphonenumber-js extracts it (the first 1 to 3 digits
 * that are a calling code, none starting with 0), or undefined.
 */
export function callingCodeOf(digits: string): string | undefined {
  if (plans === null || digits.charCodeAt(0) === 48) return undefined;
  for (let i = 1; i <= 3 && i <= digits.length; i++) {
    const code = digits.slice(0, i);
    if (plans.allCodes.has(code)) return code;
  }
  return undefined;
}
