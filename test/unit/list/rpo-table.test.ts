import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { e164Key } from '../../../shared/list/e164-table.js';
import { RpoTable } from '../../../shared/list/rpo.js';

describe('RpoTable behind its bit filter', () => {
  it('answers as a plain map of the numbers listed, through the filter regrowing past 4,096 numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 3200000000, max: 3999999999 }), { minLength: 5000, maxLength: 6000 }), fc.array(fc.integer({ min: 3200000000, max: 3999999999 }), { maxLength: 500 }), (listed, asked) => {
        // Prepare
        const table = new RpoTable();
        const map = new Map<string, number>();
        listed.forEach((n, i) => {
          const e164 = `+39${n}`;
          const day = i % 3 === 0 ? null : 20240000 + (i % 12) * 100 + 101;
          table.add(e164, day);
          const before = map.get(e164);
          map.set(e164, before === 0 || day === null ? 0 : Math.max(before ?? 0, day));
        });
        // Assess: every listed number is found with its date, and an unlisted one is not
        for (const n of [...listed.slice(0, 300), ...asked]) {
          const e164 = `+39${n}`;
          expect(table.opposedOnKey(e164)).toBe(map.get(e164) ?? -1);
          expect(table.opposedOnE164Key(e164Key(e164))).toBe(map.get(e164) ?? -1);
        }
      }),
      { numRuns: 5 },
    );
  });
});
