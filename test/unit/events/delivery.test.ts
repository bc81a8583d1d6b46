import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryDeliveryQueue, MemoryWebhookSender } from '../../../shared/adapters/memory/memory-event-publisher.js';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { loadConfig, parseConfig, type LoadedConfig } from '../../../shared/config.js';
import { attemptDelivery, DELIVERY_WINDOW_MS, deliverEvent, retryDelayMs, type DeliveryDeps } from '../../../shared/events/delivery.js';
import { intakeEvent } from '../../../shared/events/event.js';
import { verifyWebhook } from '../../../shared/events/signing.js';
import { Intake } from '../../../shared/intake/intake.js';
import { silentLogger } from '../../../shared/pipeline/deps.js';

/**
 * docs/events.md: retried with exponential backoff for 24 hours on anything but 2xx, then recorded as
 * undelivered in the intake's audit trail. The clock is moved by hand; nothing sleeps.
 */

const SECRET = 'whsec-0123456789abcdef';
const T0 = new Date('2026-11-20T09:00:00.000Z');
const MIN = 60_000;

describe('the retry schedule', () => {
  it.each([
    [1, 0, 30_000],
    [2, 1, 60_000],
    [3, 2, 120_000],
    [7, 60, 1_920_000],
    [8, 120, 3_600_000], // 3,840 s capped at an hour
    [30, 20 * 60, 3_600_000],
    [40, 24 * 60 - 10, 10 * MIN], // never past the 24 hours: the last attempt at the window's end
  ])('after failed attempt %i, %i minutes in, waits %i ms', (attempt, minutesIn, delay) => {
    expect(retryDelayMs(attempt, T0, new Date(T0.getTime() + minutesIn * MIN))).toBe(delay);
  });

  it('stops once 24 hours have passed since the first attempt', () => {
    expect(retryDelayMs(50, T0, new Date(T0.getTime() + DELIVERY_WINDOW_MS))).toBeNull();
  });
});

async function setup(answers: (number | 'network')[]) {
  const intakes = new MemoryIntakeRepository();
  const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'luce', actor: 'test', now: T0, intakeId: undefined });
  await intakes.create(intake, event);
  const config = parseConfig({
    tenants: [{ id: 'acme', name: 'Acme', vat: 'IT01234567897', callCenters: ['cc-napoli'] }],
    callCenters: [{ id: 'cc-napoli', name: 'Napoli' }],
    webhooks: [
      { id: 'acme-ops', tenant: 'acme', url: 'https://acme.example/hook', events: ['intake.released'], secretFile: 'acme.key' },
      { id: 'napoli-ops', callCenter: 'cc-napoli', url: 'https://napoli.example/hook', events: ['release.downloaded'], secretFile: 'napoli.key' },
    ],
  });
  const loaded: LoadedConfig = { config, file: 'memory', trustAnchorPems: [], webhookSecrets: { 'acme-ops': SECRET, 'napoli-ops': 'whsec-napoli-0123456789' } };
  const clock = { now: T0 };
  const sender = new MemoryWebhookSender(answers);
  const queue = new MemoryDeliveryQueue();
  const deps: DeliveryDeps = { config: async () => loaded, intakes, sender, queue, now: () => clock.now, log: silentLogger };
  const released = intakeEvent('intake.released', intake, { seq: 9, at: T0.toISOString() });
  return { intakes, intake, clock, sender, queue, deps, released };
}

describe('delivering an event to its subscribers', () => {
  it('POSTs the event, signed with the subscriber\'s secret, to the subscribers that asked for it only', async () => {
    const { deps, sender, queue, released } = await setup([204]);
    const outcomes = await deliverEvent(deps, released);
    expect(outcomes).toEqual([{ outcome: 'delivered', status: 204 }]);
    expect(sender.requests).toHaveLength(1);
    const [request] = sender.requests;
    expect(request!.url).toBe('https://acme.example/hook');
    expect(JSON.parse(request!.body)).toEqual(released);
    expect(request!.headers['Filiera-Event-Id']).toBe(released.id);
    expect(verifyWebhook({ secret: SECRET, headers: request!.headers, body: request!.body, now: T0 })).toEqual({ valid: true });
    expect(queue.scheduled).toEqual([]);
  });

  it('retries a 500 after 30 s with a fresh timestamp, and stops once answered 2xx', async () => {
    const { deps, sender, queue, clock, released } = await setup([500, 200]);
    await deliverEvent(deps, released);
    const retry = queue.take()!;
    expect(retry.delayMs).toBe(30_000);
    expect(retry.delivery).toMatchObject({ webhook: 'acme-ops', attempt: 2, firstAttemptAt: T0.toISOString(), lastResult: 'HTTP 500' });

    clock.now = new Date(T0.getTime() + retry.delayMs);
    expect(await attemptDelivery(deps, retry.delivery)).toEqual({ outcome: 'delivered', status: 200 });
    const second = sender.requests[1]!;
    expect(second.headers['Filiera-Timestamp']).toBe(String(clock.now.getTime() / 1000));
    expect(verifyWebhook({ secret: SECRET, headers: second.headers, body: second.body, now: clock.now })).toEqual({ valid: true });
    expect(queue.scheduled).toEqual([]);
  });

  it('records the event as undelivered in the intake\'s trail after 24 hours of failures, and stops', async () => {
    const { deps, queue, clock, released, intakes, intake } = await setup(Array.from({ length: 100 }, (_, i) => (i % 2 ? 503 : 'network')));
    await deliverEvent(deps, released);
    let attempts = 1;
    let last;
    for (let next = queue.take(); next; next = queue.take()) {
      clock.now = new Date(clock.now.getTime() + next.delayMs);
      last = await attemptDelivery(deps, next.delivery);
      attempts++;
    }
    expect(last).toEqual({ outcome: 'undelivered', result: expect.any(String) });
    expect(clock.now.getTime() - T0.getTime()).toBe(DELIVERY_WINDOW_MS);
    // 30 s doubling to the hour cap (about 2 h for the first 8 attempts), then hourly to the 24th hour.
    expect(attempts).toBeGreaterThan(24);
    expect(attempts).toBeLessThan(40);
    const trail = await intakes.auditTrail(intake.intakeId);
    const undelivered = trail.filter((e) => e.type === 'webhook.undelivered');
    expect(undelivered).toHaveLength(1);
    expect(undelivered[0]!.data).toMatchObject({ eventId: released.id, event: 'intake.released', webhook: 'acme-ops', attempts, firstAttemptAt: T0.toISOString() });
  });
});

describe('webhook secrets', () => {
  it('are read relative to the configuration file, trimmed, and a missing one is a configuration error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'filiera-webhooks-'));
    try {
      const file = path.join(dir, 'config.json');
      const config = {
        tenants: [{ id: 'acme', name: 'Acme', vat: 'IT01234567897' }],
        webhooks: [{ id: 'acme-ops', tenant: 'acme', url: 'https://acme.example/hook', events: ['intake.released'], secretFile: 'secrets/acme.key' }],
      };
      await writeFile(file, JSON.stringify(config));
      await expect(loadConfig(file)).rejects.toThrow(/secret file "secrets\/acme.key" cannot be read/);
      await import('node:fs/promises').then((fs) => fs.mkdir(path.join(dir, 'secrets')));
      await writeFile(path.join(dir, 'secrets', 'acme.key'), `${SECRET}\n`);
      expect((await loadConfig(file)).webhookSecrets).toEqual({ 'acme-ops': SECRET });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
