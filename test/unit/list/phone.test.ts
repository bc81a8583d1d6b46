import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { fastItalianPhone, normalizePhone, phoneCellText, phoneFastPathEnabled, referencePhone } from '../../../shared/list/phone.js';

/** The library's answer on the cell as normalizePhone reads it (spreadsheet wrapping off, floats refused). */
const expectedPhone = (raw: string): string | null => {
  const cell = phoneCellText(raw);
  return cell === null ? null : referencePhone(cell);
};

describe('normalizePhone', () => {
  it.each([
    ['+39 347 123 4567', '+393471234567'],
    ['+393471234567', '+393471234567'],
    ['0039 347 123 4567', '+393471234567'],
    ['347-123-4567', '+393471234567'],
    ['347.123.4567', '+393471234567'],
    ['(347) 1234567', '+393471234567'],
    ['393471234567', '+393471234567'],
    ['3931234567', '+393931234567'], // a 393 mobile, not 39 + 31234567
    ['(02) 1234 5678', '+390212345678'],
    ['02.1234.5678', '+390212345678'],
    ['02-12345678', '+390212345678'],
    ['+39 (0)2 1234 5678', '+390212345678'],
    ['06 1234567', '+39061234567'],
    [' 0039-06-1234567 ', '+39061234567'],
    ['+44 20 7946 0958', '+442079460958'],
    ['0044 20 7946 0958', '+442079460958'],
    ['+33 1 42 68 53 00', '+33142685300'],
    ['Tel. 347 1234567', '+393471234567'],
    ['347 123 4567 ext. 12', '+393471234567'],
  ])('reads %j as %s', (raw, e164) => {
    // Prepare / Act
    const got = normalizePhone(raw);
    // Assess
    expect(got).toBe(e164);
    expect(got).toBe(referencePhone(raw));
  });

  it.each([[''], ['   '], ['abc'], ['12'], ['347'], ['1234567890123456789'], ['+39'], ['0039'], ['+39 347 12'], ['++39 347 123 4567'], ['00 00 00']])(
    'rejects %j',
    (raw) => {
      expect(normalizePhone(raw)).toBeNull();
      expect(referencePhone(raw)).toBeNull();
    },
  );

  it('has its fast path on, and answers the common Italian notations without falling back', () => {
    expect(phoneFastPathEnabled).toBe(true);
    for (const raw of ['+39 347 123 4567', '0039 347 1234567', '347-123-4567', '(02) 1234 5678', '02.1234.5678', '12'])
      expect(fastItalianPhone(raw)).not.toBeUndefined();
    expect(fastItalianPhone('+1 212 555 1234')).toBeUndefined(); // a country the fast path does not compile
  });
});

/** Strings people might type for an Italian number: prefixes, separators, lengths 4..16. */
const italianish = fc
  .tuple(
    fc.constantFrom('', '', '+39', '0039', '39', '+', '00', '+390', '0', '3', '+44', '0044', '(0)', '+39 (0)'),
    fc.array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '3', '0'), { minLength: 4, maxLength: 16 }),
    fc.array(fc.constantFrom(' ', '-', '.', '(', ')', '', '', '', '/', '\u00a0', 'x', '+'), { minLength: 0, maxLength: 17 }),
    fc.constantFrom('', ' ', '-', '(', ' )'),
    fc.constantFrom('', ' ', ')', '.', ' x12', '#'),
  )
  .map(([prefix, digits, seps, lead, trail]) => {
    let s = lead + prefix;
    digits.forEach((d, i) => {
      s += d + (seps[i] ?? '');
    });
    return s + trail;
  });

/** Plausible valid Italian numbers: mobile 3xx and landline 0x with realistic lengths, in common notations. */
const italianNumber = fc
  .tuple(
    fc.oneof(
      fc.tuple(fc.constantFrom('3'), fc.stringMatching(/^[0-9]{8,10}$/)).map(([a, b]) => a + b),
      fc.tuple(fc.constantFrom('0'), fc.stringMatching(/^[0-9]{5,10}$/)).map(([a, b]) => a + b),
    ),
    fc.constantFrom('', '+39', '+39 ', '0039', '0039 ', '39'),
    fc.constantFrom('', ' ', '-', '.'),
  )
  .map(([national, prefix, sep]) => prefix + national.replace(/(\d{3})(?=\d)/g, `$1${sep}`));

describe('the phone fast path equals libphonenumber-js', () => {
  it('on generated Italian-ish strings', () => {
    fc.assert(
      fc.property(italianish, (raw) => normalizePhone(raw) === expectedPhone(raw)),
      { numRuns: 10_000 },
    );
  });

  it('on plausible Italian numbers', () => {
    fc.assert(
      fc.property(italianNumber, (raw) => normalizePhone(raw) === expectedPhone(raw)),
      { numRuns: 4_000 },
    );
  });

  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })),
        (raw) => normalizePhone(raw) === expectedPhone(raw),
      ),
      { numRuns: 4_000 },
    );
  });
});
