import { CsvRecordReader } from '../list/csv.js';
import { createListDecoder, isAscii } from '../list/decode.js';
import { normaliseHeaderName } from '../list/engine.js';
import type { Delimiter, ListEncoding } from '../list/model.js';
import { normalizePhone } from '../list/phone.js';
import { sniffDelimiter, sniffEncoding } from '../list/sniff.js';
import { parseIp, type ParsedIp } from './ip.js';
import { parseInstant, type EvidenceInstant } from './instant.js';

/**
 * The consent evidence file (docs/consent-sampling.md), read with the list's reading rules (section 3): encoding and
 * delimiter sniffed (an Excel `sep=X` first line names the delimiter), RFC 4180 quoting, header names matched case-
 * and accent-insensitively with spaces and `_` alike, blank records not counted, phones read exactly as list phones.
 *
 * A file that cannot be read as evidence is refused with errors that name the row and the column, so the committente
 * can fix it and upload again within the deadline. A value that is missing is not an error: it is the defect the
 * check concerned reports (a record without a notice, without a confirmation, ...).
 */

export const confirmationKinds = ['double_opt_in', 'sms', 'registrazione', 'modulo'] as const;
export type ConfirmationKind = (typeof confirmationKinds)[number];

/** The evidence columns, each with the names it may carry. */
export const evidenceColumns = {
  phone: ['telefono', 'phone', 'cellulare', 'numero', 'msisdn'],
  consentAt: ['consenso_il', 'consent_at'],
  ip: ['ip'],
  source: ['fonte', 'source'],
  notice: ['informativa', 'notice'],
  confirmation: ['conferma', 'confirmation'],
  confirmedAt: ['confermato_il', 'confirmed_at'],
} as const;
export type EvidenceField = keyof typeof evidenceColumns;

/** `ip` only concerns online collection; every other column must be in the header. */
const REQUIRED: readonly EvidenceField[] = ['phone', 'consentAt', 'source', 'notice', 'confirmation', 'confirmedAt'];

export interface EvidenceRecord {
  /** 1-based data row of the evidence file (the header and blank lines not counted). */
  row: number;
  /** E.164. */
  phone: string;
  consentAt: EvidenceInstant | null;
  ip: ParsedIp | null;
  source: string | null;
  notice: string | null;
  confirmation: ConfirmationKind | null;
  confirmedAt: EvidenceInstant | null;
}

export type EvidenceErrorReason =
  | 'too_large'
  | 'not_text'
  | 'unsupported_delimiter'
  | 'no_header'
  | 'missing_column'
  | 'duplicate_column'
  | 'no_records'
  | 'too_many_records'
  | 'malformed_csv'
  | 'malformed_value';

export interface EvidenceError {
  reason: EvidenceErrorReason;
  /** 1-based data row of the evidence file, when the error is in one. */
  row: number | null;
  /** The same row as a spreadsheet numbers it (the header, blank and `sep=` lines counted), for the committente. */
  sheetRow: number | null;
  /** The column as the header writes it (or the expected names when it is missing). */
  column: string | null;
  message: string;
  messageIt: string;
}

export interface EvidenceFile {
  encoding: ListEncoding;
  delimiter: Delimiter;
  /** Data rows read (blank records not counted). */
  dataRows: number;
  /** The records kept (all, or those `keep` accepted), in file order. */
  records: EvidenceRecord[];
}

export type EvidenceReading =
  | { readable: true; file: EvidenceFile }
  | { readable: false; error: EvidenceError; errors: EvidenceError[] };

export interface EvidenceReadOptions {
  /** A longer file is refused (the file is read into memory up to this). Default DEFAULT_EVIDENCE_MAX_BYTES. */
  maxBytes?: number;
  /** More data rows are refused. Default 100,000. */
  maxRecords?: number;
  /** Keep only records for these numbers (the sample's), so memory follows the sample, not the file. */
  keep?: (phone: string) => boolean;
}

/**
 * 16 MiB: a record is a few hundred bytes, so this holds tens of thousands of records, far more than any sample, and
 * reading it whole stays small (docs/limits-and-retention.md: reading is bounded).
 */
