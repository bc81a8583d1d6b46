import type { FilieraEvent } from '../events/event.js';
import type { WebhookDelivery } from '../events/delivery.js';

/**
 * Where the pipeline announces a stored transition (docs/events.md): Amazon EventBridge in AWS
 * (shared/adapters/eventbridge), the embedded stack's in-process delivery locally, memory in tests. Publishing comes
 * after the transition is stored and never undoes it.
 */
export interface EventPublisher {
  /** The deployment named in each event's `source` (`filiera/<deployment>`); default `local`. */
  readonly deployment?: string;
  publish(event: FilieraEvent): Promise<void>;
}

/** One HTTP POST of a webhook delivery; the answer's status, or a network fault as `error`. */
export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number } | { error: string }>;
}

/** Holds a delivery until its next attempt is due: SQS (delay, redelivery) in AWS, a timer locally. */
export interface DeliveryQueue {
  schedule(delivery: WebhookDelivery, delayMs: number): Promise<void>;
}
