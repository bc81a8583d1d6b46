import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../../shared/pipeline/deps.js';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/**
 * Plays SQS between S3 notifications and the upload handler: one message per event, redelivered with backoff when
 * the handler reports it failed (partial batch failure) or throws, and after `maxReceives` written to a dead-letter
 * file in the data folder. Nothing is lost on a crash either: the sweep finds unrecorded uploads in storage.
 *
 * The queue lives in the process, so it ends with the stack: once closed it delivers nothing more (a redelivery
 * waiting out its backoff is dropped, as a crash would drop it). What it dropped is recovered by the next start's
 * sweep, never by handlers running against engines that have stopped.
 */
export class LocalQueue {
  private inFlight = new Set<Promise<void>>();
  private closed = false;
  /** Backoff waits in progress: closing ends them at once. */
  private waits = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly dataDir: string,
    private readonly handler: SqsHandler,
    private readonly log: Logger,
    private readonly options: { maxReceives: number; backoffMs: number } = { maxReceives: 5, backoffMs: 500 },
  ) {}

  send(body: string): void {
    if (this.closed) {
      this.log.warn('queue closed: event not delivered (the next start-up sweep picks the upload up)', { body: body.slice(0, 200) });
      return;
    }
    const messageId = randomUUID();
    const delivery = this.deliver(messageId, body, 1)
      .catch((err: unknown) => this.log.error('queue delivery failed', { messageId, error: String(err) }))
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Resolves when every message sent so far was handled, dead-lettered or dropped by close(). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Stops delivering: no new handler call starts after this, and backoff waits end without a redelivery. A handler
   * call already running is not interrupted (a process cannot take back what it sent); drain() waits for those.
   */
  close(): void {
    this.closed = true;
    for (const [timer, wake] of this.waits) {
      clearTimeout(timer);
      wake();
    }
    this.waits.clear();
  }

  private async deliver(messageId: string, body: string, receiveCount: number): Promise<void> {
    if (this.closed) {
      this.log.warn('queue closed: redelivery dropped (the next start-up sweep resumes the intake)', { messageId, receiveCount });
      return;
    }
    const event: SQSEvent = {
      Records: [
        {
          messageId,
          receiptHandle: `${messageId}#${receiveCount}`,
          body,
          attributes: {
            ApproximateReceiveCount: String(receiveCount),
            SentTimestamp: String(Date.now()),
            SenderId: 'local',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-south-1:000000000000:filiera-uploads',
          awsRegion: 'eu-south-1',
        },
      ],
    };
    let failed: boolean;
    try {
      const response = await this.handler(event, {} as Context);
      failed = Boolean(response && response.batchItemFailures.some((f) => f.itemIdentifier === messageId));
    } catch (err) {
      this.log.error('upload handler threw', { messageId, error: String(err) });
      failed = true;
    }
    if (!failed) return;
    if (receiveCount >= this.options.maxReceives) {
      await this.deadLetter(messageId, body);
      return;
    }
    await this.backoff(this.options.backoffMs * 2 ** (receiveCount - 1));
    await this.deliver(messageId, body, receiveCount + 1);
  }

  private backoff(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve(); // a handler call that outlived close(): no wait, no redelivery
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      this.waits.set(timer, resolve);
    });
  }

  private async deadLetter(messageId: string, body: string): Promise<void> {
    const file = path.join(this.dataDir, 'dead-letter.jsonl');
    this.log.error('message dead-lettered', { messageId, file });
    try {
      await appendFile(file, `${JSON.stringify({ messageId, body, at: new Date().toISOString() })}\n`);
    } catch (err) {
      // The message is still in the log line above, and its upload is still in storage for the sweep.
      this.log.error('dead-letter file not written', { messageId, file, error: String(err), body });
    }
  }
}
