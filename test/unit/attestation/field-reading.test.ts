import { describe, expect, it } from 'vitest';
import { parseAttestationText, parseDate } from '../../../shared/attestation/fields.js';

/** How people and scanners write the form's values (docs/attestation-format.md): wrapped fingerprints, dates in words. */
const HASH = 'a3f1c9e0b7d24c6f8e5a1b3c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c3d5e';

describe('a 64-hex fingerprint wrapped over lines', () => {
  it.each([
    ['same line, then the rest', `Impronta SHA-256 della lista: ${HASH.slice(0, 32)}\n${HASH.slice(32)}\nNumero di contatti: 12`],
    ['next line, in three pieces', `List SHA-256\n${HASH.slice(0, 20)}\n${HASH.slice(20, 44).toUpperCase()}\n\n${HASH.slice(44)}\nNumero di contatti: 12`],
    ['grouped in fours', `Impronta SHA-256 della lista: ${HASH.slice(0, 40).replace(/(.{4})/g, '$1 ')}\n${HASH.slice(40).replace(/(.{4})/g, '$1 ')}`],
  ])('is joined: %s', (_name, text) => {
    const fields = parseAttestationText(text, 'text-layer');
    expect(fields.listSha256?.value).toBe(HASH);
  });

  it('is not joined with a following label, nor past 64 digits', () => {
    const cut = parseAttestationText(`Impronta SHA-256 della lista: ${HASH.slice(0, 32)}\nNumero di contatti: 12`, 'text-layer');
    expect(cut.listSha256?.value).toBeNull();
    expect(cut.rowCount?.value).toBe(12);
    const tooLong = parseAttestationText(`Impronta SHA-256 della lista: ${HASH.slice(0, 32)}\n${HASH.slice(32)}ab`, 'text-layer');
    expect(tooLong.listSha256?.value).toBeNull();
  });
});

describe('dates written in words', () => {
  it.each([
    ['3 novembre 2026', '2026-11-03'],
    ['03 Novembre 2026', '2026-11-03'],
    ['1° marzo 2026', '2026-03-01'],
    ['31 DICEMBRE 2025', '2025-12-31'],
  ])('%s -> %s', (raw, iso) => {
    expect(parseDate(raw)).toBe(iso);
  });

  it.each([['31 febbraio 2026'], ['3 november 2026'], ['3 novembre']])('%s is not a date', (raw) => {
    expect(parseDate(raw)).toBeNull();
  });

  it('in the RPO check, the period and the place and date', () => {
    const fields = parseAttestationText(
      'Data ultima verifica RPO: 2 novembre 2026\nPeriodo di raccolta: dal 1 gennaio 2026 al 30 settembre 2026\nLuogo e data: Milano, 3 novembre 2026',
      'text-layer',
    );
    expect(fields.rpoCheckDate?.value).toBe('2026-11-02');
    expect(fields.collectionPeriod?.value).toEqual({ from: '2026-01-01', to: '2026-09-30' });
    expect(fields.placeAndDate?.value).toEqual({ place: 'Milano', date: '2026-11-03' });
  });
});
