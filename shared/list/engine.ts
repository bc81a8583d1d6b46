import { runByteContactList } from './byte-engine.js';
import { CsvRecordReader, quoteCell, type CsvLimits, type CsvOverflow } from './csv.js';
import { dayKey, dayKeyFromIso } from './dates.js';
import { createListDecoder, isAscii, type ListDecoder } from './decode.js';
import { DedupeState } from './dedupe.js';
import {
  BINARY,
  CONSENT_DATE_HEADERS,
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
  type PhoneNormaliser,
} from './list-pass.js';
import {
  exclusionReasons,
  type Delimiter,
  type ExclusionReason,
  type ExcludedSample,
  type ListReport,
  type UnreadableReason,
} from './model.js';
import { neutraliseCell } from './neutralise.js';
import type { RpoRegister } from './rpo.js';
// Type only: shared/consent imports this module, a value import back would be a cycle.
import type { ConsentSampleSelector } from '../consent/draw.js';
import { sniffDelimiter, sniffEncoding } from './sniff.js';

export { normaliseHeaderName, type CallableCheck, type ContactListOptions, type PhoneNormaliser } from './list-pass.js';

/**
 * The string engine: decodes the list to text, reads records of cell strings and builds the released list as a
 * string. It was the engine until byte-engine.ts (same results to the byte, several times cheaper) replaced it; it
 * stays as the reference the byte engine is checked against (test/unit/list/byte-engine-differential.test.ts).
 */
export async function runContactList(
  source: AsyncIterable<Uint8Array>,
  options: ContactListOptions,
  normalizePhone: PhoneNormaliser | null,
  isCallable: CallableCheck | null = null,
): Promise<ListReport> {
  return runPass(source, options, new ContactListRun(options, normalizePhone, isCallable));
}

/** What the attestation template needs of an uploaded list: its SHA-256 and its number of data rows. */
export interface ListFacts {
  readable: boolean;
  sha256: string;
  bytes: number;
  dataRows: number;
  unreadable?: { reason: UnreadableReason; detail: string };
}

/**
 * The same pass as processContactList (the byte engine), with the same limits and the same unreadable outcomes,
 * counting data rows without checking them: no phone normalisation, no duplicates, no dates, no output.
 */
export async function readListFacts(source: AsyncIterable<Uint8Array>, options: { maxBytes: number; csvLimits?: CsvLimits }): Promise<ListFacts> {
  const report = await runByteContactList(source, { maxBytes: options.maxBytes, ...(options.csvLimits ? { csvLimits: options.csvLimits } : {}) }, null);
  return {
    readable: report.readable,
    sha256: report.sha256,
    bytes: report.bytes,
    dataRows: report.dataRows,
    ...(report.unreadable ? { unreadable: report.unreadable } : {}),
  };
}

/** The released list ends lines with CRLF, as RFC 4180 and Excel do. */
const EOL = '\r\n';

function isBlank(cells: string[], count: number): boolean {
  for (let i = 0; i < count; i++) {
    const cell = cells[i]!;
    if (cell.length !== 0 && cell.trim().length !== 0) return false;
  }
  return true;
}

/** The state of one pass over a list. */
class ContactListRun implements ListRun {
  failure: Unreadable | null = null;
  private decoder: ListDecoder | null = null;
  private eightBit = true;
  private reader: CsvRecordReader | null = null;
  private delimiter: Delimiter | null = null;
  private header: string[] | null = null;
  private phoneColumn = -1;
  private consentColumn = -1;
  private dataRows = 0;
  private releasedRows = 0;
  private readonly excluded: Record<ExclusionReason, number> = Object.fromEntries(
    exclusionReasons.map((r) => [r, 0]),
  ) as Record<ExclusionReason, number>;
  private readonly samples: ExcludedSample[] = [];
  private readonly sampleCounts: Record<ExclusionReason, number> = { ...this.excluded };
  private readonly dedupe = new DedupeState();
  private readonly periodFrom: number;
  private readonly periodTo: number;
  private readonly rpo: RpoRegister | null;
  /** The register's fast path, when it has one (RpoTable). */
  private readonly opposedOnKey: ((e164: string) => number) | null;
  private readonly writeOutput: ((chunk: Uint8Array) => void | Promise<void>) | null;
  private readonly csvLimits: CsvLimits;
  private readonly sample: Pick<ConsentSampleSelector, 'bindHeader' | 'offerCells'> | null;
  private readonly requireConsentDate: boolean;
  private out = '';
  private headerWritten = false;
  private readonly encoder = new TextEncoder();

