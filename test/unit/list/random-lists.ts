import { runByteContactList } from '../../../shared/list/byte-engine.js';
import { runContactList, type ContactListOptions } from '../../../shared/list/engine.js';
import type { Delimiter, IsoDate, ListEncoding, ListReport } from '../../../shared/list/model.js';
import { isCallable, normalizePhone } from '../../../shared/list/phone.js';
import { phoneReader } from '../../../shared/list/phone-bytes.js';
import { loadRpoRegister, type RpoRegister } from '../../../shared/list/rpo.js';
import { canEncodeWindows1252, concatBytes, encodeText, encodeWindows1252 } from '../../fixtures/lists.js';
import { prng } from '../../fixtures/prng.js';

/**
 * Random contact lists for the engines' differential tests (byte-engine-differential.test.ts,
 * parallel-engine.test.ts): every encoding, delimiter, quoting, line end and damage the engines must agree on, each
 * a function of a seed, and the runs that record what an engine reports, releases and offers to the consent sample.
 */

/** mulberry32: the list is a function of the seed fast-check draws, so a failure names its seed. */
export { prng };

export type Random = () => number;
export const pick = <T,>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const PHONE_HEADERS = ['telefono', 'Telefono', 'PHONE', ' Cellulare ', 'numero', 'msisdn', 'Tèlefono', 'tel'];
const DATE_HEADERS = ['data_consenso', 'Data consenso', 'consent_date', 'DATA CONSENSO', 'data'];
const OTHER_HEADERS = ['nome', 'cognome', 'email', 'Fonte consenso', 'note', 'città', 'canale', ''];

function italianNational(r: Random): string {
  const mobile = `3${int(r, 20, 99)}${String(int(r, 0, 9999999)).padStart(7, '0')}`;
  const fixed = `0${int(r, 2, 99)}${String(int(r, 0, 99999999)).padStart(int(r, 5, 8), '0')}`;
  return pick(r, [mobile, mobile, mobile, fixed, `800${int(r, 100000, 999999)}`, `899${int(r, 100000, 999999)}`, '0669812345']);
}

function phone(r: Random, seen: string[]): string {
  const k = r();
  if (k < 0.12 && seen.length > 0) return pick(r, seen);
  const n = italianNational(r);
  let p: string;
  if (k < 0.3) p = n;
  else if (k < 0.4) p = `+39 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
  else if (k < 0.45) p = `0039${n}`;
  else if (k < 0.5) p = `39${n}`;
  else if (k < 0.55) p = `${n.slice(0, 3)}-${n.slice(3)}`;
  else if (k < 0.6) p = `(${n.slice(0, 2)}) ${n.slice(2)}`;
  else if (k < 0.63) p = `${n.slice(0, 3)}.${n.slice(3)}`;
  else if (k < 0.66) p = `'${n}`;
  else if (k < 0.68) p = `="${n}"`;
  else if (k < 0.7) p = n.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  else if (k < 0.72) p = `${n}.0`;
  else if (k < 0.73) p = '3,47E+09';
  else if (k < 0.78)
    p = pick(r, ['+44 20 7946 0958', '+33 6 12 34 56 78', '0041 44 668 18 00', '+49 30 123456', '+1 202 555 0143', '+378 0549 123456', '+39 06 698 12345', '+352 621 123 456']);
  else if (k < 0.84) p = pick(r, ['12345', 'abc', '', ' ', '+', '++39 347', '347 123 4567 int. 3', '\u00a0347 123 4567', '347\u00a01234567', '00 39 347 1234567', '0', '+39']);
  else if (k < 0.88) p = ` ${n} `;
  else p = n;
  seen.push(p);
  return p;
}

function date(r: Random): string {
  const y = pick(r, ['2019', '2023', '2024', '2024', '2025']);
  const m = String(int(r, 1, 12)).padStart(pick(r, [1, 2]), '0');
  const d = String(int(r, 1, 31)).padStart(pick(r, [1, 2]), '0');
  const k = r();
  if (k < 0.3) return `${d}/${m}/${y}`;
  if (k < 0.4) return `${d}-${m}-${y}`;
  if (k < 0.45) return `${d}.${m}.${y}`;
  if (k < 0.6) return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  if (k < 0.65) return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}T${pick(r, ['10:00', '23:30:15', '00:15:00.5'])}`;
  if (k < 0.7) return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}${pick(r, ['T23:30:00Z', ' 22:15+01:00', 'T00:30:00-0200', 'T01:00+02'])}`;
  if (k < 0.8) return pick(r, ['', ' ', '\t', 'boh', '31/02/2024', '15/03/24', '2024/03/15', ' 15/03/2024 ', '\t15/03/2024', '15/03/2024\t', '15/3-2024', '１5/03/2024', '15/03/2024 ']);
  return `${d}/${m}/${y}`;
}

