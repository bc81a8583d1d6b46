import fc from 'fast-check';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import { describe, expect, it } from 'vitest';
import { linesFromItems } from '../../../shared/attestation/pdf-text.js';

/**
 * Line grouping in O(n log n) must give exactly what the scan of every open line gave. The scan is kept here, as it
 * was, as the reference.
 */
function linesFromItemsByScan(items: TextItem[]): string[] {
  const SAME_LINE_TOLERANCE = 0.5;
  const placed = items
    .filter((item) => item.str !== '')
    .map((item) => ({
      str: item.str,
      x: item.transform[4] as number,
      y: item.transform[5] as number,
      width: item.width,
      size: Math.max(1, Math.hypot(item.transform[2] as number, item.transform[3] as number)),
    }));
  placed.sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: (typeof placed)[] = [];
  for (const item of placed) {
    const line = lines.find((l) => Math.abs(l[0]!.y - item.y) <= SAME_LINE_TOLERANCE * Math.min(l[0]!.size, item.size));
    if (line) line.push(item);
    else lines.push([item]);
  }
  lines.sort((a, b) => b[0]!.y - a[0]!.y);
  return lines.map((line) => {
    line.sort((a, b) => a.x - b.x);
    let out = '';
    let end = -Infinity;
    for (const item of line) {
      const gap = item.x - end;
      if (out !== '' && gap > item.size * 0.15 && !out.endsWith(' ') && !item.str.startsWith(' ')) out += ' ';
      out += item.str;
      end = item.x + item.width;
    }
    return out.replace(/\s+/g, ' ').trim();
  });
}

function item(str: string, x: number, y: number, size: number, width = str.length * size * 0.5, skew = 0): TextItem {
  return { str, dir: 'ltr', width, height: size, transform: [size, 0, skew, size, x, y], fontName: 'f', hasEOL: false };
}

/** Baselines on a coarse grid with jitter, so that lines merge, nearly merge and interleave; sizes from tiny to huge. */
const items = fc.array(
  fc
    .record({
      str: fc.oneof(fc.constantFrom('', ' ', 'a', 'Partita IVA:', ' x', 'y '), fc.string({ maxLength: 6 })),
      x: fc.oneof(fc.integer({ min: -50, max: 600 }), fc.double({ min: -50, max: 600, noNaN: true })),
      row: fc.integer({ min: 0, max: 40 }),
      jitter: fc.oneof(fc.constant(0), fc.double({ min: -8, max: 8, noNaN: true }), fc.constantFrom(0.25, -0.25, 0.5, 2.5, -2.5, 5, 1e-12)),
      size: fc.oneof(fc.constantFrom(0.1, 1, 5, 10, 12, 40), fc.double({ min: 0, max: 60, noNaN: true })),
      skew: fc.oneof(fc.constant(0), fc.double({ min: -5, max: 5, noNaN: true })),
    })
    .map((r) => item(r.str, r.x, 800 - r.row * 10 + r.jitter, r.size, undefined, r.skew)),
  { maxLength: 300 },
);

describe('linesFromItems', () => {
  it('gives the same lines as the scan of every open line (property)', () => {
    fc.assert(
      fc.property(items, (list) => {
        expect(linesFromItems(list)).toEqual(linesFromItemsByScan(list));
      }),
      { numRuns: 400 },
    );
  });

  it('the same on the boundaries: baselines exactly half a font size apart, and sizes that differ', () => {
    const list = [
      item('a', 0, 100, 10),
      item('b', 50, 95, 10), // exactly 0.5 x 10 below: same line
      item('c', 0, 94.9, 2), // 5.1 below a, but its own size is 2: a new line
      item('d', 0, 94, 2), // 0.9 below c: within 1 (half of 2)
      item('e', 0, 90, 20), // 10 below a (tolerance min(10, 20)/2 = 5): no; 4.9 below c (min(2, 20)/2 = 1): no
    ];
    expect(linesFromItems(list)).toEqual(linesFromItemsByScan(list));
    expect(linesFromItems(list)).toEqual(['a b', 'cd', 'e']);
  });

  it('80,000 one-item lines are grouped in under 5 s (the scan of every line took 40 s here; the grouping about 0.7 s)', () => {
    const many = Array.from({ length: 80_000 }, (_, i) => item(`riga ${i}`, 10, 1_000_000 - i * 12, 10));
    const started = performance.now();
    const lines = linesFromItems(many);
    const elapsed = performance.now() - started;
    expect(lines).toHaveLength(80_000);
    expect(lines[0]).toBe('riga 0');
    expect(elapsed).toBeLessThan(5_000);
  });
});