  constructor(
    options: ContactListOptions,
    /** Null: only count the data rows (readListFacts). */
    private readonly normalizePhone: PhoneNormaliser | null,
    private readonly isCallable: CallableCheck | null = null,
  ) {
    this.requireConsentDate = options.requireConsentDate ?? false;
    const period = options.consentPeriod ?? null;
    this.periodFrom = period === null ? -1 : dayKeyFromIso(period.from);
    this.periodTo = period === null ? -1 : dayKeyFromIso(period.to);
    this.rpo = options.rpo ?? null;
    this.opposedOnKey = this.rpo?.opposedOnKey ? this.rpo.opposedOnKey.bind(this.rpo) : null;
    this.writeOutput = options.output ?? null;
    this.csvLimits = options.csvLimits ?? {};
    this.sample = options.consentSample ?? null;
  }

  get done(): boolean {
    return this.failure !== null || (this.reader?.isStopped ?? false);
  }

  get pendingOutput(): number {
    return this.out.length;
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
    this.decoder = createListDecoder(sniffed, sniffed === 'utf-8' && isAscii(headBytes));
    this.eightBit = sniffed === 'utf-8' || sniffed === 'utf-8-bom' || sniffed === 'windows-1252';
    let text = this.decoder.decode(headBytes);
    // Excel's `sep=X` first line names the delimiter and is not the header (nor a data row, nor released).
    const sep = SEP_LINE.exec(text);
    if (sep !== null) {
      const named = sep[1] as Delimiter;
      if (!SEP_DELIMITERS.includes(named)) {
        this.fail(badSepLine(sep[1]!));
        return;
      }
      text = text.slice(sep[0].length);
    }
    this.delimiter = sep !== null ? (sep[1] as Delimiter) : (sniffDelimiter(text) ?? ';');
    this.reader = new CsvRecordReader(this.delimiter, (cells, count) => this.onRecord(cells, count), this.csvLimits);
    this.push(text, headBytes);
  }

  feed(chunk: Uint8Array): void {
    this.push(this.decoder!.decode(chunk), chunk);
  }

  private push(text: string, raw: Uint8Array | null): void {
    // Binary data past the sniffed head: a NUL never belongs in a text list.
    const nul = this.eightBit && raw !== null ? raw.indexOf(0) >= 0 : text.indexOf('\u0000') >= 0;
    if (nul) {
      this.fail(nulByte(this.dataRows));
      return;
    }
    this.reader!.push(text);
    if (this.reader!.overflow !== null) this.failOverflow(this.reader!.overflow);
  }

  private failOverflow(overflow: CsvOverflow): void {
    this.fail(overflowed(overflow, this.header === null, this.dataRows));
  }

  finish(): void {
    if (this.done || this.reader === null) {
      if (this.failure === null && this.reader === null) this.fail(new Unreadable('no_data_rows', 'the list is empty'));
      return;
    }
    const tail = this.decoder!.end();
    if (tail !== '') this.push(tail, null);
    if (this.done) return;
    const closed = this.reader.end();
    if (this.reader.overflow !== null) {
      this.failOverflow(this.reader.overflow);
      return;
    }
    const failure = endOfList(this.header === null, this.dataRows, closed);
    if (failure !== null) this.fail(failure);
  }

