import { MAX_FIELD_CHARS, MAX_RECORD_CELLS, MAX_RECORD_CHARS, type CsvLimits, type CsvOverflow } from './csv.js';
import type { Delimiter } from './model.js';

/**
 * The RFC 4180 record reader of csv.ts, on UTF-8 bytes instead of a string: it finds delimiters, quotes and line ends
 * on the buffer and hands each record out as the byte spans of its cells, so no string is built for a cell nobody
 * reads. Same leniency, same records, same limits as CsvRecordReader (docs/list-format.md); the limits count UTF-16
 * code units, as the string reader does, so a list breaks a limit at the same record and for the same reason.
 *
 * The bytes of the record being read stay in one work buffer until the record ends, however many chunks it spans:
 * a cell is always a span [start, end) of `buf`. A cell's span is its raw text, quotes included; `cellKind` says how
 * to read its content (PLAIN: the span; QUOTED: the span without its two quotes; ESCAPED: unescape it).
 */

export const PLAIN = 0;
export const QUOTED = 1;
export const ESCAPED = 2;
/** PLAIN, with a quote (or a ';' in a list delimited otherwise) inside: the released list quotes it. */
export const PLAIN_TO_QUOTE = 3;

/** Byte classes of the unquoted scan: 0 goes on; the rest stop it and are looked at. */
const GO_ON = 0;
const CONTINUATION = 1;
const FOUR_BYTE_LEAD = 2;
const TO_QUOTE = 3;
const FIELD_END = 4;

const FIELD_START = 0;
const UNQUOTED = 1;
const IN_QUOTES = 2;
const QUOTE_IN_QUOTES = 3;

const LF = 10;
const CR = 13;
const QUOTE = 34;
const SEMICOLON = 59;

/** Return false to stop reading. The record's cells are the reader's `cellStart`/`cellEnd`/`cellKind` [0, count). */
export type ByteRecordHandler = (count: number) => boolean | void;

export class ByteRecordReader {
  /** The work buffer: the record being read starts at or after 0, bytes up to `length` are valid. */
  buf: Buffer = Buffer.allocUnsafe(1 << 16);
  length = 0;
  cellStart = new Int32Array(64);
  cellEnd = new Int32Array(64);
  cellKind = new Uint8Array(64);
  private readonly delimiter: number;
  /** The unquoted scan's class of each byte value, for this delimiter. */
  private readonly classes = new Uint8Array(256);
  private count = 0;
  private state = FIELD_START;
  private skipLf = false;
  private stopped = false;
  private fieldStart = 0;
  private kind = PLAIN;
  /** UTF-16 units of the open field's content and of the record's, as the string reader counts them. */
  private fieldUnits = 0;
  private recordUnits = 0;
  private readonly maxFieldChars: number;
  private readonly maxRecordCells: number;
  private readonly maxRecordChars: number;
  overflow: CsvOverflow | null = null;

  constructor(
    delimiter: Delimiter,
    private readonly onRecord: ByteRecordHandler,
    limits: CsvLimits = {},
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    for (let c = 0x80; c < 0xc0; c++) this.classes[c] = CONTINUATION;
    for (let c = 0xf0; c < 0x100; c++) this.classes[c] = FOUR_BYTE_LEAD;
    this.classes[QUOTE] = TO_QUOTE;
    this.classes[SEMICOLON] = TO_QUOTE;
    this.classes[this.delimiter] = FIELD_END;
    this.classes[LF] = FIELD_END;
    this.classes[CR] = FIELD_END;
    this.maxFieldChars = limits.maxFieldChars ?? MAX_FIELD_CHARS;
    this.maxRecordCells = limits.maxRecordCells ?? MAX_RECORD_CELLS;
    this.maxRecordChars = limits.maxRecordChars ?? MAX_RECORD_CHARS;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Counts a part of the open field as the string reader appends it, or stops reading past a limit. */
  private append(units: number): boolean {
    if (this.fieldUnits + units > this.maxFieldChars) return this.overflowed({ limit: 'field_chars', max: this.maxFieldChars });
    if (this.recordUnits + units > this.maxRecordChars) return this.overflowed({ limit: 'record_chars', max: this.maxRecordChars });
    this.fieldUnits += units;
    this.recordUnits += units;
    return true;
  }

  private overflowed(overflow: CsvOverflow): false {
    this.overflow = overflow;
    this.stopped = true;
    this.count = 0;
    return false;
  }

  /**
   * Appends a chunk of UTF-8 (cut where the string reader's chunk of text is cut: never inside a character) and
   * reads the records it ends. Bytes before the open record are dropped first.
   */
  push(chunk: Uint8Array): void {
    if (this.stopped) return;
    this.compact(chunk.length);
    this.buf.set(chunk, this.length);
    const from = this.length;
    this.length += chunk.length;
    this.scan(from);
  }

  /** Moves the open record to the start of the buffer and makes room for `more` bytes. */
  private compact(more: number): void {
    const keep = this.count > 0 ? this.cellStart[0]! : this.state !== FIELD_START ? this.fieldStart : this.length;
    const kept = this.length - keep;
    if (keep > 0) {
      if (kept > 0) this.buf.copyWithin(0, keep, this.length);
      for (let k = 0; k < this.count; k++) {
        this.cellStart[k]! -= keep;
        this.cellEnd[k]! -= keep;
      }
      this.fieldStart -= keep;
      this.length = kept;
    }
    if (kept + more > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(kept + more, this.buf.length * 2));
      grown.set(this.buf.subarray(0, kept), 0);
      this.buf = grown;
    }
  }

