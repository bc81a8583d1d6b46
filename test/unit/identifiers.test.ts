import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codiceFiscaleCheckChar,
  decodeOmocodia,
  isValidCodiceFiscale,
  isValidPartitaIva,
} from '../../shared/identifiers.js';

describe('Partita IVA', () => {
  it.each([
    ['01234567897', true],
    ['IT01234567897', true],
    ['it 0123 4567 897', true],
    ['00743110157', true], // a real company's published VAT number
    ['01234567890', false],
    ['0123456789', false],
    ['012345678977', false],
    ['ABCDEFGHIJK', false],
    ['', false],
  ])('%s -> %s', (vat, valid) => {
    expect(isValidPartitaIva(vat)).toBe(valid);
  });

  it('catches every single-digit change of a valid number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const vat = '01234567897'.split('');
        vat[pos] = String((Number(vat[pos]) + delta) % 10);
        expect(isValidPartitaIva(vat.join(''))).toBe(false);
      }),
    );
  });
});

describe('codice fiscale', () => {
  it.each([
    ['RSSMRA80A01F205X', true],
    ['rssmra80a01f205x', true],
    ['RSSMRA80A01F205Y', false], // wrong check character
    ['RSSMRA80A01F205', false], // too short
    ['RSSMRA80Z01F205X', false], // no month Z
    ['RSSMRA80A99F205X', false], // no day 99
  ])('%s -> %s', (cf, valid) => {
    expect(isValidCodiceFiscale(cf)).toBe(valid);
  });

  it('accepts omocodic codes (digits replaced by L..V from the right) with their own check character', () => {
    // Prepare: replace the last digit of the cadastral code, 5 -> R, and recompute the check character.
    const first15 = 'RSSMRA80A01F20R';
    const code = first15 + codiceFiscaleCheckChar(first15);
    // Act / Assess
    expect(isValidCodiceFiscale(code)).toBe(true);
    expect(decodeOmocodia(code).slice(0, 15)).toBe('RSSMRA80A01F205');
    expect(isValidCodiceFiscale(first15 + 'A')).toBe(code.endsWith('A'));
  });

  it('a woman\'s day of birth (+40) is valid', () => {
    const first15 = 'BNCLRA85M41H501';
    expect(isValidCodiceFiscale(first15 + codiceFiscaleCheckChar(first15))).toBe(true);
  });
});
