import { describe, expect, it } from 'vitest';
import { catalogue } from '../../../shared/verdict/catalogue.js';
import { adviceFor, findingAdvice } from '../../../web/src/finding-advice.js';

describe('what to do about each finding (console)', () => {
  it('has advice in Italian and English for every code of the catalogue, and for no other code', () => {
    expect(Object.keys(findingAdvice).sort()).toEqual(Object.keys(catalogue).sort());
    for (const [code, advice] of Object.entries(findingAdvice)) {
      expect(advice.it.trim().length, `${code} it`).toBeGreaterThan(10);
      expect(advice.en.trim().length, `${code} en`).toBeGreaterThan(10);
      expect(advice.it, `${code}: the two languages are translations, not copies`).not.toBe(advice.en);
    }
  });

  it('looks advice up by code and language; an unknown code has none', () => {
    expect(adviceFor('list_hash_mismatch', 'it')).toContain('dichiarazione precompilata');
    expect(adviceFor('list_hash_mismatch', 'en')).toContain('pre-filled attestation');
    expect(adviceFor('no_such_code', 'it')).toBeUndefined();
  });
});
