import { ByteRecordReader, ESCAPED, PLAIN, QUOTED, unescapeCell } from './byte-csv.js';
import { Utf8Normaliser } from './byte-decode.js';
import { quoteCell, type CsvLimits } from './csv.js';
import { DAY_KEY_UNSURE, dayKey, dayKeyFromIso, dayKeyOfBytes } from './dates.js';
import { isAscii } from './decode.js';
import { DedupeState, dedupeCapacity } from './dedupe.js';
import {
  BINARY,
  CONSENT_DATE_HEADERS,
  FLUSH_SIZE,
  PHONE_HEADERS,
  SAMPLES_PER_REASON,
  SEP_DELIMITERS,
  SEP_LINE,
  Unreadable,
  badSepLine,
  endOfList,
  noPhoneColumn,
  normaliseHeaderName,
  nulByte,
  overflowed,
  runPass,
  type CallableCheck,
  type ContactListOptions,
  type ListRun,
} from './list-pass.js';
import { exclusionReasons, type Delimiter, type ExclusionReason, type ExcludedSample, type ListReport } from './model.js';
import { neutraliseCell } from './neutralise.js';
import type { PhoneReading } from './phone.js';
import type { RpoRegister } from './rpo.js';
import { sniffDelimiter, sniffEncoding } from './sniff.js';
// Type only: shared/consent imports the engine, a value import back would be a cycle.
import type { ConsentSampleSelector } from '../consent/draw.js';

/**
 * The contact list engine on bytes (docs/list-format.md). The list is brought to UTF-8 chunk by chunk (byte-decode.ts:
 * valid UTF-8 untouched, other encodings converted), records are read as byte spans (byte-csv.ts), and a cell becomes
 * a string only when a rule needs its text: the phone, a header, a date the byte reader is unsure of, the consent
 * sample's cells. A released row is written byte for byte, its phone cell rewritten and a cell neutralised or quoted
 * only where it needs it. Same outcomes as the string engine (engine.ts) to the byte: report, released list and
 * consent sample, held to it by test/unit/list/byte-engine-differential.test.ts.
 */
export async function runByteContactList(
  source: AsyncIterable<Uint8Array>,
  options: ContactListOptions,
  phones: PhoneReader | null,
): Promise<ListReport> {
  return runPass(source, options, new ByteListRun(options, phones));
}

/**
 * The phone rules, as the byte engine asks them (phone-bytes.ts is the one process.ts passes; readListFacts passes
 * none, so that it bundles no phone library).
 */
export interface PhoneReader {
  /** Reads the cell's UTF-8 bytes [from, to) into `reading`; false when only its text can tell. */
  bytes(b: Uint8Array, from: number, to: number, reading: PhoneReading): boolean;
  /** normalizePhone of the cell's text, into `reading`. */
  text(raw: string, reading: PhoneReading): void;
  /** For a number whose reading left `callable` undefined. */
  isCallable: CallableCheck;
}


/** Bytes of released list per output buffer. */
const OUT_SIZE = 128 * 1024;
const SEMICOLON = 59;
const QUOTE = 34;
const APOSTROPHE = 39;
const CR = 13;
const LF = 10;

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** neutralise.ts: a cell starting with = + - @ TAB or CR. */
function isFormulaStart(c: number): boolean {
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;
}