function otherCell(r: Random): string {
  return pick(r, [
    '',
    'Mario',
    'Nicolò',
    'L’Aquila €',
    'Zoë 😀',
    '=1+1',
    '+x',
    '-1',
    '@a',
    '\tt',
    'a;b',
    'a,b',
    'a|b',
    'a\tb',
    'say "hi"',
    'line\nbreak',
    'cr\rhere',
    'crlf\r\nhere',
    ' ',
    "Dell'Acqua",
    '\u00a0',
    'x'.repeat(int(r, 10, 60)),
    'ÿ',
    '\u0081\u008d',
  ]);
}

const DELIMITERS: readonly Delimiter[] = [';', ',', '\t', '|'];
const ENCODINGS: readonly ListEncoding[] = ['utf-8', 'utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252'];

function writeCell(r: Random, cell: string, delimiter: string): string {
  const must = cell.includes(delimiter) || cell.includes('"') || cell.includes('\r') || cell.includes('\n');
  const k = r();
  if (must || k < 0.1) {
    const quoted = `"${cell.replace(/"/g, '""')}"`;
    const damage = r();
    if (damage < 0.03) return `${quoted}after`; // text after the closing quote
    if (damage < 0.05) return ` ${quoted}`; // a quote that does not start the field: kept as a character
    return quoted;
  }
  return cell;
}

export interface GeneratedList {
  bytes: Uint8Array;
  description: string;
}

export function generateList(r: Random): GeneratedList {
  const delimiter = pick(r, DELIMITERS);
  let encoding = pick(r, ENCODINGS);
  const columns: string[] = [];
  const width = int(r, 1, 6);
  const phoneAt = r() < 0.95 ? int(r, 0, width - 1) : -1;
  const dateAt = r() < 0.7 ? int(r, 0, width - 1) : -1;
  for (let i = 0; i < width; i++) {
    if (i === phoneAt) columns.push(pick(r, PHONE_HEADERS));
    else if (i === dateAt) columns.push(pick(r, DATE_HEADERS));
    else columns.push(pick(r, OTHER_HEADERS));
  }
  const seen: string[] = [];
  const records: string[][] = [columns];
  const rows = int(r, 0, 30);
  for (let i = 0; i < rows; i++) {
    const k = r();
    if (k < 0.04) {
      records.push(pick(r, [[''], [' '], ['', ''], ['\t', ' ']]));
      continue;
    }
    const cells: string[] = [];
    const count = k < 0.1 ? int(r, 1, width + 2) : width;
    for (let c = 0; c < count; c++) {
      if (c === phoneAt) cells.push(phone(r, seen));
      else if (c === dateAt) cells.push(date(r));
      else cells.push(otherCell(r));
    }
    records.push(cells);
  }
  let text = '';
  if (r() < 0.1) text += `${pick(r, ['sep=', 'SEP=', 'Sep='])}${pick(r, [delimiter, delimiter, ':', ''])}${pick(r, ['\r\n', '\n', '\r'])}`;
  if (r() < 0.05) text += pick(r, ['\r\n', '\n', ' \n']);
  for (const rec of records) {
    text += rec.map((c) => writeCell(r, c, delimiter)).join(delimiter);
    text += pick(r, ['\r\n', '\r\n', '\n', '\r']);
    if (r() < 0.03) text += pick(r, ['\r\n', '\n', '\r', ' \r\n']);
  }
  if (r() < 0.1) text = text.replace(/(\r\n|\n|\r)$/, ''); // no line end after the last record
  if (r() < 0.02) text += `"unclosed${delimiter}field`;
  if (encoding === 'windows-1252' && !canEncodeWindows1252(text)) encoding = 'utf-8';
  let bytes = encoding === 'windows-1252' ? encodeWindows1252(text) : encodeText(text, encoding);
  const damage = r();
  if (damage < 0.06) bytes = insertBytes(r, bytes, pick(r, [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80]]));
  else if (damage < 0.08) bytes = insertBytes(r, bytes, [0]);
  else if (damage < 0.1) bytes = insertBytes(r, bytes, [int(r, 0x80, 0x9f)]);
  else if (damage < 0.11) bytes = insertBytes(r, bytes, [0xef, 0xbb, 0xbf]);
  else if (damage < 0.12) bytes = bytes.subarray(0, Math.max(0, bytes.length - 1)); // cut inside a character
  return { bytes, description: `${encoding} ${JSON.stringify(delimiter)} ${JSON.stringify(text.slice(0, 400))}` };
}

