import { describe, expect, it } from 'vitest';
import { catalogue, legalReference } from '../../../shared/verdict/catalogue.js';
import { exclusionReasons } from '../../../shared/list/model.js';
import { intakeStatuses } from '../../../shared/intake/intake.js';
import { en, it as italian, placeholders, translate, type MessageKey } from '../../../web/src/i18n.js';

describe('the console speaks Italian first and English completely', () => {
  it('has an English message for every Italian key, and no English key without an Italian one', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(italian).sort());
  });

  it.each(Object.keys(italian) as MessageKey[])('%s: non-empty in both languages, with the same placeholders', (key) => {
    expect(italian[key].trim()).not.toBe('');
    expect(en[key].trim()).not.toBe('');
    expect(placeholders(en[key])).toEqual(placeholders(italian[key]));
  });

  it('names every intake status and every exclusion reason the API can return', () => {
    for (const status of intakeStatuses) expect(Object.keys(italian)).toContain(`status.${status}`);
    for (const reason of exclusionReasons) expect(Object.keys(italian)).toContain(`reason.${reason}`);
  });

  it('fills placeholders and leaves unknown keys readable', () => {
    expect(translate('it', 'queue.counts', { review: 2, rejected: 1, shown: 3 })).toBe('In revisione: 2 · Respinti: 1 · Mostrati: 3');
    expect(translate('en', 'intake.title', { id: 'FIL-1' })).toBe('Intake FIL-1');
    expect(translate('it', 'status.SOMETHING_NEW' as MessageKey)).toBe('status.SOMETHING_NEW');
  });
});

describe('legal references', () => {
  it('has a reference in both languages for every rule of the catalogue', () => {
    for (const entry of Object.values(catalogue)) {
      expect(entry.rule.it.trim()).not.toBe('');
      expect(entry.rule.en.trim()).not.toBe('');
    }
  });

  it.each(Object.entries(catalogue).map(([code, entry]) => [code, entry.rule.en] as const))(
    '%s cites the same law in Italian as in English',
    (code, rule) => {
      const italianReference = legalReference(code, rule, 'it')!;
      // The instruments named (GDPR, DPR 26/2022, eIDAS, CAD, Codice di condotta...) and their article numbers agree.
      const instruments = (text: string) =>
        [...text.matchAll(/GDPR|DPR 26\/2022|eIDAS|CAD|Codice di condotta telemarketing 2024|PAdES|RFC 5035|DM 23\/12\/1976/g)].map((m) => m[0]).sort();
      expect(instruments(italianReference)).toEqual(instruments(rule));
      // ...and so do the articles, dates and periods they cite.
      const numbers = (text: string) => [...text.matchAll(/\d+/g)].map((m) => m[0]).sort();
      expect(numbers(italianReference)).toEqual(numbers(rule));
    },
  );

  it('falls back to the finding\'s own rule for a code the catalogue does not know; a known code reads the catalogue', () => {
    expect(legalReference('brand_new_rule', 'Some law art. 1', 'it')).toBe('Some law art. 1');
    expect(legalReference('rpo_check_stale', 'recorded long ago', 'en')).toBe(catalogue.rpo_check_stale.rule.en);
    expect(legalReference('rpo_check_stale', 'recorded long ago', 'it')).toMatch(/DPR 26\/2022/);
  });
});