export class ByteListRun implements ListRun {
  failure: Unreadable | null = null;
  private normaliser: Utf8Normaliser | null = null;
  private eightBit = true;
  protected reader: ByteRecordReader | null = null;
  protected delimiter: Delimiter | null = null;
  protected header: string[] | null = null;
  protected phoneColumn = -1;
  protected consentColumn = -1;
  protected dataRows = 0;
  private releasedRows = 0;
  private readonly excluded: Record<ExclusionReason, number> = Object.fromEntries(
    exclusionReasons.map((r) => [r, 0]),
  ) as Record<ExclusionReason, number>;
  private readonly samples: ExcludedSample[] = [];
  private readonly sampleCounts: Record<ExclusionReason, number> = { ...this.excluded };
  private dedupe = new DedupeState();
  protected readonly expectedBytes: number | null;
  protected readonly periodFrom: number;
  protected readonly periodTo: number;
  protected readonly rpo: RpoRegister | null;
  private readonly opposedOnKey: ((e164: string) => number) | null;
  private readonly opposedOnE164Key: ((key: number) => number) | null;
  protected readonly reading: PhoneReading = { e164: null, key: -1, callable: undefined };
  protected readonly writeOutput: ((chunk: Uint8Array) => void | Promise<void>) | null;
  private readonly csvLimits: CsvLimits;
  protected readonly sample: Pick<ConsentSampleSelector, 'bindHeader' | 'offerCells'> | null;
  protected readonly requireConsentDate: boolean;
  /** The consent sample's view of a released row: its cells as strings. */
  private readonly cellStrings: string[] = [];
  /** An ESCAPED cell's content, unescaped. */
  private scratch: Buffer = Buffer.allocUnsafe(1024);
  /** The content of the cell last asked for: src[cs, ce). */
  private src: Buffer = this.scratch;
  private cs = 0;
  private ce = 0;
  /** Released list: full buffers waiting for `flush`, and the one being written. */
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  protected out: Buffer = Buffer.allocUnsafe(0);
  protected outPos = 0;
  protected headerWritten = false;
  /** finish() was called: the list is read. */
  protected finished = false;
  /** The record whose cells the rules read: the reader's, or (parallel-engine.ts) a batch's. */
  protected cells: CellSpans = NO_CELLS;
  /** The list is ';'-delimited, as the released list is: a row needing no change is copied whole. */
  protected copiesRows = false;

  constructor(
    options: ContactListOptions,
    /** Null: only count the data rows (readListFacts). */
    protected readonly phones: PhoneReader | null,
  ) {
    this.requireConsentDate = options.requireConsentDate ?? false;
    const period = options.consentPeriod ?? null;
    this.periodFrom = period === null ? -1 : dayKeyFromIso(period.from);
    this.periodTo = period === null ? -1 : dayKeyFromIso(period.to);
    this.rpo = options.rpo ?? null;
    this.opposedOnKey = this.rpo?.opposedOnKey ? this.rpo.opposedOnKey.bind(this.rpo) : null;
    this.opposedOnE164Key = this.rpo?.opposedOnE164Key ? this.rpo.opposedOnE164Key.bind(this.rpo) : null;
    this.writeOutput = options.output ?? null;
    this.csvLimits = options.csvLimits ?? {};
    this.sample = options.consentSample ?? null;
    this.expectedBytes = options.expectedBytes ?? null;
  }

  get done(): boolean {
    return this.failure !== null || (this.reader?.isStopped ?? false);
  }

  get pendingOutput(): number {
    return this.releasedBytes;
  }

  /** Released list held, not yet handed to `output`. */
  protected get releasedBytes(): number {
    return this.pendingBytes + this.outPos;
  }

  fail(failure: Unreadable): void {
    if (this.failure === null) this.failure = failure;
  }

  start(headBytes: Uint8Array): void {
    const sniffed = sniffEncoding(headBytes);
    if (sniffed === 'binary') {
      this.fail(BINARY);
      return;
    }
    this.normaliser = new Utf8Normaliser(sniffed, sniffed === 'utf-8' && isAscii(headBytes));
    this.eightBit = this.normaliser.eightBit;
    let utf8 = this.normaliser.convert(headBytes);
    let text = Buffer.from(utf8.buffer, utf8.byteOffset, utf8.byteLength).toString('utf8');
    // Excel's `sep=X` first line names the delimiter and is not the header (nor a data row, nor released).
    const sep = SEP_LINE.exec(text);
    if (sep !== null) {
      if (!SEP_DELIMITERS.includes(sep[1]!)) {
        this.fail(badSepLine(sep[1]!));
        return;
      }
      text = text.slice(sep[0].length);
      utf8 = utf8.subarray(sep[0].length); // the line is ASCII: one byte a character
    }
    this.delimiter = sep !== null ? (sep[1] as Delimiter) : (sniffDelimiter(text) ?? ';');
    this.copiesRows = this.delimiter === ';';
    if (this.expectedBytes !== null && this.phones !== null) {
      this.dedupe = new DedupeState(dedupeCapacity(this.expectedBytes, headBytes.length / Math.max(1, lineEnds(headBytes))));
    }
    this.reader = new ByteRecordReader(this.delimiter, (count) => this.onRecord(count), this.csvLimits);
    this.cells = this.reader;
    this.push(utf8, headBytes);
  }

