import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { ByteListRun, type CellSpans, type PhoneReader } from './byte-engine.js';
import { runPass, type ContactListOptions, type ListHash } from './list-pass.js';
import type { ListReport } from './model.js';

/**
 * The byte engine with its rows read by worker threads, for big lists (docs/list-format.md): the main thread reads the
 * list as the byte engine does (hash, size limit, encoding, records, every unreadable outcome, at the same byte), and
 * hands its data rows in batches to the threads, which read each row's phone and consent date and write its released
 * line. The main thread then takes the batches back in list order and applies the rules that need the whole list so
 * far (duplicates keep the first occurrence of the list, the RPO, the consent sample) and writes the released lines.
 * Same results as the byte engine to the byte (test/unit/list/parallel-engine.test.ts).
 *
 * Below `minBytes` (or without `expectedBytes`, or with no thread to spare) it is the byte engine: starting threads
 * and copying rows to them costs more than it saves on a small list.
 */

export interface ParallelOptions {
  /** Worker threads (default: the cores but one, at least one). */
  threads?: number;
  /** The list length from which threads are used (default 128 MiB); compared with options.expectedBytes. */
  minBytes?: number;
  /** Rows a batch holds (default 4096); tests lower it to make many batches of a small list. */
  batchRows?: number;
}

/**
 * Below this, starting threads and copying rows to them costs the whole filiera verify process more than it saves
 * (docs/list-format.md: 1M rows, 76 MB, were slower with threads; 2M rows, 150 MB, faster).
 */
export const PARALLEL_MIN_BYTES = 128 * 1024 * 1024;
/** Rows a batch holds, and the batches in flight per thread before the reader waits for the oldest. */
const BATCH_ROWS = 4096;
const IN_FLIGHT_PER_THREAD = 3;

export async function runParallelContactList(
  source: AsyncIterable<Uint8Array>,
  options: ContactListOptions,
  phones: PhoneReader,
  parallel: ParallelOptions = {},
): Promise<ListReport> {
  const threads = parallel.threads ?? Math.max(1, availableParallelism() - 1);
  const minBytes = parallel.minBytes ?? PARALLEL_MIN_BYTES;
  if (threads < 1 || options.expectedBytes === undefined || options.expectedBytes < minBytes || !rowThreadCodeShipped()) {
    return runPass(source, options, new ByteListRun(options, phones));
  }
  const pool = rowThreads(threads);
  const run = new ParallelListRun(options, phones, pool, parallel.batchRows ?? BATCH_ROWS);
  try {
    return await runPass(source, options, run, new ThreadHash(pool));
  } finally {
    run.stop();
  }
}

/**
 * The list's SHA-256 computed by the last row thread, so that the main thread only reads: each chunk is posted as a
 * copy (the source may hand out views of a shared pool), in order, and the digest comes back after the last one.
 */
class ThreadHash implements ListHash {
  private readonly worker: Worker;
  private readonly id = nextBatchId++;

  constructor(private readonly pool: RowThreads) {
    this.worker = pool.workers[pool.workers.length - 1]!;
    this.worker.postMessage({ hash: this.id });
  }

  update(chunk: Uint8Array): void {
    const copy = new Uint8Array(chunk); // a copy (Buffer#slice would be a view of the same memory)
    this.worker.postMessage({ hash: this.id, chunk: copy }, [copy.buffer as ArrayBuffer]);
  }

  digest(): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.pool.waiting.set(this.id, (result) => (result instanceof Error ? reject(result) : resolve(result as unknown as string)));
      this.worker.postMessage({ hash: this.id, digest: true });
    });
  }
}

/**
 * A thread running row-worker: the .js beside this module in a build; from TypeScript sources (tests, tsx), through
 * tsx's loader, which a thread does not inherit.
 */
/** The row thread's code where startRowThread looks for it: a runtime without it reads on the main thread alone. */
function rowThreadCodeShipped(): boolean {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return true;
  try {
    return existsSync(new URL(here.endsWith('.mjs') ? './row-worker.mjs' : './row-worker.js', here));
  } catch {
    return false;
  }
}

