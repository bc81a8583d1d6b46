import { describe, expect, it } from 'vitest';
import { translate } from '../../../web/src/i18n.js';
import { demoUserLabel } from '../../../web/src/views/sign-in.js';

/** The local sign-in page names its demo users in the reader's language, with their company. */
describe('demoUserLabel', () => {
  const italian = { t: (key: Parameters<typeof translate>[1]) => translate('it', key) };
  const english = { t: (key: Parameters<typeof translate>[1]) => translate('en', key) };

  it('writes the role in the reader’s language beside the company', () => {
    const acme = { label: 'committente of Acme Energia S.p.A.', role: 'committente', name: 'Acme Energia S.p.A.', token: 't' };
    expect(demoUserLabel(italian, acme)).toBe('committente · Acme Energia S.p.A.');
    expect(demoUserLabel(italian, { label: 'call center Contact Napoli S.r.l.', role: 'callcenter', name: 'Contact Napoli S.r.l.', token: 't' })).toBe(
      'call center · Contact Napoli S.r.l.',
    );
    expect(demoUserLabel(italian, { label: 'compliance officer', role: 'compliance', token: 't' })).toBe('responsabile della conformità');
    expect(demoUserLabel(english, { label: 'compliance officer', role: 'compliance', token: 't' })).toBe('compliance officer');
  });

  it("keeps the server's label for a user it cannot name", () => {
    expect(demoUserLabel(italian, { label: 'committente of X', role: 'committente', token: 't' })).toBe('committente of X');
  });
});