  private onRecord(cells: string[], count: number): boolean {
    if (isBlank(cells, count)) return true;
    if (this.header === null) return this.onHeader(cells.slice(0, count));
    const row = ++this.dataRows;
    if (this.normalizePhone === null) return true;
    const phoneRaw = this.phoneColumn < count ? cells[this.phoneColumn]! : '';
    const e164 = this.normalizePhone(phoneRaw);
    if (e164 === null) return this.exclude(row, 'invalid_phone', phoneRaw);
    // A call center dials people: toll-free, premium-rate, shared-cost, UAN, voicemail and pager numbers are not.
    if (this.isCallable !== null && !this.isCallable(e164)) return this.exclude(row, 'not_callable', phoneRaw);
    // Duplicates by E.164 keep the first occurrence, whatever becomes of it below.
    if (!this.dedupe.firstSeen(e164)) return this.exclude(row, 'duplicate', phoneRaw);
    let consent = -1;
    if (this.consentColumn >= 0 && this.consentColumn < count) {
      const cell = cells[this.consentColumn]!;
      if (cell.length !== 0 && cell.trim().length !== 0) {
        consent = dayKey(cell);
        if (consent < 0) return this.exclude(row, 'invalid_consent_date', phoneRaw);
        // GDPR art. 7(1): consent must be provable; one collected outside the attested period is not covered by it.
        if (this.periodFrom >= 0 && (consent < this.periodFrom || consent > this.periodTo)) {
          return this.exclude(row, 'consent_out_of_period', phoneRaw);
        }
      }
    }
    // GDPR art. 7(1): with requireConsentDate, a consent that cannot be dated is not one the controller can prove.
    if (consent < 0 && this.requireConsentDate) return this.exclude(row, 'consent_date_missing', phoneRaw);
    if (this.rpo !== null) {
      // DPR 26/2022: registering in the RPO revokes earlier consents, not consents given after registering.
      const opposed = this.opposition(e164);
      if (opposed === 0 || (opposed > 0 && !(consent > opposed))) {
        return this.exclude(row, 'rpo_opposed', phoneRaw);
      }
    }
    this.sample?.offerCells(this.releasedRows, row, e164, cells, count);
    this.releasedRows++;
    if (this.writeOutput !== null) this.writeRow(cells, count, e164);
    return true;
  }

  /** -1 not listed, 0 listed without date, else the opposition day key. */
  private opposition(e164: string): number {
    if (this.opposedOnKey !== null) return this.opposedOnKey(e164);
    const hit = this.rpo!.lookup(e164);
    if (hit === undefined) return -1;
    return hit.opposedOn === null ? 0 : dayKeyFromIso(hit.opposedOn);
  }

  private onHeader(header: string[]): boolean {
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

  private exclude(row: number, reason: ExclusionReason, phone: string): boolean {
    this.excluded[reason]++;
    if (this.sampleCounts[reason]++ < SAMPLES_PER_REASON) this.samples.push({ row, reason, phone });
    return true;
  }

  private writeRow(cells: string[], count: number, e164: string): void {
    if (!this.headerWritten) {
      this.headerWritten = true;
      this.out += this.header!.map((h) => quoteCell(neutraliseCell(h))).join(';') + EOL;
    }
    const width = count > this.header!.length ? count : this.header!.length;
    const phone = this.phoneColumn;
    let line = '';
    for (let i = 0; i < width; i++) {
      if (i > 0) line += ';';
      if (i === phone) line += e164;
      else if (i < count) {
        const cell = cells[i]!;
        if (cell.length !== 0) line += quoteCell(neutraliseCell(cell));
      }
    }
    this.out += line + EOL;
  }

  async flush(): Promise<void> {
    if (this.out.length === 0) return;
    const text = this.out;
    this.out = '';
    if (this.failure !== null || this.writeOutput === null) return;
    await this.writeOutput(this.encoder.encode(text));
  }

  report(sha256: string, bytes: number): ListReport {
    const readable = this.failure === null;
    const report: ListReport = {
      readable,
      sha256,
      bytes,
      encoding: this.decoder?.encoding ?? null,
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
