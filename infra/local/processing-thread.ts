import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../../shared/pipeline/deps.js';

/** What the processing worker and its parent say to each other. */
export type ToWorker = { id: number; event: SQSEvent };
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; response: SQSBatchResponse }
  | { kind: 'failed'; id: number; error: string }
  | { kind: 'log'; level: keyof Logger; message: string; data?: Record<string, unknown> };

/**
 * Runs an SQS handler in a worker thread, so that reading a list and an attestation (seconds of CPU for a large list
 * or a hostile PDF) never holds the API's event loop: locally the API and processing share one process, and without
 * this every user waited for each document. As in Lambda, the worker builds its own dependencies from `workerData`.
 *
 * A worker that dies fails the calls it was running (the queue retries them, as SQS would) and is started again on
 * the next call.
 */
export class ProcessingThread {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: SQSBatchResponse) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    private readonly entry: URL,
    private readonly workerData: unknown,
    private readonly log: Logger,
  ) {}

  /** The handler the local queue calls. */
  readonly handler = async (event: SQSEvent, _context?: Context): Promise<SQSBatchResponse> => {
    if (this.closed) throw new Error('processing thread closed');
    const worker = this.start(await compiled(this.entry));
    await this.ready;
    const id = this.nextId++;
    return new Promise<SQSBatchResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, event } satisfies ToWorker);
    });
  };

  private start(script: string): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(script, { workerData: { data: this.workerData } });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.kind === 'ready') resolve();
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('processing worker exited while starting')));
    });
    this.ready.catch(() => {}); // reported through the calls waiting on it
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'log') this.log[message.level](message.message, message.data);
      else if (message.kind === 'done' || message.kind === 'failed') {
        const call = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.kind === 'done') call?.resolve(message.response);
        else call?.reject(new Error(message.error));
      }
    });
    worker.on('error', (err) => this.log.error('processing worker failed', { error: String(err) }));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [, call] of this.pending) call.reject(new Error(`processing worker exited (code ${code})`));
      this.pending.clear();
    });
    return worker;
  }

  /** Ends the worker; calls still running fail (the next start's sweep resumes their intakes). */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

const builds = new Map<string, Promise<string>>();

/**
 * The worker's script. A TypeScript entry is bundled once per process with esbuild, packages left to Node: a worker
 * does not inherit the parent's TypeScript loader, and transforming the engine's modules (pdfjs alone is 3.4 MB)
 * in every worker took tens of seconds where esbuild takes a fraction of one. A process started from the compiled
 * output (bin/compiled.mjs) takes the worker from the same build.
 */
function compiled(entry: URL): Promise<string> {
  const source = fileURLToPath(entry);
  const prebuilt = (globalThis as { [key: symbol]: Record<string, string> | undefined })[Symbol.for('filiera.compiledEntries')]?.[source];
  if (prebuilt) return Promise.resolve(prebuilt);
  if (!source.endsWith('.ts')) return Promise.resolve(source);
  let build = builds.get(source);
  if (!build) {
    build = (async () => {
      const { build: esbuild } = await import('esbuild');
      const outdir = path.resolve(path.dirname(source), '../../node_modules/.cache/filiera');
      await mkdir(outdir, { recursive: true });
      const outfile = path.join(outdir, `${path.basename(source, '.ts')}.mjs`);
      await esbuild({ entryPoints: [source], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
      return outfile;
    })();
    build.catch(() => builds.delete(source));
    builds.set(source, build);
  }
  return build;
}