  feed(chunk: Uint8Array): void {
    this.push(this.normaliser!.convert(chunk), chunk);
  }

  private push(utf8: Uint8Array, raw: Uint8Array | null): void {
    // Binary data past the sniffed head: a NUL never belongs in a text list.
    const nul = this.eightBit && raw !== null ? raw.indexOf(0) >= 0 : utf8.indexOf(0) >= 0;
    if (nul) {
      this.fail(nulByte(this.dataRows));
      return;
    }
    const reader = this.reader!;
    reader.push(utf8);
    this.afterRecords();
    if (reader.overflow !== null) this.fail(overflowed(reader.overflow, this.header === null, this.dataRows));
  }

  /** The reader is done with a chunk's records: their bytes move at its next push. */
  protected afterRecords(): void {}

  finish(): void {
    this.finished = true;
    if (this.done || this.reader === null) {
      if (this.failure === null && this.reader === null) this.fail(new Unreadable('no_data_rows', 'the list is empty'));
      return;
    }
    const tail = this.normaliser!.end();
    if (tail.length !== 0) this.push(tail, null);
    if (this.done) return;
    const closed = this.reader.end();
    this.afterRecords();
    if (this.reader.overflow !== null) {
      this.fail(overflowed(this.reader.overflow, this.header === null, this.dataRows));
      return;
    }
    const failure = endOfList(this.header === null, this.dataRows, closed);
    if (failure !== null) this.fail(failure);
  }

  /** Points src[cs, ce) at cell k's content. */
  protected content(k: number): void {
    const r = this.cells;
    const s = r.cellStart[k]!;
    const e = r.cellEnd[k]!;
    const kind = r.cellKind[k]!;
    if (kind === ESCAPED) {
      if (this.scratch.length < e - s) this.scratch = Buffer.allocUnsafe(Math.max(e - s, this.scratch.length * 2));
      this.src = this.scratch;
      this.cs = 0;
      this.ce = unescapeCell(r.buf, s, e, this.scratch);
    } else if (kind === QUOTED) {
      this.src = r.buf;
      this.cs = s + 1;
      this.ce = e - 1;
    } else {
      this.src = r.buf;
      this.cs = s;
      this.ce = e;
    }
  }

  private cellString(k: number): string {
    this.content(k);
    return this.src.toString('utf8', this.cs, this.ce);
  }

  /** isBlank of engine.ts: every cell empty or white space (String.prototype.trim's). */
  private isBlank(count: number): boolean {
    for (let k = 0; k < count; k++) {
      this.content(k);
      const src = this.src;
      for (let i = this.cs; i < this.ce; i++) {
        const c = src[i]!;
        if (isAsciiSpace(c)) continue;
        if (c < 0x80) return false;
        if (src.toString('utf8', this.cs, this.ce).trim().length !== 0) return false;
        break;
      }
    }
    return true;
  }

  private onRecord(count: number): boolean {
    if (this.isBlank(count)) return true;
    if (this.header === null) return this.onHeader(count);
    const row = ++this.dataRows;
    if (this.phones === null) return true;
    this.dataRow(row, count);
    return true;
  }

  /** One data row: its phone, then the rules (the parallel run hands this step to its threads). */
  protected dataRow(row: number, count: number): void {
    const reading = this.readRow(count);
    const e164 = reading.e164;
    if (e164 === null) {
      this.exclude(row, 'invalid_phone', count);
      return;
    }
    const callable = reading.callable ?? this.phones!.isCallable(e164);
    if (this.judge(row, count, e164, reading.key, callable, this.consentOf(count))) {
      this.offer(row, count, e164);
      if (this.writeOutput !== null) this.writeRow(count, e164, reading.key);
    }
  }

  /** The row's phone cell read into `reading` (callable left undefined when only isCallable knows). */
  protected readRow(count: number): PhoneReading {
    const phones = this.phones!;
    const reading = this.reading;
    if (this.phoneColumn < count) {
      this.content(this.phoneColumn);
      if (!phones.bytes(this.src, this.cs, this.ce, reading)) phones.text(this.src.toString('utf8', this.cs, this.ce), reading);
    } else {
      phones.text('', reading);
    }
    return reading;
  }