export const DEFAULT_EVIDENCE_MAX_BYTES = 16 * 1024 * 1024;

/** Errors named at once, so that one upload fixes them all; the rest are counted. */
const MAX_ERRORS = 20;
/** Free-text values (source, notice) kept up to this length (docs/limits-and-retention.md: stored strings are bounded). */
export const MAX_TEXT_CHARS = 512;
/** An evidence cell longer than this is not evidence. */
const MAX_CELL_CHARS = 16 * 1024;
const DEFAULT_MAX_RECORDS = 100_000;

const SEP_LINE = /^sep=(.)(\r\n|\n|\r|$)/i;
const DELIMITERS: readonly string[] = [';', ',', '\t', '|'];

class EvidenceErrors {
  readonly list: EvidenceError[] = [];
  more = 0;
  /** The spreadsheet row of the record being read. */
  sheetRow = 0;
  add(reason: EvidenceErrorReason, row: number | null, column: string | null, en: string, it: string): void {
    if (this.list.length >= MAX_ERRORS) {
      this.more++;
      return;
    }
    const sheetRow = row === null ? null : this.sheetRow;
    const col = column === null ? '' : `, column "${column}"`;
    const colIt = column === null ? '' : `, colonna "${column}"`;
    const where = row === null ? '' : `evidence row ${row} (spreadsheet row ${sheetRow})${col}: `;
    const whereIt = row === null ? '' : `riga ${row} delle evidenze (riga ${sheetRow} del foglio)${colIt}: `;
    this.list.push({ reason, row, sheetRow, column, message: where + en, messageIt: whereIt + it });
  }
}

function refuse(reason: EvidenceErrorReason, column: string | null, en: string, it: string): EvidenceReading {
  const error: EvidenceError = { reason, row: null, sheetRow: null, column, message: en, messageIt: it };
  return { readable: false, error, errors: [error] };
}

async function readAll(source: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number): Promise<Uint8Array | null> {
  if (source instanceof Uint8Array) return source.byteLength > maxBytes ? null : source;
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of source) {
    length += chunk.byteLength;
    if (length > maxBytes) return null;
    parts.push(chunk);
  }
  return Buffer.concat(parts, length);
}

function cleanText(cell: string): string | null {
  const text = cell.trim();
  if (text === '') return null;
  return copy(text.length <= MAX_TEXT_CHARS ? text : `${text.slice(0, MAX_TEXT_CHARS - 1)}…`);
}

/** A kept value shares nothing with the file's text (a V8 slice would keep the whole file alive with it). */
function copy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** `Double opt-in`, `DOUBLE_OPT_IN`, `Registrazione` ... -> the kind, or null. */
export function parseConfirmationKind(cell: string): ConfirmationKind | null {
  const name = normaliseHeaderName(cell).replace(/-+/g, '_');
  return (confirmationKinds as readonly string[]).includes(name) ? (name as ConfirmationKind) : null;
}

