import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/deliver-webhooks.js';
import { givenDeps } from '../../../functions/lib/deps-source.js';
import { putEventsInput } from '../../../shared/adapters/eventbridge/eventbridge-publisher.js';
import { MemoryDeliveryQueue, MemoryWebhookSender } from '../../../shared/adapters/memory/memory-event-publisher.js';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { MemoryObjectStore } from '../../../shared/adapters/memory/memory-object-store.js';
import { deliveryMessageInput } from '../../../shared/adapters/sqs/sqs-delivery-queue.js';
import { parseConfig } from '../../../shared/config.js';
import { intakeEvent } from '../../../shared/events/event.js';
import { verifyWebhook } from '../../../shared/events/signing.js';
import { Intake } from '../../../shared/intake/intake.js';
import { silentLogger, type PipelineDeps } from '../../../shared/pipeline/deps.js';

/**
 * The AWS side of docs/events.md without AWS: the PutEvents entry and the delayed SQS message as data, and the
 * deliver-webhooks handler over in-memory ports, fed the messages the EventBridge rule and its own retries put on
 * its queue.
 */

const T0 = new Date('2026-11-20T09:00:00.000Z');
const SECRET = 'whsec-aws-0123456789abcdef';
const { intake } = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'luce', actor: 'test', now: T0 });
const event = intakeEvent('intake.released', intake, { seq: 12, at: T0.toISOString() }, 'filiera-prod');

describe('EventBridge and SQS inputs', () => {
  it('puts the whole CloudEvent as the detail, typed and sourced as the event', () => {
    const input = putEventsInput('filiera-bus', event);
    expect(input.Entries).toEqual([
      expect.objectContaining({ EventBusName: 'filiera-bus', Source: 'filiera/filiera-prod', DetailType: 'filiera.intake.released', Detail: JSON.stringify(event) }),
    ]);
  });

  it.each([
    [30_000, 30],
    [3_600_000, 900], // SQS holds a message 15 minutes at most: the rest is another hop
    [1, 1],
  ])('delays a retry of %i ms by %i s, and says when it is due', (delayMs, seconds) => {
    const delivery = { event, webhook: 'acme-ops', attempt: 2, firstAttemptAt: T0.toISOString() };
    const input = deliveryMessageInput('https://sqs.example/q', delivery, delayMs, T0);
    expect(input.DelaySeconds).toBe(seconds);
    expect(JSON.parse(input.MessageBody!)).toEqual({ delivery, notBefore: new Date(T0.getTime() + delayMs).toISOString() });
  });
});

function handlerWith(answers: number[]) {
  const clock = { now: T0 };
  const config = parseConfig({
    tenants: [{ id: 'acme', name: 'Acme', vat: 'IT01234567897', callCenters: ['cc-napoli'] }],
    callCenters: [{ id: 'cc-napoli', name: 'Napoli' }],
    webhooks: [{ id: 'acme-ops', tenant: 'acme', url: 'https://acme.example/hook', events: ['intake.released'], secretFile: 'unused-in-aws' }],
  });
  const deps: PipelineDeps = {
    intakes: new MemoryIntakeRepository(),
    objects: new MemoryObjectStore([]),
    buckets: { intake: 'i', release: 'r', evidence: 'e' },
    config: async () => ({ config, file: 'FILIERA_CONFIG_JSON', trustAnchorPems: [] }),
    now: () => clock.now,
    log: silentLogger,
  };
  const sender = new MemoryWebhookSender(answers);
  const queue = new MemoryDeliveryQueue();
  const handler = createHandler(givenDeps(deps), { sender, queue, secrets: async () => ({ 'acme-ops': SECRET }) });
  const send = (body: unknown) => handler({ Records: [{ messageId: 'm-1', body: JSON.stringify(body) }] } as unknown as SQSEvent, {} as Context);
  return { clock, sender, queue, send };
}

describe('the deliver-webhooks function', () => {
  it('delivers an event from the rule, signed with the secret from Secrets Manager', async () => {
    const { sender, send } = handlerWith([200]);
    expect(await send({ 'detail-type': event.type, source: event.source, detail: event })).toEqual({ batchItemFailures: [] });
    expect(sender.requests).toHaveLength(1);
    expect(verifyWebhook({ secret: SECRET, headers: sender.requests[0]!.headers, body: sender.requests[0]!.body, now: T0 })).toEqual({ valid: true });
  });

  it('puts a failed delivery back on the queue, waits again when woken early, and delivers it once due', async () => {
    const { sender, queue, clock, send } = handlerWith([502, 200]);
    await send({ 'detail-type': event.type, source: event.source, detail: event });
    const retry = queue.take()!;
    expect(retry.delayMs).toBe(30_000);
    const message = { delivery: retry.delivery, notBefore: new Date(T0.getTime() + retry.delayMs).toISOString() };

    clock.now = new Date(T0.getTime() + 10_000);
    await send(message);
    expect(sender.requests).toHaveLength(1);
    expect(queue.take()?.delayMs).toBe(20_000);

    clock.now = new Date(T0.getTime() + 30_000);
    await send(message);
    expect(sender.requests).toHaveLength(2);
    expect(queue.scheduled).toEqual([]);
  });

  it('reports a message that is neither an event nor a delivery as failed (to its dead-letter queue)', async () => {
    const { send } = handlerWith([]);
    expect(await send({ hello: 'world' })).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });
});