  /** The row's consent day: a day key, -1 unreadable, NO_CONSENT_DATE for none (no column, a blank cell). */
  protected consentOf(count: number): number {
    return this.consentColumn >= 0 && this.consentColumn < count ? this.consentDay(this.consentColumn) : NO_CONSENT_DATE;
  }

  /**
   * The rules after a valid phone, in processContactList's order; an excluded row is counted (and maybe sampled)
   * here. True when the row is released.
   */
  protected judge(row: number, count: number, e164: string, key: number, callable: boolean, consentDay: number): boolean {
    // A call center dials people: toll-free, premium-rate, shared-cost, UAN, voicemail and pager numbers are not.
    if (!callable) return this.exclude(row, 'not_callable', count);
    // Duplicates by E.164 keep the first occurrence, whatever becomes of it below.
    if (!(key >= 0 ? this.dedupe.firstSeenKey(key) : this.dedupe.firstSeen(e164))) return this.exclude(row, 'duplicate', count);
    let consent = -1;
    if (consentDay !== NO_CONSENT_DATE) {
      consent = consentDay;
      if (consent === -1) return this.exclude(row, 'invalid_consent_date', count);
      // GDPR art. 7(1): consent must be provable; one collected outside the attested period is not covered by it.
      if (this.periodFrom >= 0 && (consent < this.periodFrom || consent > this.periodTo)) {
        return this.exclude(row, 'consent_out_of_period', count);
      }
    }
    // GDPR art. 7(1): with requireConsentDate, a consent that cannot be dated is not one the controller can prove.
    if (consent < 0 && this.requireConsentDate) return this.exclude(row, 'consent_date_missing', count);
    if (this.rpo !== null) {
      // DPR 26/2022: registering in the RPO revokes earlier consents, not consents given after registering.
      const opposed = this.opposition(e164, key);
      if (opposed === 0 || (opposed > 0 && !(consent > opposed))) {
        return this.exclude(row, 'rpo_opposed', count);
      }
    }
    return true;
  }

  /** The phone cell as written, for a sample. */
  protected phoneText(count: number): string {
    return this.phoneColumn < count ? this.cellString(this.phoneColumn) : '';
  }

  /** A released row: offered to the consent sample, counted. */
  protected offer(row: number, count: number, e164: string): void {
    if (this.sample !== null) this.sample.offerCells(this.releasedRows, row, e164, this.strings(count), count);
    this.releasedRows++;
  }

  /** The consent cell's day key; -1 unreadable, NO_CONSENT_DATE when blank. */
  private consentDay(k: number): number {
    this.content(k);
    const src = this.src;
    let blank = true;
    for (let i = this.cs; i < this.ce; i++) {
      const c = src[i]!;
      if (isAsciiSpace(c)) continue;
      if (c >= 0x80) blank = src.toString('utf8', this.cs, this.ce).trim().length === 0;
      else blank = false;
      break;
    }
    if (blank) return NO_CONSENT_DATE;
    const key = dayKeyOfBytes(src, this.cs, this.ce);
    return key === DAY_KEY_UNSURE ? dayKey(src.toString('utf8', this.cs, this.ce)) : key;
  }

  private strings(count: number): string[] {
    const cells = this.cellStrings;
    for (let k = 0; k < count; k++) cells[k] = this.cellString(k);
    return cells;
  }

  /** -1 not listed, 0 listed without date, else the opposition day key. */
  private opposition(e164: string, key: number): number {
    if (this.opposedOnE164Key !== null) return key >= 0 ? this.opposedOnE164Key(key) : -1;
    if (this.opposedOnKey !== null) return this.opposedOnKey(e164);
    const hit = this.rpo!.lookup(e164);
    if (hit === undefined) return -1;
    return hit.opposedOn === null ? 0 : dayKeyFromIso(hit.opposedOn);
  }

  private onHeader(count: number): boolean {
    const header: string[] = [];
    for (let k = 0; k < count; k++) header.push(this.cellString(k));
    this.header = header;
    const names = header.map(normaliseHeaderName);
    this.phoneColumn = names.findIndex((n) => PHONE_HEADERS.includes(n));
    this.consentColumn = names.findIndex((n) => CONSENT_DATE_HEADERS.includes(n));
    if (this.phoneColumn < 0) {
      this.fail(noPhoneColumn(header));
      return false;
    }
    this.sample?.bindHeader(header);
    return true;
  }

