import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import metadata from 'libphonenumber-js/metadata.min.json';
import { describe, expect, it } from 'vitest';

import { callingCodeOf, FAST_FOREIGN_COUNTRIES, foreignFastPathEnabled, foreignNumber } from '../../../shared/list/foreign-phone.js';
import { fastItalianPhone, normalizePhone, phoneCellText, referencePhone } from '../../../shared/list/phone.js';

/** The library's answer on the cell as normalizePhone reads it (spreadsheet wrapping off, floats refused). */
const expectedPhone = (raw: string): string | null => {
  const cell = phoneCellText(raw);
  return cell === null ? null : referencePhone(cell);
};

/**
 * The foreign fast path against libphonenumber-js (the reference): for numbers of the compiled countries written
 * internationally, the same validity, the same E.164 and the same number type.
 */
const json = metadata as unknown as { country_calling_codes: Record<string, string[]>; countries: Record<string, unknown[]> };

/** The compiled countries and the others sharing their calling codes (Guernsey, Jersey, Man, Åland). */
const countries = [...new Set(FAST_FOREIGN_COUNTRIES.flatMap((c) => json.country_calling_codes[json.countries[c]![0] as string]!))];

/** National (significant) numbers as the metadata describes them: by a type's pattern, the national pattern, or any digits. */
function nationals(country: string): fc.Arbitrary<string> {
  const entry = json.countries[country]!;
  const patterns = [entry[2] as string];
  if (Array.isArray(entry[11])) for (const t of entry[11]) if (Array.isArray(t) && t[0]) patterns.push(t[0] as string);
  const lengths = entry[3] as number[];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...patterns).chain((p) => fc.stringMatching(new RegExp(`^(?:${p})$`))) },
    { weight: 1, arbitrary: fc.integer({ min: Math.max(1, lengths[0]! - 1), max: lengths[lengths.length - 1]! + 1 }).chain((n) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n })) },
  );
}

/** The digits written with the separators people use, after one of the international prefixes. */
const written = fc
  .constantFrom(...countries)
  .chain((country) =>
    fc.record({
      country: fc.constant(country),
      code: fc.constant(json.countries[country]![0] as string),
      national: nationals(country),
      prefix: fc.constantFrom('+', '+', '00', '+ ', '(+', '00 '),
      afterCode: fc.constantFrom('', ' ', ' ', '-', ') ', '.', ' (0)'),
      separators: fc.array(fc.constantFrom(' ', '-', '.', ''), { minLength: 0, maxLength: 6 }),
    }),
  )
  .map(({ country, code, national, prefix, afterCode, separators }) => {
    let body = national;
    for (const sep of separators) {
      const at = Math.floor(body.length / 2);
      body = `${body.slice(0, at)}${sep}${body.slice(at)}`;
    }
    return { country, code, national, raw: `${prefix}${code}${prefix === '(+' && afterCode !== ') ' ? ')' : ''}${afterCode}${body}` };
  });

function library(raw: string): { e164: string; type: string | undefined } | null {
  const parsed = parsePhoneNumberFromString(raw, 'IT');
  return parsed !== undefined && parsed.isValid() ? { e164: parsed.number, type: parsed.getType() } : null;
}

describe('the foreign fast path', () => {
  it('reads the metadata of every compiled country', () => {
    expect(foreignFastPathEnabled).toBe(true);
    expect(countries).toEqual(expect.arrayContaining(['GB', 'GG', 'IM', 'JE', 'FI', 'AX', 'IT', 'VA', 'SM', 'CH', 'DE', 'FR']));
  });

  it.each([
    ['+44 20 7946 0958', '+442079460958'],
    ['0044 20 7946 0958', '+442079460958'],
    ['+33 1 42 68 53 00', '+33142685300'],
    ['+41 44 668 18 00', '+41446681800'],
    ['+49 30 1234567', '+49301234567'],
    ['+378 0549 123456', '+3780549123456'],
    ['+39 06 698 12345', '+390669812345'], // the Vatican's own numbers, on +39
    ['+358 18 12345', '+3581812345'], // Åland, on Finland's +358
    ['+34 612 34 56 78', '+34612345678'],
    ['+43 664 1234567', '+436641234567'],
  ])('answers %j without the library: %s', (raw, e164) => {
    // Prepare / Act
    const fast = fastItalianPhone(raw);
    // Assess
    expect(fast).toBe(e164);
    expect(referencePhone(raw)).toBe(e164);
  });

  it.each([['+44 (0)20 7946 0958'], ['+1 212 555 1234'], ['0000 44 20 7946 0958'], ['+81 3 1234 5678']])(
    'leaves %j to the library (a national prefix after the code, a country not compiled)',
    (raw) => {
      expect(fastItalianPhone(raw)).toBeUndefined();
    },
  );

  it('gives the E.164 and validity libphonenumber-js gives, for every number of those countries', () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(written, ({ raw }) => {
        runs++;
        const fast = fastItalianPhone(raw);
        if (fast !== undefined) answered++;
        expect(normalizePhone(raw)).toBe(expectedPhone(raw));
        if (fast !== undefined) expect(fast).toBe(referencePhone(raw));
      }),
      { numRuns: 1000 },
    );
    // Most of them are answered by the fast path, not the library.
    expect(answered / runs).toBeGreaterThan(0.6);
  });

  it('gives the number type libphonenumber-js gives', () => {
    fc.assert(
      fc.property(written, ({ code, national }) => {
        const raw = `+${code}${national}`;
        expect(callingCodeOf(`${code}${national}`)).toBe(code);
        const fast = foreignNumber(code, national);
        if (fast === undefined) return;
        const reference = library(raw);
        if (fast === null) expect(reference).toBeNull();
        else expect(reference).toEqual({ e164: fast.e164, type: fast.type });
      }),
      { numRuns: 1000 },
    );
  });

  it('answers a number whose national part does not start with its national prefix, for every compiled country', () => {
    fc.assert(
      fc.property(written, ({ code, national }) => {
        const main = json.countries[json.country_calling_codes[code]![0]!]!;
        const prefix = (main[7] || main[5]) as string | 0 | undefined;
        fc.pre(!prefix || !new RegExp(`^(?:${prefix})`).test(national));
        expect(foreignNumber(code, national)).not.toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});