function startRowThread(): Worker {
  const here = import.meta.url;
  // bin/compiled.mjs writes row-worker.mjs beside its chunks; a tsc-style build, row-worker.js beside this file.
  if (here.endsWith('.mjs')) return new Worker(new URL('./row-worker.mjs', here));
  if (!here.endsWith('.ts')) return new Worker(new URL('./row-worker.js', here));
  // tsx's ESM entry of its API (require.resolve names the CommonJS one, whose tsImport does not load in a thread)
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = fileURLToPath(new URL('./row-worker.ts', here));
  const code = `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
  return new Worker(code, { eval: true });
}

/**
 * The row threads, started once per process and shared by the runs (a thread costs a module load: too much for one
 * list); they do not keep the process alive. A run's messages carry its id, a batch's a process-wide id.
 */
interface RowThreads {
  readonly workers: Worker[];
  readonly waiting: Map<number, (result: BatchResult | Error) => void>;
  /** Runs using the threads: while there is one, the threads hold the process (a run awaits them). */
  active: { runs: number };
}

let threadsStarted: RowThreads | null = null;
let nextRunId = 0;
let nextBatchId = 0;

function rowThreads(count: number): RowThreads {
  const pool: RowThreads = threadsStarted ?? { workers: [], waiting: new Map(), active: { runs: 0 } };
  threadsStarted = pool;
  while (pool.workers.length < count) {
    const worker = startRowThread();
    worker.on('message', (result: BatchResult | { hash: number; digest: string }) => {
      const id = 'batch' in result ? result.batch.id : result.hash;
      const resolve = pool.waiting.get(id);
      pool.waiting.delete(id);
      resolve?.('batch' in result ? result : (result.digest as unknown as BatchResult));
    });
    const fault = (error: Error) => {
      // A thread that fails takes the pool with it: every batch waiting fails, the next run starts new threads.
      if (threadsStarted === pool) threadsStarted = null;
      for (const resolve of pool.waiting.values()) resolve(error);
      pool.waiting.clear();
      for (const w of pool.workers) void w.terminate();
    };
    worker.on('error', fault);
    worker.on('exit', (code) => fault(new Error(`a list row thread exited (code ${code})`)));
    if (pool.active.runs === 0) worker.unref(); // after the listeners, which would ref it again
    pool.workers.push(worker);
  }
  return { workers: pool.workers.slice(0, count), waiting: pool.waiting, active: pool.active };
}

/** A batch of data rows: their bytes, and each row's cells as spans of those bytes. */
export interface RowBatch {
  id: number;
  firstRow: number;
  rows: number;
  bytes: Uint8Array;
  /** Per row: the index of its first cell in the cell arrays, and its cell count. */
  rowCell: Int32Array;
  rowCount: Int32Array;
  cellStart: Int32Array;
  cellEnd: Int32Array;
  cellKind: Uint8Array;
}

/** What a thread found in a batch, row by row. */
export interface BatchResult {
  batch: RowBatch;
  /** 0: not a valid phone; 1: valid and callable; 2: valid, not callable. */
  status: Uint8Array;
  keys: Float64Array;
  /** E.164 where the key cannot stand for it (no key, or the main thread needs the text), by row index. */
  e164: Map<number, string>;
  consent: Int32Array;
  /** The released line of each valid, callable row: out[outEnd[i - 1], outEnd[i]). */
  out: Uint8Array;
  outEnd: Int32Array;
}

/** What a thread is told once the header is read. */
export interface RowSetup {
  header: string[];
  delimiter: string;
  phoneColumn: number;
  consentColumn: number;
  writeLines: boolean;
  /** The main thread needs every row's E.164 as text (a register without keys, the consent sample). */
  needE164: boolean;
  requireConsentDate: boolean;
}

/** One row of a batch as the rules read it. */
export class BatchCells implements CellSpans {
  buf: Buffer = Buffer.alloc(0);
  cellStart = new Int32Array(64);
  cellEnd = new Int32Array(64);
  cellKind = new Uint8Array(64);

  private bytes: Uint8Array | null = null;

  /** Points at row i of the batch; returns its cell count. */
  load(batch: RowBatch, i: number): number {
    // A batch's bytes are a new array each time they come back from a thread (a transfer).
    if (batch.bytes !== this.bytes) {
      this.bytes = batch.bytes;
      this.buf = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    }
    const at = batch.rowCell[i]!;
    const count = batch.rowCount[i]!;
    if (count > this.cellStart.length) {
      this.cellStart = new Int32Array(count);
      this.cellEnd = new Int32Array(count);
      this.cellKind = new Uint8Array(count);
    }
    for (let k = 0; k < count; k++) {
      this.cellStart[k] = batch.cellStart[at + k]!;
      this.cellEnd[k] = batch.cellEnd[at + k]!;
      this.cellKind[k] = batch.cellKind[at + k]!;
    }
    return count;
  }
}

class ParallelListRun extends ByteListRun {
  private readonly runId = nextRunId++;
  private readonly inFlight: Promise<BatchResult | Error>[] = [];
  private started = false;
  private nextWorker = 0;
  private batch: RowBatch | null = null;
  private batchBytes = 0;
  private batchCells = 0;
  private readonly view = new BatchCells();
  /** Batches back from the threads, merged: their buffers carry the next rows. */
  private readonly spare: RowBatch[] = [];

  private readonly threads: number;

  constructor(
    options: ContactListOptions,
    phones: PhoneReader,
    private readonly pool: RowThreads,
    private readonly batchRows: number,
  ) {
    super(options, phones);
    this.threads = pool.workers.length;
  }

  override get pendingOutput(): number {
    // Past its share of batches in flight, the reader waits (runPass awaits flush, which merges the oldest).
    return this.inFlight.length >= this.threads * IN_FLIGHT_PER_THREAD ? Number.MAX_SAFE_INTEGER : this.releasedBytes;
  }

  protected override dataRow(row: number, count: number): void {
    if (!this.started) this.setUp();
    const r = this.cells;
    const from = r.cellStart[0]!;
    const to = r.cellEnd[count - 1]!;
    let batch = this.batch;
    const end = this.regionFrom < 0 ? this.batchBytes + (to - from) : this.regionAt + (to - this.regionFrom);
    if (batch === null || batch.rows === this.batchRows || end > batch.bytes.length || this.batchCells + count > batch.cellStart.length) {
      if (batch !== null) this.dispatch();
      batch = this.newBatch(row, to - from, count);
    }
    if (this.regionFrom < 0) {
      this.regionFrom = from;
      this.regionAt = this.batchBytes;
    }
    const i = batch.rows++;
    batch.rowCell[i] = this.batchCells;
    batch.rowCount[i] = count;
    const shift = this.regionAt - this.regionFrom;
    for (let k = 0; k < count; k++) {
      batch.cellStart[this.batchCells + k] = r.cellStart[k]! + shift;
      batch.cellEnd[this.batchCells + k] = r.cellEnd[k]! + shift;
      batch.cellKind[this.batchCells + k] = r.cellKind[k]!;
    }
    this.batchCells += count;
    this.batchBytes = to + shift;
  }

  /**
   * The rows of a chunk are copied into the batch in one piece, the reader's bytes from the first row to the last
   * (what lies between rows, line ends and blank records, comes along unread).
   */
  private regionFrom = -1;
  private regionAt = 0;

  protected override afterRecords(): void {
    this.copyRegion();
  }

  private copyRegion(): void {
    if (this.regionFrom < 0) return;
    this.reader!.buf.copy(this.batch!.bytes, this.regionAt, this.regionFrom, this.regionFrom + (this.batchBytes - this.regionAt));
    this.regionFrom = -1;
  }

  private newBatch(firstRow: number, bytes: number, cells: number): RowBatch {
    this.batchBytes = 0;
    this.batchCells = 0;
    const spare = this.spare.pop();
    if (spare !== undefined && spare.bytes.length >= bytes && spare.cellStart.length >= cells) {
      spare.id = nextBatchId++;
      spare.firstRow = firstRow;
      spare.rows = 0;
      this.batch = spare;
      return spare;
    }
    this.batch = {
      id: nextBatchId++,
      firstRow,
      rows: 0,
      bytes: new Uint8Array(Math.max(this.batchRows * 128, bytes)),
      rowCell: new Int32Array(this.batchRows),
      rowCount: new Int32Array(this.batchRows),
      cellStart: new Int32Array(Math.max(this.batchRows * 16, cells)),
      cellEnd: new Int32Array(Math.max(this.batchRows * 16, cells)),
      cellKind: new Uint8Array(Math.max(this.batchRows * 16, cells)),
    };
    return this.batch;
  }

  /** Tells the threads how to read this list's rows, once its header is read. */
  private setUp(): void {
    this.started = true;
    if (this.pool.active.runs++ === 0) for (const worker of this.pool.workers) worker.ref();
    const setup: RowSetup = {
      header: this.header!,
      delimiter: this.delimiter!,
      phoneColumn: this.phoneColumn,
      consentColumn: this.consentColumn,
      writeLines: this.writeOutput !== null,
      needE164: this.sample !== null || (this.rpo !== null && this.rpo.opposedOnE164Key === undefined),
      requireConsentDate: this.requireConsentDate,
    };
    for (const worker of this.pool.workers) worker.postMessage({ run: this.runId, setup });
  }

  private dispatch(): void {
    this.copyRegion();
    const batch = this.batch!;
    this.batch = null;
    if (batch.rows === 0) return;
    const worker = this.pool.workers[this.nextWorker]!;
    this.nextWorker = (this.nextWorker + 1) % this.threads;
    this.inFlight.push(
      new Promise<BatchResult | Error>((resolve) => {
        this.pool.waiting.set(batch.id, resolve);
      }),
    );
    worker.postMessage({ run: this.runId, batch }, [batch.bytes.buffer, batch.rowCell.buffer, batch.rowCount.buffer, batch.cellStart.buffer, batch.cellEnd.buffer, batch.cellKind.buffer] as ArrayBuffer[]);
  }

  /** Merges the oldest batches: all of them once the list is read, else until the threads have room. */
  protected override async settle(): Promise<void> {
    if (this.finished && this.batch !== null) this.dispatch();
    while (this.inFlight.length > 0 && (this.finished || this.inFlight.length >= this.threads * IN_FLIGHT_PER_THREAD)) {
      const result = await this.inFlight.shift()!;
      if (result instanceof Error) throw result;
      this.merge(result);
      this.spare.push(result.batch);
    }
  }

  /** The rules of each row of a batch, in list order, on what the thread found. */
  private merge(result: BatchResult): void {
    const batch = result.batch;
    const view = this.view;
    const reading = this.cells;
    this.cells = view;
    this.merging = batch;
    const writes = this.writeOutput !== null;
    // Released lines are written by runs of consecutive released rows, one copy each.
    let runFrom = 0;
    let outFrom = 0;
    for (let i = 0; i < batch.rows; i++) {
      const row = batch.firstRow + i;
      const count = batch.rowCount[i]!;
      this.mergingRow = i;
      const status = result.status[i]!;
      const outTo = result.outEnd[i]!;
      let released = false;
      if (status === 0) {
        this.exclude(row, 'invalid_phone', count);
      } else {
        const key = result.keys[i]!;
        // The thread sends the text only where the key cannot stand for it (judge and offer read it only then).
        const e164 = result.e164.get(i) ?? '';
        released = this.judge(row, count, e164, key, status === 1, result.consent[i]!);
        if (released) this.offer(row, count, e164);
      }
      if (!released && writes) {
        if (outFrom > runFrom) this.writeLines(result.out, runFrom, outFrom);
        runFrom = outTo;
      }
      outFrom = outTo;
    }
    if (writes && outFrom > runFrom) this.writeLines(result.out, runFrom, outFrom);
    this.cells = reading;
  }

  // The cells of the row being merged are loaded only when text is needed: a sample, the consent sample.
  private merging: RowBatch | null = null;
  private mergingRow = 0;

  protected override phoneText(count: number): string {
    this.view.load(this.merging!, this.mergingRow);
    return super.phoneText(count);
  }

  protected override offer(row: number, count: number, e164: string): void {
    if (this.sample !== null) this.view.load(this.merging!, this.mergingRow);
    super.offer(row, count, e164);
  }

  private writeLines(out: Uint8Array, from: number, to: number): void {
    this.writeHeaderOnce();
    this.writeBytes(out, from, to);
  }

  /** The threads forget this run (its batches still in flight, after a fault, are dropped as they come back). */
  stop(): void {
    if (!this.started) return;
    for (const worker of this.pool.workers) worker.postMessage({ run: this.runId, end: true });
    if (--this.pool.active.runs === 0) for (const worker of this.pool.workers) worker.unref();
  }
}
