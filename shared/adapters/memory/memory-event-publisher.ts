import type { FilieraEvent } from '../../events/event.js';
import type { WebhookDelivery } from '../../events/delivery.js';
import type { DeliveryQueue, EventPublisher, WebhookSender } from '../../ports/event-publisher.js';

/** Events published, in order, for unit tests; `failWith` makes every publish fail (a bus that is down). */
export class MemoryEventPublisher implements EventPublisher {
  readonly events: FilieraEvent[] = [];
  failWith: Error | undefined;
  constructor(readonly deployment = 'test') {}

  async publish(event: FilieraEvent): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.events.push(event);
  }
}

/** A subscriber's endpoint in memory: answers from a script (default 200) and records what it was sent. */
export class MemoryWebhookSender implements WebhookSender {
  readonly requests: { url: string; headers: Record<string, string>; body: string }[] = [];
  constructor(private readonly answers: (number | 'network')[] = []) {}

  async post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number } | { error: string }> {
    this.requests.push({ url, headers, body });
    const answer = this.answers.length > 0 ? this.answers.shift()! : 200;
    return answer === 'network' ? { error: 'connect ECONNREFUSED' } : { status: answer };
  }
}

/** Deliveries waiting for their next attempt, with the delay each was given; a test takes them in order. */
export class MemoryDeliveryQueue implements DeliveryQueue {
  readonly scheduled: { delivery: WebhookDelivery; delayMs: number }[] = [];
  async schedule(delivery: WebhookDelivery, delayMs: number): Promise<void> {
    this.scheduled.push({ delivery, delayMs });
  }
  take(): { delivery: WebhookDelivery; delayMs: number } | undefined {
    return this.scheduled.shift();
  }
}
