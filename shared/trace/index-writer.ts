import { ByteWriter, ParquetWriter, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { CsvRecordReader } from '../list/csv.js';
import { parseCalendarDate } from '../list/dates.js';
import { normaliseHeaderName } from '../list/engine.js';
import { traceColumns, traceHash } from './index-layout.js';

/** What every row of one release's index shares. */
export interface ReleaseFacts {
  intakeId: string;
  callCenter: string;
  campaign: string;
  releasedAt: Date;
}

/**
 * Rows per row group: what the writer holds at once (about 100 bytes a row). A release of a million rows is 20 groups;
 * memory stays at one group whatever the list.
 */
export const TRACE_ROW_GROUP_ROWS = 50_000;
/** A consent source is a URL or a channel; a longer cell is cut (the released list keeps it whole). */
export const MAX_CONSENT_SOURCE_CHARS = 512;

/** The released list's columns the index reads (docs/list-format.md names them). */
const PHONE_HEADERS = ['telefono', 'phone', 'cellulare', 'numero', 'msisdn'];
const CONSENT_DATE_HEADERS = ['data_consenso', 'consent_date'];
const CONSENT_SOURCE_HEADERS = ['fonte_consenso', 'consent_source'];

const schema: SchemaElement[] = [
  { name: 'root', num_children: traceColumns.length },
  { name: 'hash', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
  { name: 'consent_date', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'consent_source', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'intake_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'call_center', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'campaign', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'released_at', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
];

/** One index row before it is written: the keyed hash and the row's consent facts, never the number. */
export interface TraceIndexEntry {
  hash: Uint8Array;
  consentDate: string | null;
  consentSource: string | null;
}

/**
 * Reads a released (or staged cleaned) list as the list engine wrote it (UTF-8, `;`, RFC 4180, header row, phones in
 * E.164) and hands its rows as index entries in batches, hashing each number as it goes: the number itself is never
 * kept beyond the row being read. Streamed: memory holds one batch and one chunk of text.
 */
export async function* traceEntries(list: AsyncIterable<Uint8Array>, key: Uint8Array, batchRows = TRACE_ROW_GROUP_ROWS): AsyncGenerator<TraceIndexEntry[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let phone = -1;
  let consentDate = -1;
  let consentSource = -1;
  let header = true;
  let batch: TraceIndexEntry[] = [];
  let failure: Error | null = null;
  const reader = new CsvRecordReader(';', (cells, count) => {
    if (header) {
      header = false;
      const names = cells.slice(0, count).map(normaliseHeaderName);
      phone = names.findIndex((n) => PHONE_HEADERS.includes(n));
      consentDate = names.findIndex((n) => CONSENT_DATE_HEADERS.includes(n));
      consentSource = names.findIndex((n) => CONSENT_SOURCE_HEADERS.includes(n));
      if (phone < 0) {
        failure = new Error('the released list has no phone column');
        return false;
      }
      return;
    }
    const e164 = phone < count ? cells[phone]! : '';
    if (e164 === '') return; // a blank record: the engine writes none, but a hand-made list may
    const date = consentDate >= 0 && consentDate < count ? parseCalendarDate(cells[consentDate]!) : null;
    const source = consentSource >= 0 && consentSource < count && cells[consentSource] !== '' ? cells[consentSource]!.slice(0, MAX_CONSENT_SOURCE_CHARS) : null;
    batch.push({ hash: traceHash(key, e164), consentDate: date, consentSource: source });
  });
  for await (const chunk of list) {
    reader.push(decoder.decode(chunk, { stream: true }));
    if (failure) throw failure;
    while (batch.length >= batchRows) {
      yield batch.slice(0, batchRows);
      batch = batch.slice(batchRows);
    }
  }
  reader.push(decoder.decode());
  const complete = reader.end();
  if (failure) throw failure;
  if (!complete) throw new Error('the released list ends inside a quoted field');
  if (reader.overflow) throw new Error(`the released list broke a reading limit (${reader.overflow.limit})`);
  while (batch.length > 0) {
    yield batch.slice(0, batchRows);
    batch = batch.slice(batchRows);
  }
}

/** Hands out what the Parquet writer wrote at each row group's end, instead of holding the whole file. */
class ChunkWriter extends ByteWriter {
  private chunks: Uint8Array[] = [];

  flush(): void {
    if (this.index === 0) return;
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }

  take(): Uint8Array[] {
    const taken = this.chunks;
    this.chunks = [];
    return taken;
  }
}

/**
 * One release's index as a Parquet file, streamed: a row group per batch of entries, each handed on as soon as it is
 * written (the object store uploads it in parts). A trace reads the hash column, then the other columns of the row
 * groups that matched; the release's facts repeat on each row and encode to a few bytes per group (dictionary,
 * run-length).
 */
export async function* traceIndexFile(entries: AsyncIterable<TraceIndexEntry[]>, release: ReleaseFacts): AsyncGenerator<Uint8Array> {
  const writer = new ChunkWriter(1024 * 1024);
  const parquet = new ParquetWriter({ writer, schema, createdBy: 'filiera trace index' });
  const releasedAt = release.releasedAt.toISOString();
  for await (const batch of entries) {
    if (batch.length === 0) continue;
    const n = batch.length;
    const columnData: ColumnSource[] = [
      // Random bytes: statistics prune nothing and compression gains nothing. No bloom filter either: DuckDB 1.5's
      // parquet_bloom_probe reads hyparquet-writer's filter for this BYTE_ARRAY column as excluding every row group,
      // hash present or not, and a reader that trusted it (Athena's Trino reads Parquet bloom filters) would miss
      // releases; a trace reads the whole hash column instead (34 bytes a row: npm run bench trace).
      { name: 'hash', data: batch.map((e) => e.hash), statistics: false, codec: 'UNCOMPRESSED' },
      { name: 'consent_date', data: batch.map((e) => e.consentDate) },
      { name: 'consent_source', data: batch.map((e) => e.consentSource) },
      { name: 'intake_id', data: new Array<string>(n).fill(release.intakeId) },
      { name: 'call_center', data: new Array<string>(n).fill(release.callCenter) },
      { name: 'campaign', data: new Array<string>(n).fill(release.campaign) },
      { name: 'released_at', data: new Array<string>(n).fill(releasedAt) },
    ];
    await parquet.write({ columnData, rowGroupSize: n });
    yield* writer.take();
  }
  await parquet.finish();
  yield* writer.take();
}