/** Reads an evidence file. Never throws on content; only the source's own errors propagate. */
export async function readConsentEvidence(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  options: EvidenceReadOptions = {},
): Promise<EvidenceReading> {
  const maxBytes = options.maxBytes ?? DEFAULT_EVIDENCE_MAX_BYTES;
  const bytes = await readAll(source, maxBytes);
  if (bytes === null) {
    return refuse(
      'too_large',
      null,
      `The evidence file exceeds the size limit of ${maxBytes} bytes.`,
      `Il file delle evidenze supera la dimensione massima di ${maxBytes} byte.`,
    );
  }
  const encoding = sniffEncoding(bytes);
  if (encoding === 'binary') {
    return refuse('not_text', null, 'The evidence file is not text (binary data?).', 'Il file delle evidenze non è un testo (dati binari?).');
  }
  const decoder = createListDecoder(encoding, encoding === 'utf-8' && isAscii(bytes));
  let text = decoder.decode(bytes) + decoder.end();
  if (text.indexOf('\u0000') >= 0) {
    return refuse('not_text', null, 'The evidence file is not text (binary data?).', 'Il file delle evidenze non è un testo (dati binari?).');
  }

  let delimiter: Delimiter;
  const sep = SEP_LINE.exec(text);
  const sepLines = sep === null ? 0 : 1;
  if (sep !== null) {
    if (!DELIMITERS.includes(sep[1]!)) {
      return refuse(
        'unsupported_delimiter',
        null,
        `The first line "sep=${sep[1]}" names a delimiter other than ; , TAB or |.`,
        `La prima riga "sep=${sep[1]}" indica un separatore diverso da ; , TAB o |.`,
      );
    }
    delimiter = sep[1] as Delimiter;
    text = text.slice(sep[0].length);
  } else {
    delimiter = sniffDelimiter(text.slice(0, 64 * 1024)) ?? ';';
  }

  const errors = new EvidenceErrors();
  const records: EvidenceRecord[] = [];
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  let header: string[] | null = null;
  let columns: Partial<Record<EvidenceField, number>> = {};
  let dataRows = 0;
  let stop: EvidenceReading | null = null;

  const onRecord = (cells: string[], count: number): boolean => {
    let blank = true;
    for (let i = 0; i < count; i++) if (cells[i]!.trim() !== '') blank = false;
    if (blank) return true;
    if (header === null) {
      header = cells.slice(0, count).map((h) => h.trim());
      const found = matchHeader(header);
      if ('refusal' in found) {
        stop = found.refusal;
        return false;
      }
      columns = found.columns;
      return true;
    }
    const row = ++dataRows;
    errors.sheetRow = reader.records + sepLines;
    if (row > maxRecords) {
      stop = refuse(
        'too_many_records',
        null,
        `The evidence file has more than ${maxRecords} records.`,
        `Il file delle evidenze contiene più di ${maxRecords} record.`,
      );
      return false;
    }
    const record = readRecord(row, cells, count, header, columns, errors);
    if (record !== null && (options.keep === undefined || options.keep(record.phone))) records.push(record);
    return true;
  };

  const reader = new CsvRecordReader(delimiter, onRecord, { maxFieldChars: MAX_CELL_CHARS });
  reader.push(text);
  const closed = reader.end();
  if (stop !== null) return stop;
  errors.sheetRow = reader.records + 1 + sepLines;
  if (reader.overflow !== null) {
    const { limit, max } = reader.overflow;
    const [en, it] =
      limit === 'field_chars'
        ? [`a cell is longer than ${max} characters (a quote left open?).`, `una cella supera i ${max} caratteri (virgolette non chiuse?).`]
        : limit === 'record_cells'
          ? [`a record has more than ${max} cells.`, `un record ha più di ${max} celle.`]
          : [`a record is longer than ${max} characters.`, `un record supera i ${max} caratteri.`];
    errors.add('malformed_csv', dataRows + 1, null, en, it);
  } else if (!closed) {
    errors.add('malformed_csv', dataRows + 1, null, 'a quoted field is never closed.', 'un campo tra virgolette non viene mai chiuso.');
  }
  if (header === null) {
    return refuse('no_header', null, 'The evidence file is empty: no header, no records.', 'Il file delle evidenze è vuoto: né intestazione né record.');
  }
  if (errors.list.length > 0) {
    const list = errors.list;
    if (errors.more > 0) {
      const last = list[list.length - 1]!;
      list[list.length - 1] = {
        ...last,
        message: `${last.message} (and ${errors.more} more errors)`,
        messageIt: `${last.messageIt} (e altri ${errors.more} errori)`,
      };
    }
    return { readable: false, error: list[0]!, errors: list };
  }
  if (dataRows === 0) {
    return refuse('no_records', null, 'The evidence file has a header but no records.', 'Il file delle evidenze ha l\'intestazione ma nessun record.');
  }
  return { readable: true, file: { encoding, delimiter, dataRows, records } };
}