  /** Counts the row under `reason`; the phone cell is read as text only for the first rows kept as samples. */
  protected exclude(row: number, reason: ExclusionReason, count: number): false {
    this.excluded[reason]++;
    if (this.sampleCounts[reason]++ < SAMPLES_PER_REASON) {
      this.samples.push({ row, reason, phone: this.phoneText(count) });
    }
    return false;
  }

  /** Room for `bytes` more in the output buffer. */
  protected reserve(bytes: number): void {
    if (this.outPos + bytes <= this.out.length) return;
    if (this.outPos > 0) {
      this.pending.push(this.out.subarray(0, this.outPos));
      this.pendingBytes += this.outPos;
    }
    this.out = Buffer.allocUnsafe(Math.max(OUT_SIZE, bytes));
    this.outPos = 0;
  }

  /** `key`: e164Key(e164), written as digits when >= 0 (the string, built by concatenation, is left unread). */
  protected writeRow(count: number, e164: string, key: number): void {
    const r = this.cells;
    const header = this.header!;
    this.writeHeaderOnce();
    const width = count > header.length ? count : header.length;
    // Content never outgrows its span; quoting at most doubles it and adds three bytes.
    this.reserve(2 * (r.cellEnd[count - 1]! - r.cellStart[0]!) + 4 * width + e164.length + 8);
    const out = this.out;
    const phone = this.phoneColumn;
    let o = this.outPos;
    if (this.copiesRows && this.copiesAsIs(count)) {
      // The row as it came, its phone cell rewritten: every cell plain and needing no change, ';' between them.
      const buf = r.buf;
      for (let j = r.cellStart[0]!, end = r.cellStart[phone]!; j < end; j++) out[o++] = buf[j]!;
      o = writeE164(out, o, e164, key);
      for (let j = r.cellEnd[phone]!, end = r.cellEnd[count - 1]!; j < end; j++) out[o++] = buf[j]!;
      for (let i = count; i < width; i++) out[o++] = SEMICOLON;
      out[o++] = CR;
      out[o++] = LF;
      this.outPos = o;
      return;
    }
    for (let i = 0; i < width; i++) {
      if (i > 0) out[o++] = SEMICOLON;
      if (i === phone) {
        o = writeE164(out, o, e164, key);
      } else if (i < count) {
        o = this.writeCell(i, out, o);
      }
    }
    out[o++] = CR;
    out[o++] = LF;
    this.outPos = o;
  }

  /** The released list's header line, before its first row. */
  protected writeHeaderOnce(): void {
    if (this.headerWritten) return;
    this.headerWritten = true;
    const line = Buffer.from(this.header!.map((h) => quoteCell(neutraliseCell(h))).join(';') + '\r\n', 'utf8');
    this.writeBytes(line, 0, line.length);
  }

  /** Appends bytes [from, to) of `bytes` to the released list. */
  protected writeBytes(bytes: Uint8Array, from: number, to: number): void {
    this.reserve(to - from);
    this.out.set(bytes.subarray(from, to), this.outPos);
    this.outPos += to - from;
  }

  /** Whether the row's cells are all PLAIN and none but the phone starts like a formula. */
  private copiesAsIs(count: number): boolean {
    const r = this.cells;
    const kinds = r.cellKind;
    const starts = r.cellStart;
    const ends = r.cellEnd;
    const buf = r.buf;
    for (let k = 0; k < count; k++) {
      if (kinds[k] !== PLAIN) return false;
      if (k !== this.phoneColumn && starts[k]! < ends[k]! && isFormulaStart(buf[starts[k]!]!)) return false;
    }
    return true;
  }

  /** quoteCell(neutraliseCell(cell)) of cell k, written at out[o]; returns the position after it. */
  private writeCell(k: number, out: Buffer, o: number): number {
    this.content(k);
    const src = this.src;
    const cs = this.cs;
    const ce = this.ce;
    if (cs === ce) return o;
    const neutralise = isFormulaStart(src[cs]!);
    if (!neutralise) {
      // Most cells need neither: copied as they are, unless a byte says otherwise.
      let i = cs;
      let p = o;
      for (; i < ce; i++) {
        const c = src[i]!;
        if (c === SEMICOLON || c === QUOTE || c === CR || c === LF) break;
        out[p++] = c;
      }
      if (i === ce) return p;
    }
    let quote = false;
    for (let i = cs; i < ce; i++) {
      const c = src[i]!;
      if (c === SEMICOLON || c === QUOTE || c === CR || c === LF) {
        quote = true;
        break;
      }
    }
    if (quote) out[o++] = QUOTE;
    if (neutralise) out[o++] = APOSTROPHE;
    for (let i = cs; i < ce; i++) {
      const c = src[i]!;
      out[o++] = c;
      if (c === QUOTE) out[o++] = QUOTE;
    }
    if (quote) out[o++] = QUOTE;
    return o;
  }

