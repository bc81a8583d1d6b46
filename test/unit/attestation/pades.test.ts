import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastObjectStart, locatePadesSignature } from '../../../shared/attestation/pades.js';

/** What lastObjectStart replaced: the same search as a regular expression run forward over the window. */
function byRegExp(raw: string, before: number): number {
  const re = /\d+\s+\d+\s+obj\b/g;
  re.lastIndex = Math.max(0, before - 64 * 1024);
  let start = re.lastIndex;
  let match: RegExpExecArray | null;
  while ((match = re.exec(raw)) !== null && match.index < before) start = match.index;
  return start;
}

describe('lastObjectStart (the "N G obj" header of the signature dictionary)', () => {
  it('finds the header of the object the offset is in', () => {
    const raw = '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n12 0 obj\n<< /Type /Sig /ByteRange [0 1 2 3] >>\nendobj\n';
    expect(lastObjectStart(raw, raw.indexOf('/ByteRange'))).toBe(raw.indexOf('12 0 obj'));
    expect(lastObjectStart(raw, raw.indexOf('/Catalog'))).toBe(raw.indexOf('1 0 obj'));
  });

  it('skips "obj" that is not a header: inside a word, or not after two numbers', () => {
    const raw = '7 0 obj\n<< /A (3 4 objective) /B (x obj) /C (5 obj) /ByteRange [0 1 2 3] >>';
    expect(lastObjectStart(raw, raw.indexOf('/ByteRange'))).toBe(0);
  });

  it('starts at the window floor when no header is within 64 KiB', () => {
    const raw = `1 0 obj\n${' '.repeat(70_000)}/ByteRange`;
    expect(lastObjectStart(raw, raw.indexOf('/ByteRange'))).toBe(raw.indexOf('/ByteRange') - 64 * 1024);
  });

  it('agrees with the regular expression it replaced, for any text before and after the /ByteRange key', () => {
    const token = fc.constantFrom('0', '1', '42', ' ', '\n', '\r\n', '\t', 'obj', 'obja', 'endobj', '<', '/', 'x', '\u00a0');
    const text = fc.array(token, { maxLength: 40 }).map((t) => t.join(''));
    fc.assert(
      fc.property(text, text, (head, tail) => {
        const raw = `${head}/ByteRange${tail}`;
        expect(lastObjectStart(raw, head.length)).toBe(byRegExp(raw, head.length));
      }),
      { numRuns: 3000 },
    );
  });

  it('stays linear on a signature placeholder of zeros', () => {
    // 64 KiB of digits before the dictionary: the regular expression backtracked quadratically over them.
    const raw = `5 0 obj\n<< /Contents <${'0'.repeat(60_000)}> /ByteRange [0 1 2 3] >>`;
    expect(lastObjectStart(raw, raw.indexOf('/ByteRange'))).toBe(0);
  });
});

describe('locatePadesSignature with /Contents before /ByteRange', () => {
  /** A signature dictionary whose placeholder of `hexLength` digits comes before its /ByteRange, as Microsec writes it. */
  function dictionary(hexLength: number): { file: Uint8Array; start: number; end: number } {
    const head = '%PDF-1.7\n9 0 obj\n<< /Type /Sig /SubFilter /ETSI.CAdES.detached /Contents ';
    const contents = `<${'3003020100'.padEnd(hexLength, '0')}>`;
    const start = head.length;
    const end = start + contents.length;
    const tail = (n: string) => ` /ByteRange [0 ${start} ${end} ${n}] >>\nendobj\n%%EOF\n`;
    // The last range runs to the end of the file: its length depends on its own digits, so settle it twice.
    let length = tail('0').length;
    length = tail(String(length)).length;
    return { file: new TextEncoder().encode(head + contents + tail(String(length))), start, end };
  }

  it.each([2_000, 140_000])('reads the CMS and its place from a %i-digit placeholder (past the 64 KiB header reach)', (hexLength) => {
    const { file, start, end } = dictionary(hexLength);
    const evidence = locatePadesSignature(file)!;
    expect(evidence.signatures).toHaveLength(1);
    const [field] = evidence.signatures!;
    expect(field!.problem).toBeUndefined();
    expect(field!.contents).toEqual({ start, end });
    expect(Buffer.from(field!.cms).toString('hex')).toBe('3003020100');
    expect(field!.subFilter).toBe('ETSI.CAdES.detached');
    expect(field!.byteRange).toEqual([0, start, end, file.length - end]);
  });
});
