import { createHash } from 'node:crypto';

import type { CsvLimits, CsvOverflow } from './csv.js';
import type { DateRange, ListReport, UnreadableReason } from './model.js';
import type { RpoRegister } from './rpo.js';
// Type only: shared/consent imports the engine, a value import back would be a cycle.
import type { ConsentSampleSelector } from '../consent/draw.js';

/**
 * What every pass over a contact list shares (docs/list-format.md): its options, the header rules, the unreadable
 * outcomes, and the outer loop that hashes every byte, stops past maxBytes and sniffs on the first 64 KiB. The
 * byte engine (byte-engine.ts) and the string engine it is checked against (engine.ts) differ only in the run.
 */

// No phone library here: the normaliser is a parameter (process.ts passes libphonenumber-js), so that code that only
// needs a list's hash and row count (readListFacts: the attestation template) bundles none of it.

/** A phone cell to E.164, or null when it is not a valid number. */
export type PhoneNormaliser = (raw: string) => string | null;
/** Whether a valid number is a personal line (mobile, fixed line or either), not a service number. */
export type CallableCheck = (e164: string) => boolean;

export interface ContactListOptions {
  /** policy.maxListBytes: a longer list is unreadable ('too_large'); reading stops there. */
  maxBytes: number;
  /**
   * The list's length in bytes when the caller knows it (a file, an S3 object): the dedupe table is then sized once
   * for the rows the list can hold and never regrows. A wrong figure costs memory or a regrowth, never a result.
   */
  expectedBytes?: number;
  /** The attested collection period; null/undefined = no consent-period check. */
  consentPeriod?: DateRange | null;
  /** The suppression register. */
  rpo?: RpoRegister | null;
  /**
   * Receives the released list as UTF-8 bytes (awaited: backpressure). It is never called for a list found
   * unreadable from its head (not text, no phone column, no data rows). A list found too large or malformed only
   * at its end has already streamed part of its rows: the caller discards what it received when `readable` is false.
   */
  output?: (chunk: Uint8Array) => void | Promise<void>;
  /** The reader's per-cell and per-record caps (default csv.ts's); tests lower them to stay small. */
  csvLimits?: CsvLimits;
  /** Bytes read before sniffing the encoding and the delimiter (default 64 KiB); tests lower it to stay small. */
  headBytes?: number;
  /** policy.requireConsentDate: a row without a consent date is excluded (consent_date_missing). */
  requireConsentDate?: boolean;
  /**
   * Draws the consent sample in this same pass (docs/consent-sampling.md: no second read of the list): bound to the
   * header once, offered every released row in released order.
   */
  consentSample?: Pick<ConsentSampleSelector, 'bindHeader' | 'offerCells'> | null;
}

/** Bytes read before sniffing the encoding and the delimiter. */
export const HEAD_BYTES = 64 * 1024;
/** Released list buffered (characters or bytes) before it is handed to `output`. */
export const FLUSH_SIZE = 64 * 1024;
export const SAMPLES_PER_REASON = 20;

export const PHONE_HEADERS = ['telefono', 'phone', 'cellulare', 'numero', 'msisdn'];
/** `sep=;` (any case) alone on the first line, as Excel writes and reads it. */
export const SEP_LINE = /^sep=([^\r\n]?)(?:\r\n|\n|\r)/i;
export const SEP_DELIMITERS: readonly string[] = [';', ',', '\t', '|'];
export const CONSENT_DATE_HEADERS = ['data_consenso', 'consent_date'];

/** Header names match case- and accent-insensitively, spaces and '_' alike. */
export function normaliseHeaderName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[\s_]+/g, '_');
}

export class Unreadable {
  constructor(
    readonly reason: UnreadableReason,
    readonly detail: string,
  ) {}
}

export function noPhoneColumn(header: readonly string[]): Unreadable {
  const found = header.map((h) => JSON.stringify(h)).join(', ');
  return new Unreadable('no_phone_column', `no phone column (one of ${PHONE_HEADERS.join(', ')}); the header has: ${found || '(nothing)'}`);
}

export function badSepLine(named: string): Unreadable {
  return new Unreadable('malformed_csv', `the first line "sep=${named}" names a delimiter other than ; , TAB or |`);
}

