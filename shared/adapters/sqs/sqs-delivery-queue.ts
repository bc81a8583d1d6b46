import { SendMessageCommand, type SendMessageCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookDelivery } from '../../events/delivery.js';
import type { DeliveryQueue } from '../../ports/event-publisher.js';

/** SQS delays a message by 15 minutes at most: a longer wait is made of several hops (shared/events/delivery.ts). */
export const MAX_SQS_DELAY_SECONDS = 900;

/**
 * The webhook delivery queue in AWS: a retry is a message on the queue the EventBridge rule feeds, delayed until its
 * attempt is due. The message carries `notBefore`, so that a wait longer than SQS allows is resumed where it stopped.
 */
export function deliveryMessageInput(queueUrl: string, delivery: WebhookDelivery, delayMs: number, now: Date): SendMessageCommandInput {
  const notBefore = new Date(now.getTime() + delayMs).toISOString();
  return {
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify({ delivery, notBefore }),
    DelaySeconds: Math.max(0, Math.min(MAX_SQS_DELAY_SECONDS, Math.ceil(delayMs / 1000))),
  };
}

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async schedule(delivery: WebhookDelivery, delayMs: number): Promise<void> {
    await this.client.send(new SendMessageCommand(deliveryMessageInput(this.queueUrl, delivery, delayMs, this.now())));
  }
}