function matchHeader(header: string[]): { columns: Partial<Record<EvidenceField, number>> } | { refusal: EvidenceReading } {
  const names = header.map(normaliseHeaderName);
  const columns: Partial<Record<EvidenceField, number>> = {};
  for (const field of Object.keys(evidenceColumns) as EvidenceField[]) {
    const aliases: readonly string[] = evidenceColumns[field];
    const at: number[] = [];
    names.forEach((n, i) => {
      if (aliases.includes(n)) at.push(i);
    });
    if (at.length > 1) {
      const both = at.map((i) => `"${header[i]}"`).join(' and ');
      const bothIt = at.map((i) => `"${header[i]}"`).join(' e ');
      return {
        refusal: refuse(
          'duplicate_column',
          header[at[1]!]!,
          `The evidence header names the same column twice: ${both}.`,
          `L'intestazione delle evidenze nomina due volte la stessa colonna: ${bothIt}.`,
        ),
      };
    }
    if (at.length === 1) columns[field] = at[0]!;
  }
  const missing = REQUIRED.filter((f) => columns[f] === undefined);
  if (missing.length > 0) {
    const wanted = missing.map((f) => evidenceColumns[f].slice(0, 2).join('/')).join(', ');
    const found = header.map((h) => JSON.stringify(h)).join(', ');
    return {
      refusal: refuse(
        'missing_column',
        wanted,
        `The evidence header lacks the column(s) ${wanted}; it has: ${found}.`,
        `Nell'intestazione delle evidenze manca la colonna ${wanted}; contiene: ${found}.`,
      ),
    };
  }
  return { columns };
}

function readRecord(
  row: number,
  cells: string[],
  count: number,
  header: string[],
  columns: Partial<Record<EvidenceField, number>>,
  errors: EvidenceErrors,
): EvidenceRecord | null {
  const cell = (field: EvidenceField): string => {
    const at = columns[field];
    return at === undefined || at >= count ? '' : cells[at]!;
  };
  const name = (field: EvidenceField): string => header[columns[field]!]!;
  const before = errors.list.length + errors.more;

  const phoneCell = cell('phone');
  let phone: string | null = null;
  if (phoneCell.trim() === '') {
    errors.add('malformed_value', row, name('phone'), 'no phone number.', 'manca il numero di telefono.');
  } else {
    phone = normalizePhone(phoneCell);
    if (phone === null) {
      errors.add('malformed_value', row, name('phone'), `"${shown(phoneCell)}" is not a valid phone number.`, `"${shown(phoneCell)}" non è un numero di telefono valido.`);
    }
  }

  const instant = (field: 'consentAt' | 'confirmedAt'): EvidenceInstant | null => {
    const text = cell(field).trim();
    if (text === '') return null;
    const parsed = parseInstant(copy(text));
    if (parsed === null) {
      errors.add(
        'malformed_value',
        row,
        name(field),
        `"${shown(text)}" is not an ISO 8601 date and time with its offset (e.g. 2026-03-14T10:05:00+01:00).`,
        `"${shown(text)}" non è una data e ora ISO 8601 con fuso orario (es. 2026-03-14T10:05:00+01:00).`,
      );
    }
    return parsed;
  };
  const consentAt = instant('consentAt');
  const confirmedAt = instant('confirmedAt');

  let ip: ParsedIp | null = null;
  const ipCell = cell('ip').trim();
  if (ipCell !== '') {
    ip = parseIp(ipCell);
    if (ip === null) {
      errors.add('malformed_value', row, name('ip'), `"${shown(ipCell)}" is not an IPv4 or IPv6 address.`, `"${shown(ipCell)}" non è un indirizzo IPv4 o IPv6.`);
    }
  }

  let confirmation: ConfirmationKind | null = null;
  const confirmationCell = cell('confirmation').trim();
  if (confirmationCell !== '') {
    confirmation = parseConfirmationKind(confirmationCell);
    if (confirmation === null) {
      errors.add(
        'malformed_value',
        row,
        name('confirmation'),
        `"${shown(confirmationCell)}" is not one of ${confirmationKinds.join(', ')}.`,
        `"${shown(confirmationCell)}" non è uno tra ${confirmationKinds.join(', ')}.`,
      );
    }
  }

  if (errors.list.length + errors.more > before || phone === null) return null;
  return {
    row,
    phone: copy(phone),
    consentAt,
    ip,
    source: cleanText(cell('source')),
    notice: cleanText(cell('notice')),
    confirmation,
    confirmedAt,
  };
}

/** A cell quoted in an error message, bounded. */
function shown(cell: string): string {
  const text = cell.trim();
  return text.length <= 60 ? text : `${text.slice(0, 59)}…`;
}