export function nulByte(dataRows: number): Unreadable {
  return new Unreadable('not_text', `the file is not text: it holds a NUL byte after ${dataRows} data rows`);
}

export const BINARY = new Unreadable('not_text', 'the file is not text: it holds NUL or control bytes (binary data?)');

/** A record over the reader's caps: the list is malformed there, never a RangeError out of a string too long. */
export function overflowed(overflow: CsvOverflow, inHeader: boolean, dataRows: number): Unreadable {
  const where = inHeader ? 'the header' : `data row ${dataRows + 1}`;
  const what =
    overflow.limit === 'field_chars'
      ? `a field longer than ${overflow.max} characters (an unquoted or never-closed field?)`
      : overflow.limit === 'record_cells'
        ? `more than ${overflow.max} cells`
        : `more than ${overflow.max} characters in one record`;
  return new Unreadable('malformed_csv', `${where} holds ${what}`);
}

/** The outcome of a list whose reading ended without a finding yet; null when it is readable. */
export function endOfList(inHeader: boolean, dataRows: number, closed: boolean): Unreadable | null {
  if (!closed) {
    const where = inHeader ? 'the header' : `data row ${dataRows + 1}`;
    return new Unreadable('malformed_csv', `a quoted field opened in ${where} is never closed`);
  }
  if (inHeader) return new Unreadable('no_data_rows', 'the list is empty: no header, no rows');
  if (dataRows === 0) return new Unreadable('no_data_rows', 'the list has a header but no data rows');
  return null;
}

/** One pass's state, as the outer loop drives it. */
export interface ListRun {
  readonly failure: Unreadable | null;
  readonly done: boolean;
  /** Released list held, not yet handed to `output`. */
  readonly pendingOutput: number;
  fail(failure: Unreadable): void;
  start(head: Uint8Array): void;
  feed(chunk: Uint8Array): void;
  finish(): void;
  flush(): Promise<void>;
  report(sha256: string, bytes: number): ListReport;
}

/**
 * The outer loop: hashes every byte, stops past maxBytes, sniffs on the first `headBytes` and feeds the rest as it
 * comes. An unreadable list keeps being hashed (the report names the bytes as uploaded) but is parsed no more.
 */
export async function runPass(
  source: AsyncIterable<Uint8Array>,
  options: ContactListOptions,
  run: ListRun,
  hash: ListHash = createHash('sha256'),
): Promise<ListReport> {
  const headBytes = options.headBytes ?? HEAD_BYTES;
  let bytes = 0;
  const head: Uint8Array[] = [];
  let headLength = 0;
  let started = false;

  for await (const chunk of slices(source)) {
    bytes += chunk.byteLength;
    hash.update(chunk);
    if (bytes > options.maxBytes) {
      run.fail(
        new Unreadable(
          'too_large',
          `the list exceeds the size limit of ${options.maxBytes} bytes (read ${bytes} bytes, then stopped)`,
        ),
      );
      break;
    }
    if (run.done) continue; // unreadable: keep hashing the bytes, parse no more
    if (!started) {
      head.push(chunk);
      headLength += chunk.byteLength;
      if (headLength < headBytes) continue;
      started = true;
      run.start(concat(head, headLength));
      head.length = 0;
    } else {
      run.feed(chunk);
    }
    if (run.pendingOutput >= FLUSH_SIZE) await run.flush();
  }
  if (!started && run.failure === null) run.start(concat(head, headLength));
  run.finish();
  await run.flush();
  return run.report(await hash.digest('hex'), bytes);
}

/** The list's SHA-256 as the outer loop feeds it: node:crypto's Hash, or one computed elsewhere (another thread). */
export interface ListHash {
  update(chunk: Uint8Array): unknown;
  digest(encoding: 'hex'): string | Promise<string>;
}

/**
 * Bytes decoded at once. The field cap only holds if no single decode makes a string past V8's limit: a source that
 * hands over one huge chunk (a file read whole) is cut up first. Smaller chunks pass as they are.
 */
const MAX_DECODE_BYTES = 1024 * 1024;

async function* slices(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    if (chunk.byteLength <= MAX_DECODE_BYTES) yield chunk;
    else for (let at = 0; at < chunk.byteLength; at += MAX_DECODE_BYTES) yield chunk.subarray(at, at + MAX_DECODE_BYTES);
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
}
