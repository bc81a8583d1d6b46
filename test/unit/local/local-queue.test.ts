import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../../infra/local/local-queue.js';
import type { Logger } from '../../../shared/pipeline/deps.js';

/** The embedded stack's stand-in for SQS: retries, dead letters, and nothing delivered once the stack has stopped. */
let dataDir: string;
let logged: { level: string; message: string; data?: Record<string, unknown> }[];
const log: Logger = {
  info: (message, data) => void logged.push({ level: 'info', message, ...(data ? { data } : {}) }),
  warn: (message, data) => void logged.push({ level: 'warn', message, ...(data ? { data } : {}) }),
  error: (message, data) => void logged.push({ level: 'error', message, ...(data ? { data } : {}) }),
};

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'filiera-queue-'));
  logged = [];
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** A handler that reports its one record failed, counting the receives it saw. */
function failingHandler(receives: number[]) {
  return async (event: SQSEvent) => {
    const record = event.Records[0]!;
    receives.push(Number(record.attributes.ApproximateReceiveCount));
    return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
  };
}

describe('LocalQueue', () => {
  it('redelivers a failed message with growing receive counts, then writes it to the dead-letter file', async () => {
    const receives: number[] = [];
    const queue = new LocalQueue(dataDir, failingHandler(receives), log, { maxReceives: 3, backoffMs: 5 });
    queue.send('{"Records":["evento"]}');
    await queue.drain();
    expect(receives).toEqual([1, 2, 3]);
    const lines = (await readFile(path.join(dataDir, 'dead-letter.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ body: '{"Records":["evento"]}' });
  });

  it('a handler that succeeds is called once', async () => {
    const bodies: string[] = [];
    const queue = new LocalQueue(dataDir, async (event) => void bodies.push(event.Records[0]!.body), log, { maxReceives: 3, backoffMs: 5 });
    queue.send('a');
    queue.send('b');
    await queue.drain();
    expect(bodies.sort()).toEqual(['a', 'b']);
  });

  it('once closed, a redelivery waiting out its backoff is dropped, not sent to the handler or the dead-letter file', async () => {
    const receives: number[] = [];
    // A backoff far longer than the test: only close() can end the wait.
    const queue = new LocalQueue(dataDir, failingHandler(receives), log, { maxReceives: 5, backoffMs: 600_000 });
    queue.send('{}');
    await waitUntil(() => receives.length === 1);
    queue.close();
    await queue.drain();
    expect(receives).toEqual([1]);
    await expect(readFile(path.join(dataDir, 'dead-letter.jsonl'))).rejects.toThrow(/ENOENT/);
    expect(logged.some((l) => l.level === 'warn' && /redelivery dropped/.test(l.message))).toBe(true);
  });

  it('a handler call that fails after close() is not retried and does not wait out a backoff', async () => {
    let release!: () => void;
    const running = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const queue = new LocalQueue(
      dataDir,
      async () => {
        calls++;
        await running;
        throw new Error('the engines went away under it');
      },
      log,
      { maxReceives: 5, backoffMs: 600_000 },
    );
    queue.send('{}');
    await waitUntil(() => calls === 1);
    queue.close();
    release();
    // With a 10-minute backoff, only an immediate drop lets drain() end within the test's time.
    await queue.drain();
    expect(calls).toBe(1);
    expect(logged.some((l) => /redelivery dropped/.test(l.message))).toBe(true);
  });

  it('once closed, a new event is not delivered (the start-up sweep picks the upload up)', async () => {
    let calls = 0;
    const queue = new LocalQueue(dataDir, async () => void calls++, log);
    queue.close();
    queue.send('{}');
    await queue.drain();
    expect(calls).toBe(0);
    expect(logged.map((l) => l.message)).toContain('queue closed: event not delivered (the next start-up sweep picks the upload up)');
  });

  it('a dead-letter file that cannot be written is logged with the message, not thrown', async () => {
    const receives: number[] = [];
    const gone = path.join(dataDir, 'removed-folder');
    const queue = new LocalQueue(gone, failingHandler(receives), log, { maxReceives: 1, backoffMs: 5 });
    queue.send('{"Records":["perso?"]}');
    // An unhandled rejection here would fail the run.
    await queue.drain();
    const entry = logged.find((l) => l.message === 'dead-letter file not written');
    expect(entry?.data).toMatchObject({ body: '{"Records":["perso?"]}', file: path.join(gone, 'dead-letter.jsonl') });
    expect(String(entry?.data?.error)).toMatch(/ENOENT/);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
