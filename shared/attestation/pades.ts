import { derElementLength } from '../signature/cms.js';
import type { PadesEvidence, PadesSignatureField } from '../signature/model.js';
import { latin1 } from './sniff.js';

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

/**
 * Finds every signature dictionary of the PDF (/ByteRange + /Contents) in the raw bytes, in file order: signatures
 * and RFC 3161 document timestamps alike (docs/verdict-rules.md: every signature counts). Signature dictionaries are
 * never compressed: their /Contents must be patched into the file in place, which is what makes this scan reliable.
 * The evidence's top-level fields are the last dictionary's.
 */
export function locatePadesSignature(file: Uint8Array): PadesEvidence | null {
  const raw = latin1(file);
  const matches = [...raw.matchAll(BYTE_RANGE)];
  if (matches.length === 0) return null;
  const signatures = matches.map((match) => readSignatureField(raw, file, match));
  const last = signatures.at(-1)!;
  return {
    type: 'PAdES',
    ...last,
    file,
    fileLength: file.length,
    signatureCount: signatures.length,
    signatures,
  };
}

function readSignatureField(raw: string, file: Uint8Array, match: RegExpMatchArray): PadesSignatureField {
  const field: PadesSignatureField = {
    cms: new Uint8Array(0),
    byteRange: match.slice(1, 5).map(Number),
    contents: null,
    kind: 'signature',
  };
  // The dictionary's object: from its "N G obj" to "endobj". /Contents may come before /ByteRange, and a large
  // placeholder (Microsec's and others' hold 64 KB of hex and more) pushes the header past the usual reach: reach back
  // past the gap the byte range names. The header found is still the nearest one before /ByteRange.
  const at = match.index!;
  const gapStart = Number(match[1]) + Number(match[2]);
  const objStart = lastObjectStart(raw, at, gapStart < at ? Math.max(HEADER_REACH, at - gapStart + HEADER_REACH) : HEADER_REACH);
  const objEndIndex = raw.indexOf('endobj', at);
  const object = raw.slice(objStart, objEndIndex < 0 ? raw.length : objEndIndex);
  const subFilter = /\/SubFilter\s*\/([^\s/<>[\]()]+)/.exec(object)?.[1];
  if (subFilter) field.subFilter = subFilter;
  if (/\/Type\s*\/DocTimeStamp\b/.test(object) || subFilter === 'ETSI.RFC3161') field.kind = 'document-timestamp';
  const claimed = /\/M\s*\(([^)]*)\)/.exec(object)?.[1];
  const claimedTime = claimed === undefined ? null : pdfDate(claimed);
  if (claimedTime) field.claimedTime = claimedTime;
  const contents = /\/Contents\s*<([0-9A-Fa-f\s]*)>/.exec(object);
  if (!contents) {
    field.problem = 'The signature dictionary has no /Contents hex string: there is no signature to check.';
    field.problemIt = 'Il dizionario di firma non ha una stringa esadecimale /Contents: non c’è alcuna firma da verificare.';
    return field;
  }
  const start = objStart + contents.index + contents[0].indexOf('<');
  field.contents = { start, end: objStart + contents.index + contents[0].length };
  const hex = contents[1]!.replace(/\s+/g, '');
  if (hex.length % 2 !== 0) {
    field.problem = 'The signature’s /Contents is not a whole number of bytes.';
    field.problemIt = 'Il /Contents della firma non è un numero intero di byte.';
    return field;
  }
  const padded = new Uint8Array(Buffer.from(hex, 'hex'));
  // /Contents is a fixed-size placeholder: the CMS is followed by zero padding. Keep only the first DER element,
  // found from its header (parsing a long-term signature whole here would spend the parser's bounds twice).
  const length = derElementLength(padded);
  if (length <= 0 || padded.every((b) => b === 0)) {
    field.problem = 'The signature’s /Contents does not hold a CMS structure (empty or unreadable).';
    field.problemIt = 'Il /Contents della firma non contiene una struttura CMS (vuoto o illeggibile).';
    return field;
  }
  field.cms = padded.slice(0, length);
  return field;
}

/**
 * A PDF date (ISO 32000-1 7.9.4: `D:YYYYMMDDHHmmSSOHH'mm'`, everything after the year optional, no offset meaning
 * UTC as signing tools write it) as ISO 8601; null when it is not one.
 */
export function pdfDate(text: string): string | null {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?\s*$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', , sign, oh = '00', om = '00'] = m;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offset * 60_000;
  const date = new Date(utc);
  // Out-of-range parts (month 13, hour 25) roll over in Date.UTC: refuse them instead.
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** How far back the "N G obj" header of a signature dictionary is looked for, unless its byte range says further. */
const HEADER_REACH = 64 * 1024;

/**
 * Offset of the last "N G obj" header before the dictionary key at `before` (searched within `reach` characters:
 * headers are near).
 *
 * Walks back from each "obj" instead of running /\d+\s+\d+\s+obj\b/ forward over the window: the window often
 * holds a signature placeholder of thousands of zeros, and a regular expression starting at each digit of such a run
 * backtracks over the rest of it (quadratic: seconds of CPU per signature, and a cheap way for a crafted file to
 * stall the verifier).
 */
export function lastObjectStart(raw: string, before: number, reach = HEADER_REACH): number {
  const floor = Math.max(0, before - reach);
  // lastIndexOf reads a negative position as 0: stop at the start of the text instead of finding the same "obj" again.
  for (let at = before > 0 ? raw.lastIndexOf('obj', before - 1) : -1; at >= floor; at = at > 0 ? raw.lastIndexOf('obj', at - 1) : -1) {
    const start = headerStartEndingAt(raw, at, floor);
    if (start !== -1) return start;
  }
  return floor;
}

/** Where "N G " begins if it comes right before the "obj" at `at` (and "obj" ends a word), else -1. */
function headerStartEndingAt(raw: string, at: number, floor: number): number {
  if (/\w/.test(raw.charAt(at + 3))) return -1;
  let i = at - 1;
  for (const part of [isSpace, isDigit, isSpace, isDigit]) {
    const end = i;
    while (i >= floor && part(raw.charCodeAt(i))) i--;
    if (i === end) return -1;
  }
  return i + 1;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** What \s matches in the Latin-1 range the raw PDF is decoded to. */
const isSpace = (c: number) => (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;