function insertBytes(r: Random, bytes: Uint8Array, insert: number[]): Uint8Array {
  const at = int(r, 0, bytes.length);
  return concatBytes([bytes.subarray(0, at), new Uint8Array(insert), bytes.subarray(at)]);
}

export async function* cut(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const size = sizes[k++ % sizes.length]!;
    yield bytes.slice(at, Math.min(bytes.length, at + size));
    at += size;
  }
}

export interface Recorded {
  report: ListReport;
  output: Uint8Array;
  calls: unknown[];
}

export type Engine = (source: AsyncIterable<Uint8Array>, options: ContactListOptions) => Promise<ListReport>;
/** Today's string engine, as processContactList ran it. */
export const stringEngine: Engine = (source, options) => runContactList(source, options, normalizePhone, isCallable);
/** The byte engine, as processContactList runs it now. */
export const byteEngine: Engine = (source, options) => runByteContactList(source, options, phoneReader);

export async function runWith(
  engine: Engine,
  bytes: Uint8Array,
  sizes: number[],
  options: Omit<ContactListOptions, 'output' | 'consentSample'>,
  sampled: boolean,
): Promise<Recorded> {
  const chunks: Uint8Array[] = [];
  const calls: unknown[] = [];
  const consentSample = sampled
    ? {
        bindHeader: (header: readonly string[]) => calls.push(['bindHeader', [...header]]),
        offerCells: (index: number, row: number, phone: string, cells: readonly string[], count: number) =>
          calls.push(['offerCells', index, row, phone, cells.slice(0, count), count]),
      }
    : null;
  const report = await engine(cut(bytes, sizes), { ...options, output: (c) => void chunks.push(c.slice()), consentSample });
  return { report, output: concatBytes(chunks), calls };
}

/** A register that only answers `lookup`, as any RpoRegister may. */
function lookupOnly(inner: RpoRegister): RpoRegister {
  return { lookup: (e164) => inner.lookup(e164), size: inner.size, unreadableLines: inner.unreadableLines };
}

export async function registerFor(r: Random, bytes: Uint8Array): Promise<RpoRegister> {
  const numbers = new TextDecoder().decode(bytes).match(/\+?\d[\d ]{7,14}\d/g) ?? [];
  const lines = numbers.filter(() => r() < 0.5).map((n) => `${n}${pick(r, ['', ';01/06/2024', ';2023-03-15', ';bad'])}`);
  const register = await loadRpoRegister(cut(new TextEncoder().encode(lines.join('\n')), [4096]));
  return r() < 0.3 ? lookupOnly(register) : register;
}

/** Options drawn for a list: limits, period, register, size cap, head size. */
export async function randomOptions(r: Random, bytes: Uint8Array): Promise<Omit<ContactListOptions, 'output' | 'consentSample'>> {
  return {
    maxBytes: r() < 0.05 ? int(r, 0, bytes.length) : 1 << 20,
    headBytes: r() < 0.7 ? int(r, 1, 256) : 64 * 1024,
    ...(r() < 0.5 ? { consentPeriod: { from: '2023-01-01' as IsoDate, to: '2024-12-31' as IsoDate } } : {}),
    requireConsentDate: r() < 0.2,
    ...(r() < 0.4 ? { rpo: await registerFor(r, bytes) } : {}),
    ...(r() < 0.15 ? { csvLimits: { maxFieldChars: int(r, 3, 60), maxRecordCells: int(r, 1, 8), maxRecordChars: int(r, 5, 150) } } : {}),
  };
}

/** Chunk sizes to cut a list in: single bytes often, never more than 64. */
export function randomCuts(r: Random): number[] {
  return Array.from({ length: int(r, 1, 5) }, () => (r() < 0.3 ? 1 : int(r, 1, 64)));
}
