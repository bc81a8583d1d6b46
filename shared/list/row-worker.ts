import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

import { ByteListRun } from './byte-engine.js';
import type { Delimiter } from './model.js';
import { BatchCells, type BatchResult, type RowBatch, type RowSetup } from './parallel-engine.js';
import { phoneReader } from './phone-bytes.js';

/**
 * A worker thread of parallel-engine.ts: reads the phone and the consent date of each row of a batch and writes its
 * released line, with the byte engine's own steps; the rules that need the whole list stay on the main thread.
 */
class RowThread extends ByteListRun {
  private readonly needE164: boolean;
  private readonly writeLines: boolean;
  private readonly view = new BatchCells();

  constructor(setup: RowSetup) {
    super({ maxBytes: 0, requireConsentDate: setup.requireConsentDate }, phoneReader);
    this.header = setup.header;
    this.delimiter = setup.delimiter as Delimiter;
    this.phoneColumn = setup.phoneColumn;
    this.consentColumn = setup.consentColumn;
    this.copiesRows = setup.delimiter === ';';
    this.headerWritten = true; // the main thread writes it
    this.needE164 = setup.needE164;
    this.writeLines = setup.writeLines;
    this.cells = this.view;
  }

  read(batch: RowBatch): { result: BatchResult; transfer: ArrayBuffer[] } {
    const n = batch.rows;
    const status = new Uint8Array(n);
    const keys = new Float64Array(n);
    const e164s = new Map<number, string>();
    const consent = new Int32Array(n);
    const outEnd = new Int32Array(n);
    this.out = Buffer.allocUnsafe(Math.ceil(batch.bytes.length * 1.25) + 1024);
    this.outPos = 0;
    for (let i = 0; i < n; i++) {
      const count = this.view.load(batch, i);
      const reading = this.readRow(count);
      const e164 = reading.e164;
      if (e164 !== null) {
        const callable = reading.callable ?? phoneReader.isCallable(e164);
        status[i] = callable ? 1 : 2;
        keys[i] = reading.key;
        if (reading.key < 0 || this.needE164) e164s.set(i, e164);
        consent[i] = this.consentOf(count);
        if (callable && this.writeLines) this.writeRow(count, e164, reading.key);
      }
      outEnd[i] = this.outPos;
    }
    const out = this.out.subarray(0, this.outPos);
    const result: BatchResult = { batch, status, keys, e164: e164s, consent, out, outEnd };
    const transfer = [batch.bytes.buffer, batch.rowCell.buffer, batch.rowCount.buffer, batch.cellStart.buffer, batch.cellEnd.buffer, batch.cellKind.buffer];
    transfer.push(status.buffer, keys.buffer, consent.buffer, outEnd.buffer);
    if (out.buffer !== batch.bytes.buffer) transfer.push(out.buffer);
    return { result, transfer: transfer as ArrayBuffer[] };
  }

  /** One contiguous buffer per batch: grown, never handed out in pieces. */
  protected override reserve(bytes: number): void {
    if (this.outPos + bytes <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.outPos + bytes));
    this.out.copy(grown, 0, 0, this.outPos);
    this.out = grown;
  }
}

/** The runs this thread reads rows for, by run id (set up when a list's header is read, ended with the run). */
const runs = new Map<number, RowThread>();
/** The SHA-256 of the lists whose bytes this thread hashes, by id (parallel-engine.ts ThreadHash). */
const hashes = new Map<number, Hash>();
type Message =
  | { run: number; setup?: RowSetup; batch?: RowBatch; end?: true; hash?: undefined }
  | { hash: number; chunk?: Uint8Array; digest?: true };
parentPort!.on('message', (message: Message) => {
  if (message.hash !== undefined) {
    if (message.chunk !== undefined) hashes.get(message.hash)!.update(message.chunk);
    else if (message.digest) {
      parentPort!.postMessage({ hash: message.hash, digest: hashes.get(message.hash)!.digest('hex') });
      hashes.delete(message.hash);
    } else hashes.set(message.hash, createHash('sha256'));
  } else if (message.setup !== undefined) runs.set(message.run, new RowThread(message.setup));
  else if (message.end) runs.delete(message.run);
  else {
    const { result, transfer } = runs.get(message.run)!.read(message.batch!);
    parentPort!.postMessage(result, transfer);
  }
});