  async flush(): Promise<void> {
    await this.settle();
    // Released rows go out by FLUSH_SIZE until the list is read (a run with rows on threads settles more often).
    if (!this.finished && this.releasedBytes < FLUSH_SIZE) return;
    if (this.outPos > 0) {
      this.pending.push(this.out.subarray(0, this.outPos));
      this.pendingBytes += this.outPos;
      // The caller may keep what it was handed: the next rows go to a new buffer.
      this.out = Buffer.allocUnsafe(0);
      this.outPos = 0;
    }
    if (this.pending.length === 0) return;
    const chunks = this.pending.splice(0);
    this.pendingBytes = 0;
    if (this.failure !== null || this.writeOutput === null) return;
    for (const chunk of chunks) await this.writeOutput(chunk);
  }

  /** Before output is handed over: the parallel run merges its threads' rows here. */
  protected async settle(): Promise<void> {}

  report(sha256: string, bytes: number): ListReport {
    const readable = this.failure === null;
    const report: ListReport = {
      readable,
      sha256,
      bytes,
      encoding: this.normaliser?.encoding ?? null,
      delimiter: this.reader === null ? null : this.delimiter,
      header: this.header ?? [],
      phoneColumn: this.header !== null && this.phoneColumn >= 0 ? this.header[this.phoneColumn]! : null,
      dataRows: this.dataRows,
      releasedRows: readable ? this.releasedRows : 0,
      excluded: { ...this.excluded },
      samples: this.samples,
      dedupeStateBytes: this.dedupe.byteLength,
    };
    if (this.failure !== null) report.unreadable = { reason: this.failure.reason, detail: this.failure.detail };
    if (this.rpo !== null) report.rpoUnreadableLines = this.rpo.unreadableLines;
    return report;
  }
}

/** Writes an E.164 number at out[o]: from its key's digits when it has one (+ and at most 15 digits). */
function writeE164(out: Uint8Array, o: number, e164: string, key: number): number {
  if (key < 0) {
    for (let j = 0; j < e164.length; j++) out[o++] = e164.charCodeAt(j);
    return o;
  }
  out[o++] = 43; // +
  // Two integers of at most 8 digits each, so that the digits come out of integer arithmetic.
  const high = Math.floor(key / 1e8);
  let low = key - high * 1e8;
  if (high > 0) {
    o = writeDigits(out, o, high);
    for (let p = 1e7; p >= 1; p = p / 10) {
      const d = Math.floor(low / p);
      out[o++] = 48 + d;
      low -= d * p;
    }
    return o;
  }
  return writeDigits(out, o, low);
}

function writeDigits(out: Uint8Array, o: number, value: number): number {
  let digits = 1;
  for (let p = 10; p <= value; p *= 10) digits++;
  for (let i = o + digits - 1; i >= o; i--) {
    const q = Math.floor(value / 10);
    out[i] = 48 + value - q * 10;
    value = q;
  }
  return o + digits;
}

/** consentDay's answer for a blank cell: no date, which is not an unreadable one. */
export const NO_CONSENT_DATE = -3;

/** A record's cells as byte spans of `buf` (ByteRecordReader is one). */
export interface CellSpans {
  readonly buf: Buffer;
  readonly cellStart: Int32Array;
  readonly cellEnd: Int32Array;
  readonly cellKind: Uint8Array;
}

const NO_CELLS: CellSpans = { buf: Buffer.alloc(0), cellStart: new Int32Array(0), cellEnd: new Int32Array(0), cellKind: new Uint8Array(0) };

/** Records in a head, for sizing: its line ends (LF, or CR where the list has no LF). */
function lineEnds(head: Uint8Array): number {
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!;
    if (c === LF) lf++;
    else if (c === CR) cr++;
  }
  return lf > 0 ? lf : cr;
}
