import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { neutraliseCell } from '../../../shared/list/neutralise.js';

const FORMULA_START = ['=', '+', '-', '@', '\t', '\r'];

describe('neutraliseCell', () => {
  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+39 347', `'+39 347`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tcmd', `'\tcmd`],
    ['\rcmd', `'\rcmd`],
    ['Mario', 'Mario'],
    ['', ''],
    [`'=already`, `'=already`],
    [' =x', ' =x'],
  ])('turns %j into %j', (cell, expected) => {
    expect(neutraliseCell(cell)).toBe(expected);
  });

  it('never leaves a cell starting with a formula character, changes a cell only by a leading apostrophe, and is idempotent', () => {
    const cell = fc.oneof(
      fc.string(),
      fc.tuple(fc.constantFrom(...FORMULA_START), fc.string()).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(cell, (c) => {
        const out = neutraliseCell(c);
        return (
          !FORMULA_START.includes(out.charAt(0)) &&
          (out === c || out === `'${c}`) &&
          out !== c === FORMULA_START.includes(c.charAt(0)) &&
          neutraliseCell(out) === out
        );
      }),
      { numRuns: 3_000 },
    );
  });
});
