import type { Delimiter } from './model.js';

/**
 * A streamed RFC 4180 record reader. Text arrives in chunks cut anywhere (inside a field, between CR and LF, inside
 * quotes); records are handed to a callback as a reused array of cells, so reading allocates only the cell strings.
 *
 * Leniency, as spreadsheets are: a quote inside an unquoted field is kept as a character, and characters after a
 * closing quote are appended to the field. Records end at LF, CR LF or a lone CR. Only an unterminated quoted field
 * at the end of the text is an error (see `end()`).
 */

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Return false to stop reading. */
export type RecordHandler = (cells: string[], count: number) => boolean | void;

/**
 * A cell longer than this is not contact data: without a cap, an unquoted or never-closed field of half a GiB grows
 * one string past V8's limit (about 512 MiB) and reading dies with a RangeError instead of a finding. 1 MiB is a
 * thousand times the longest note a real list carries, and bounds what one record can hold with the cell cap below.
 */
export const MAX_FIELD_CHARS = 1024 * 1024;
/** Excel's own column limit (16,384): a record with more cells did not come from a spreadsheet. */
export const MAX_RECORD_CELLS = 16_384;
/** A record's cells are held together while it is read: their sum is bounded too (16 MiB of text). */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

export interface CsvLimits {
  maxFieldChars?: number;
  maxRecordCells?: number;
  maxRecordChars?: number;
}

/** Why reading stopped on a record that broke a limit. */
export type CsvOverflow =
  | { limit: 'field_chars'; max: number }
  | { limit: 'record_cells'; max: number }
  | { limit: 'record_chars'; max: number };

export class CsvRecordReader {
  private readonly delimiter: number;
  private readonly cells: string[] = [];
  private count = 0;
  private field = '';
  private state = FIELD_START;
  private skipLf = false;
  private stopped = false;
  /** Characters of the record being read, the open field included. */
  private recordChars = 0;
  private readonly maxFieldChars: number;
  private readonly maxRecordCells: number;
  private readonly maxRecordChars: number;
  /** Records handed out so far. */
  records = 0;
  /** Set when a record broke a limit: reading stopped before the record was handed out. */
  overflow: CsvOverflow | null = null;

  constructor(
    delimiter: Delimiter,
    private readonly onRecord: RecordHandler,
    limits: CsvLimits = {},
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.maxFieldChars = limits.maxFieldChars ?? MAX_FIELD_CHARS;
    this.maxRecordCells = limits.maxRecordCells ?? MAX_RECORD_CELLS;
    this.maxRecordChars = limits.maxRecordChars ?? MAX_RECORD_CHARS;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Appends to the open field, or stops reading when a limit would be broken (the check comes before the copy). */
  private append(part: string): boolean {
    if (this.field.length + part.length > this.maxFieldChars) return this.overflowed({ limit: 'field_chars', max: this.maxFieldChars });
    if (this.recordChars + part.length > this.maxRecordChars) return this.overflowed({ limit: 'record_chars', max: this.maxRecordChars });
    this.recordChars += part.length;
    this.field = this.field === '' ? part : this.field + part;
    return true;
  }

  private overflowed(overflow: CsvOverflow): false {
    this.overflow = overflow;
    this.stopped = true;
    this.field = '';
    this.count = 0;
    return false;
  }

  push(text: string): void {
    if (this.stopped) return;
    const d = this.delimiter;
    const n = text.length;
    let state = this.state;
    let i = 0;
    while (i < n) {
      if (state === QUOTED) {
        const j = text.indexOf('"', i);
        if (j < 0) {
          if (!this.append(text.slice(i))) return;
          i = n;
          break;
        }
        if (j > i && !this.append(text.slice(i, j))) return;
        state = QUOTE_IN_QUOTED;
        i = j + 1;
        continue;
      }
      if (state === QUOTE_IN_QUOTED) {
        if (text.charCodeAt(i) === QUOTE) {
          if (!this.append('"')) return;
          state = QUOTED;
          i++;
          continue;
        }
        state = UNQUOTED; // closing quote: the field goes on unquoted until a delimiter or a line end
      }
      if (state === FIELD_START) {
        const c = text.charCodeAt(i);
        if (this.skipLf) {
          this.skipLf = false;
          if (c === LF) {
            i++;
            continue;
          }
        }
        if (c === QUOTE) {
          state = QUOTED;
          i++;
          continue;
        }
        state = UNQUOTED;
      }
      // UNQUOTED: scan to the next delimiter or line end
      let j = i;
      let c = 0;
      while (j < n) {
        c = text.charCodeAt(j);
        if (c === d || c === LF || c === CR) break;
        j++;
      }
      if (j > i && !this.append(text.slice(i, j))) return;
      if (j === n) {
        i = n;
        break;
      }
      if (this.count >= this.maxRecordCells) {
        this.overflowed({ limit: 'record_cells', max: this.maxRecordCells });
        return;
      }
      this.cells[this.count++] = this.field;
      this.field = '';
      state = FIELD_START;
      i = j + 1;
      if (c !== d) {
        if (c === CR) this.skipLf = true;
        this.emit();
        if (this.stopped) return;
      }
    }
    this.state = state;
  }

  private emit(): void {
    const count = this.count;
    this.count = 0;
    this.recordChars = 0;
    this.records++;
    if (this.onRecord(this.cells, count) === false) this.stopped = true;
  }

  /** Flushes the last record; returns false when the text ended inside a quoted field. */
  end(): boolean {
    if (this.stopped) return true;
    if (this.state === QUOTED) return false;
    if (this.state !== FIELD_START || this.count > 0) {
      if (this.count >= this.maxRecordCells) {
        this.overflowed({ limit: 'record_cells', max: this.maxRecordCells });
        return true;
      }
      this.cells[this.count++] = this.field;
      this.field = '';
      this.state = FIELD_START;
      this.emit();
    }
    return true;
  }
}

/** Parses a whole text (tests, small files). */
export function parseCsv(text: string, delimiter: Delimiter): { records: string[][]; complete: boolean } {
  const records: string[][] = [];
  const reader = new CsvRecordReader(delimiter, (cells, count) => {
    records.push(cells.slice(0, count));
  });
  reader.push(text);
  const complete = reader.end();
  return { records, complete };
}

const NEEDS_QUOTES = /[;"\r\n]/;
const QUOTES = /"/g;

/** A cell of the released list: ';'-delimited, RFC 4180 quoting when it holds ; " CR or LF. */
export function quoteCell(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replace(QUOTES, '""')}"` : cell;
}
