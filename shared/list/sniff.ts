import { createListDecoder, isValidUtf8 } from './decode.js';
import type { Delimiter, ListEncoding } from './model.js';

/**
 * Encoding and delimiter sniffing (docs/list-format.md). Encodings: UTF-8 with or without BOM, UTF-16 LE/BE with
 * BOM, otherwise Windows-1252 (bytes that are not valid UTF-8). NUL characters, or more than 1% of other control
 * characters, mean the file is not text at all.
 */

function isSuspiciousControl(c: number): boolean {
  // TAB LF VT FF CR are text; SUB (0x1A) ends old DOS files; ESC is rare but harmless.
  return (c < 0x20 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13 && c !== 0x1a && c !== 0x1b) || c === 0x7f;
}

/** Whether decoded text looks like binary data rather than a CSV. */
export function looksBinary(text: string): boolean {
  if (text.indexOf('\u0000') >= 0) return true;
  let controls = 0;
  for (let i = 0; i < text.length; i++) if (isSuspiciousControl(text.charCodeAt(i))) controls++;
  return controls * 100 > text.length;
}

export function encodingFromBom(head: Uint8Array): ListEncoding | null {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/** The encoding of a list from its first bytes (the engine passes the first 64 KiB), or 'binary'. */
export function sniffEncoding(head: Uint8Array): ListEncoding | 'binary' {
  const encoding = encodingFromBom(head) ?? (isValidUtf8(head) ? 'utf-8' : 'windows-1252');
  const decoder = createListDecoder(encoding);
  const text = decoder.decode(head);
  return looksBinary(text) ? 'binary' : encoding;
}

const CANDIDATES: readonly Delimiter[] = [';', ',', '\t', '|'];
const MAX_SNIFF_RECORDS = 50;

/**
 * Counts each candidate outside quotes, record by record (a quoted field may span lines), over the first records of
 * the sample. The last record is dropped when the sample does not end with a newline, since it may be cut.
 */
function countPerRecord(sample: string): number[][] {
  const records: number[][] = [];
  let counts = [0, 0, 0, 0];
  let inQuotes = false;
  let nonEmpty = false;
  for (let i = 0; i < sample.length && records.length < MAX_SNIFF_RECORDS; i++) {
    const c = sample.charCodeAt(i);
    if (c === 34 /* " */) {
      inQuotes = !inQuotes; // "" inside a quoted field toggles twice: no effect
      nonEmpty = true;
    } else if (inQuotes) {
      continue;
    } else if (c === 10 || c === 13) {
      if (nonEmpty) records.push(counts);
      counts = [0, 0, 0, 0];
      nonEmpty = false;
    } else {
      const k = c === 59 ? 0 : c === 44 ? 1 : c === 9 ? 2 : c === 124 ? 3 : -1;
      if (k >= 0) counts[k]!++;
      if (c !== 32) nonEmpty = true;
    }
  }
  if (nonEmpty && records.length < MAX_SNIFF_RECORDS && !inQuotes) records.push(counts);
  return records;
}

/**
 * The delimiter among ; , TAB | that the header uses and the following records use consistently (same count as the
 * header), or null when no candidate appears in the header. Ties go to the more consistent, then the more frequent,
 * then in the order ; , TAB | (Italian Excel writes ';').
 */
export function sniffDelimiter(sampleText: string): Delimiter | null {
  const endsCleanly = /[\r\n]$/.test(sampleText);
  let records = countPerRecord(sampleText);
  if (!endsCleanly && records.length > 2) records = records.slice(0, -1);
  const header = records[0];
  if (header === undefined) return null;
  let best: Delimiter | null = null;
  let bestConsistency = -1;
  let bestCount = 0;
  for (let k = 0; k < CANDIDATES.length; k++) {
    const inHeader = header[k]!;
    if (inHeader === 0) continue;
    let same = 0;
    for (const r of records) if (r[k] === inHeader) same++;
    const consistency = same / records.length;
    if (consistency > bestConsistency || (consistency === bestConsistency && inHeader > bestCount)) {
      best = CANDIDATES[k]!;
      bestConsistency = consistency;
      bestCount = inHeader;
    }
  }
  return best;
}
