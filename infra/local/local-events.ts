import { attemptDelivery, deliverEvent, type DeliveryDeps, type RetrySchedule, type WebhookDelivery } from '../../shared/events/delivery.js';
import type { FilieraEvent } from '../../shared/events/event.js';
import { FetchWebhookSender } from '../../shared/adapters/http/fetch-webhook-sender.js';
import type { DeliveryQueue, EventPublisher, WebhookSender } from '../../shared/ports/event-publisher.js';

/**
 * The embedded stack's events (docs/events.md): published in process and handed at once to the same delivery
 * use case the AWS function runs (shared/events/delivery.ts); a retry waits on a timer. The timers live in the
 * process, as the local queue's do: a stop drops pending retries (a restart does not resend them; see docs/events.md).
 */
export class LocalEventDelivery implements EventPublisher, DeliveryQueue {
  readonly deployment = 'local';
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly deps: DeliveryDeps;

  constructor(deps: Omit<DeliveryDeps, 'queue' | 'sender'> & { sender?: WebhookSender; schedule?: RetrySchedule }) {
    this.deps = { ...deps, sender: deps.sender ?? new FetchWebhookSender(), queue: this };
  }

  async publish(event: FilieraEvent): Promise<void> {
    this.track(deliverEvent(this.deps, event));
  }

  async schedule(delivery: WebhookDelivery, delayMs: number): Promise<void> {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) this.track(attemptDelivery(this.deps, delivery));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Resolves when the attempts started so far have ended (retries waiting on a timer are not waited for). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** No attempt starts after this; those running end on their own (drain waits for them). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private track(work: Promise<unknown>): void {
    const p = work
      .catch((err: unknown) => this.deps.log.error('webhook delivery failed', { error: String(err) }))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
}
