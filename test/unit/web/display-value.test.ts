import { describe, expect, it } from 'vitest';
import { displayValue } from '../../../web/src/views/intake.js';

/** The console shows each interpreted field as the form writes it, not as the API's JSON shape. */
describe('displayValue', () => {
  const it_ = { yes: 'sì', no: 'no' };

  it('writes dates, the collection period and place and date as the form does', () => {
    expect(displayValue('2026-11-28', it_)).toBe('28/11/2026');
    expect(displayValue({ from: '2026-01-01', to: '2026-11-27' }, it_)).toBe('01/01/2026 – 27/11/2026');
    expect(displayValue({ date: '2026-11-29', place: 'Milano' }, it_)).toBe('Milano, 29/11/2026');
  });

  it('answers the transfer declaration in the reader’s language, with its details', () => {
    expect(displayValue({ declared: false }, it_)).toBe('no');
    expect(displayValue({ declared: true, details: 'Albania, call center di backup' }, it_)).toBe('sì: Albania, call center di backup');
    expect(displayValue({ declared: true }, { yes: 'yes', no: 'no' })).toBe('yes');
  });

  it('leaves text, numbers and unknown shapes readable', () => {
    expect(displayValue('consent', it_)).toBe('consent');
    expect(displayValue(80, it_)).toBe('80');
    expect(displayValue(null, it_)).toBe('—');
    expect(displayValue({ a: 1, b: '2026-01-02' }, it_)).toBe('a: 1, b: 02/01/2026');
  });
});