  private growCells(): void {
    const n = this.cellStart.length * 2;
    const start = new Int32Array(n);
    const end = new Int32Array(n);
    const kind = new Uint8Array(n);
    start.set(this.cellStart);
    end.set(this.cellEnd);
    kind.set(this.cellKind);
    this.cellStart = start;
    this.cellEnd = end;
    this.cellKind = kind;
  }

  /** The string reader's loop, part for part: a part ends at a quote, a delimiter, a line end or the chunk's end. */
  private scan(from: number): void {
    const buf = this.buf;
    const classes = this.classes;
    const d = this.delimiter;
    const n = this.length;
    let state = this.state;
    let i = from;
    while (i < n) {
      if (state === IN_QUOTES) {
        let j = i;
        let units = 0;
        while (j < n) {
          const c = buf[j]!;
          if (c === QUOTE) break;
          if (c >= 0x80) {
            if (c < 0xc0) units--;
            else if (c >= 0xf0) units++;
          }
          j++;
        }
        if (j > i && !this.append(units + (j - i))) return;
        if (j === n) {
          i = n;
          break;
        }
        state = QUOTE_IN_QUOTES;
        i = j + 1;
        continue;
      }
      if (state === QUOTE_IN_QUOTES) {
        if (buf[i] === QUOTE) {
          if (!this.append(1)) return;
          this.kind = ESCAPED;
          state = IN_QUOTES;
          i++;
          continue;
        }
        state = UNQUOTED; // closing quote: the field goes on unquoted until a delimiter or a line end
      } else if (state === FIELD_START) {
        const c = buf[i]!;
        if (this.skipLf) {
          this.skipLf = false;
          if (c === LF) {
            i++;
            continue;
          }
        }
        this.fieldStart = i;
        if (c === QUOTE) {
          this.kind = QUOTED;
          state = IN_QUOTES;
          i++;
          continue;
        }
        this.kind = PLAIN;
        state = UNQUOTED;
      }
      // UNQUOTED: scan to the next delimiter or line end
      let j = i;
      let c = 0;
      let units = 0;
      let toQuote = false;
      for (;;) {
        while (j < n && classes[buf[j]!] === GO_ON) j++;
        if (j === n) break;
        c = buf[j]!;
        const cls = classes[c]!;
        if (cls === FIELD_END) break;
        if (cls === CONTINUATION) units--;
        else if (cls === FOUR_BYTE_LEAD) units++;
        else toQuote = true;
        j++;
      }
      if (j > i) {
        if (!this.append(units + (j - i))) return;
        if (this.kind === QUOTED) this.kind = ESCAPED; // text after the closing quote
        else if (toQuote && this.kind === PLAIN) this.kind = PLAIN_TO_QUOTE;
      }
      if (j === n) {
        i = n;
        break;
      }
      if (!this.closeField(j)) return;
      state = FIELD_START;
      i = j + 1;
      if (c !== d) {
        if (c === CR) this.skipLf = true;
        this.state = FIELD_START;
        this.emit();
        if (this.stopped) return;
      }
    }
    this.state = state;
  }

  private closeField(end: number): boolean {
    const k = this.count;
    if (k >= this.maxRecordCells) {
      this.overflowed({ limit: 'record_cells', max: this.maxRecordCells });
      return false;
    }
    if (k === this.cellStart.length) this.growCells();
    this.cellStart[k] = this.fieldStart;
    this.cellEnd[k] = end;
    this.cellKind[k] = this.kind;
    this.count = k + 1;
    this.fieldUnits = 0;
    return true;
  }

  private emit(): void {
    const count = this.count;
    this.count = 0;
    this.recordUnits = 0;
    if (this.onRecord(count) === false) this.stopped = true;
  }

  /** Reads the last record; returns false when the text ended inside a quoted field. */
  end(): boolean {
    if (this.stopped) return true;
    if (this.state === IN_QUOTES) return false;
    if (this.state !== FIELD_START || this.count > 0) {
      if (this.state === FIELD_START) {
        this.fieldStart = this.length;
        this.kind = PLAIN;
      }
      if (!this.closeField(this.length)) return true;
      this.state = FIELD_START;
      this.emit();
    }
    return true;
  }
}

/**
 * The content of an ESCAPED cell's span (an opening quote, "" for each quote, maybe text after the closing quote),
 * written into `out` from 0; returns its length. `out` must hold the span's length.
 */
export function unescapeCell(buf: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let o = 0;
  let i = start + 1;
  while (i < end) {
    const c = buf[i]!;
    if (c === QUOTE) {
      if (i + 1 < end && buf[i + 1] === QUOTE) {
        out[o++] = QUOTE;
        i += 2;
        continue;
      }
      // the closing quote: the rest is taken as written
      for (i++; i < end; i++) out[o++] = buf[i]!;
      break;
    }
    out[o++] = c;
    i++;
  }
  return o;
}
