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
 */
export class LocalQueue {
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataDir: string,
    private readonly handler: SqsHandler,
    private readonly log: Logger,
    private readonly options: { maxReceives: number; backoffMs: number } = { maxReceives: 5, backoffMs: 500 },
  ) {}

  send(body: string): void {
    const messageId = randomUUID();
    const delivery = this.deliver(messageId, body, 1).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Resolves when every message sent so far was handled or dead-lettered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(messageId: string, body: string, receiveCount: number): Promise<void> {
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
      this.log.error('message dead-lettered', { messageId });
      await appendFile(path.join(this.dataDir, 'dead-letter.jsonl'), `${JSON.stringify({ messageId, body, at: new Date().toISOString() })}\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, this.options.backoffMs * 2 ** (receiveCount - 1)));
    await this.deliver(messageId, body, receiveCount + 1);
  }
}
