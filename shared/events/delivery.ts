import type { LoadedConfig } from '../config.js';
import type { Logger } from '../pipeline/deps.js';
import type { IntakeRepository } from '../ports/intake-repository.js';
import type { DeliveryQueue, WebhookSender } from '../ports/event-publisher.js';
import { eventName, FilieraEventSchema, type FilieraEvent } from './event.js';
import { signedHeaders } from './signing.js';
import { subscribersFor } from './subscriptions.js';
import * as z from 'zod';

/**
 * Delivering events to webhooks (docs/events.md), the same code locally and in AWS: each subscriber gets its
 * own delivery; anything but 2xx (or no answer) is retried with exponential backoff for 24 hours from the first
 * attempt, then recorded as undelivered in the intake's audit trail (`webhook.undelivered`). The queue that holds a
 * delivery between attempts is the runtime's (SQS in AWS, a timer locally); the schedule is computed here.
 */

/** Retries stop this long after the first attempt. */
export const DELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The wait after the first failed attempt; it doubles after each further failure, up to MAX_RETRY_DELAY_MS. */
export const FIRST_RETRY_DELAY_MS = 30 * 1000;
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
export const UNDELIVERED_EVENT = 'webhook.undelivered';

export const WebhookDeliverySchema = z.object({
  event: FilieraEventSchema,
  /** The subscription's id in the configuration. */
  webhook: z.string().min(1),
  /** 1 for the first attempt. */
  attempt: z.number().int().positive(),
  firstAttemptAt: z.iso.datetime({ offset: true }),
  /** The previous attempt's outcome, for the dead-letter record. */
  lastResult: z.string().optional(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export interface DeliveryDeps {
  config: () => Promise<LoadedConfig>;
  intakes: Pick<IntakeRepository, 'appendEvent'>;
  sender: WebhookSender;
  queue: DeliveryQueue;
  now: () => Date;
  log: Logger;
  /** The retry schedule; tests and the embedded stack's tests shorten it (default DEFAULT_RETRY_SCHEDULE). */
  schedule?: RetrySchedule;
}

export interface RetrySchedule {
  firstRetryMs: number;
  maxRetryMs: number;
  windowMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { firstRetryMs: FIRST_RETRY_DELAY_MS, maxRetryMs: MAX_RETRY_DELAY_MS, windowMs: DELIVERY_WINDOW_MS };

export type DeliveryOutcome =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; delayMs: number; result: string }
  | { outcome: 'undelivered'; result: string }
  | { outcome: 'unknown_webhook' };

/**
 * The wait before attempt `failedAttempt + 1`: 30 s doubled after each failure, at most an hour, and never past the
 * end of the 24 hours (the last attempt is made at the window's end). Null once the window is over.
 */
export function retryDelayMs(failedAttempt: number, firstAttemptAt: Date, now: Date, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number | null {
  const left = firstAttemptAt.getTime() + schedule.windowMs - now.getTime();
  if (left <= 0) return null;
  const backoff = Math.min(schedule.maxRetryMs, schedule.firstRetryMs * 2 ** Math.min(failedAttempt - 1, 30));
  return Math.min(backoff, left);
}

/** The first attempt of each subscriber's delivery of an event. */
export function deliveriesFor(event: FilieraEvent, config: LoadedConfig, now: Date): WebhookDelivery[] {
  return subscribersFor(event, config.config.webhooks ?? []).map((hook) => ({
    event,
    webhook: hook.id,
    attempt: 1,
    firstAttemptAt: now.toISOString(),
  }));
}

/** Makes every subscriber's first attempt of an event, scheduling the retries. */
export async function deliverEvent(deps: DeliveryDeps, event: FilieraEvent): Promise<DeliveryOutcome[]> {
  const deliveries = deliveriesFor(event, await deps.config(), deps.now());
  return Promise.all(deliveries.map((d) => attemptDelivery(deps, d)));
}

/**
 * One attempt: POST the event signed with a fresh timestamp. 2xx: done. Otherwise the next attempt is scheduled, or,
 * 24 hours after the first, the trail records the event as undelivered to this subscriber.
 */
export async function attemptDelivery(deps: DeliveryDeps, delivery: WebhookDelivery): Promise<DeliveryOutcome> {
  const loaded = await deps.config();
  const hook = loaded.config.webhooks?.find((h) => h.id === delivery.webhook);
  const secret = loaded.webhookSecrets?.[delivery.webhook];
  if (!hook || secret === undefined) {
    deps.log.warn('webhook no longer configured: delivery dropped', { webhook: delivery.webhook, eventId: delivery.event.id });
    return { outcome: 'unknown_webhook' };
  }
  const body = JSON.stringify(delivery.event);
  const now = deps.now();
  const answer = await deps.sender.post(hook.url, signedHeaders({ secret, eventId: delivery.event.id, body, now }), body);
  if ('status' in answer && answer.status >= 200 && answer.status < 300) return { outcome: 'delivered', status: answer.status };
  const result = 'status' in answer ? `HTTP ${answer.status}` : answer.error;
  const delayMs = retryDelayMs(delivery.attempt, new Date(delivery.firstAttemptAt), now, deps.schedule);
  if (delayMs === null) {
    await deps.intakes.appendEvent(delivery.event.data.intakeId, {
      type: UNDELIVERED_EVENT,
      actor: 'system:webhooks',
      at: now.toISOString(),
      data: {
        eventId: delivery.event.id,
        event: eventName(delivery.event),
        webhook: hook.id,
        attempts: delivery.attempt,
        firstAttemptAt: delivery.firstAttemptAt,
        lastResult: result.slice(0, 200),
      },
    });
    deps.log.error('webhook undelivered: retries ran out', { webhook: hook.id, eventId: delivery.event.id, attempts: delivery.attempt });
    return { outcome: 'undelivered', result };
  }
  await deps.queue.schedule({ ...delivery, attempt: delivery.attempt + 1, lastResult: result.slice(0, 200) }, delayMs);
  deps.log.info('webhook delivery failed: retry scheduled', { webhook: hook.id, eventId: delivery.event.id, attempt: delivery.attempt, result, delayMs });
  return { outcome: 'retry', delayMs, result };
}

/** What the delivery queue carries: an event as the EventBridge rule sends it, or a delivery waiting for a retry. */
const QueuedEventSchema = z.object({ 'detail-type': z.string(), source: z.string(), detail: FilieraEventSchema });
const QueuedRetrySchema = z.object({ delivery: WebhookDeliverySchema, notBefore: z.iso.datetime({ offset: true }) });

export class UnreadableDeliveryMessageError extends Error {
  override name = 'UnreadableDeliveryMessageError';
}

/**
 * One message of the delivery queue (the `deliver-webhooks` function's, in AWS): a new event goes to each of its
 * subscribers; a retry is attempted once due, or waits again when its queue could not hold it that long.
 */
export async function handleDeliveryMessage(deps: DeliveryDeps, body: string): Promise<DeliveryOutcome[] | 'waiting'> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UnreadableDeliveryMessageError('delivery message: not JSON');
  }
  const event = QueuedEventSchema.safeParse(json);
  if (event.success) return deliverEvent(deps, event.data.detail);
  const retry = QueuedRetrySchema.safeParse(json);
  if (!retry.success) throw new UnreadableDeliveryMessageError('delivery message: neither an event nor a delivery');
  const wait = Date.parse(retry.data.notBefore) - deps.now().getTime();
  if (wait > 1000) {
    await deps.queue.schedule(retry.data.delivery, wait);
    return 'waiting';
  }
  return [await attemptDelivery(deps, retry.data.delivery)];
}
