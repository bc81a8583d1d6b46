import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessingThread } from '../../../infra/local/processing-thread.js';
import { silentLogger } from '../../../shared/pipeline/deps.js';

/**
 * Locally the API and processing share one process: processing runs in a worker thread so that a document that takes
 * seconds of CPU never holds the API's event loop.
 */
const busyWorker = new URL('../../fixtures/busy-worker.ts', import.meta.url);
const message = (body: string): SQSEvent => ({ Records: [{ messageId: 'm-1', body }] }) as unknown as SQSEvent;
let thread: ProcessingThread | undefined;

afterEach(async () => {
  await thread?.close();
});

describe('the processing thread', () => {
  it('keeps the caller\'s event loop free while the worker holds its CPU', async () => {
    thread = new ProcessingThread(busyWorker, { busyMs: 1500 }, silentLogger);
    await thread.handler(message('warm-up')); // the worker's start is not what is measured
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const response = await thread.handler(message('list'));
    clearInterval(ticker);
    expect(response).toEqual({ batchItemFailures: [] });
    // 1.5 s of the worker's CPU: the caller's 10 ms timer kept firing (held in the caller's thread, it fires 0 times).
    expect(ticks).toBeGreaterThan(20);
  });

  it('a worker that dies fails the call it was running, and the next call starts a new one', async () => {
    thread = new ProcessingThread(busyWorker, { busyMs: 0 }, silentLogger);
    await expect(thread.handler(message('crash'))).rejects.toThrow(/processing worker exited \(code 3\)/);
    await expect(thread.handler(message('list'))).resolves.toEqual({ batchItemFailures: [] });
  });

  it('refuses work once closed', async () => {
    thread = new ProcessingThread(busyWorker, { busyMs: 0 }, silentLogger);
    await thread.close();
    await expect(thread.handler(message('list'))).rejects.toThrow(/closed/);
  });
});
