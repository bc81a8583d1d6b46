import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../shared/config.js';
import { intakeEvent, type FilieraEventType } from '../../../shared/events/event.js';
import { subscribersFor, type Webhook } from '../../../shared/events/subscriptions.js';
import { Intake } from '../../../shared/intake/intake.js';

/** docs/events.md: a subscriber sees only events of its own tenant or call center, and only those it asked for. */

const base = {
  tenants: [
    { id: 'acme', name: 'Acme', vat: 'IT01234567897', callCenters: ['cc-napoli', 'cc-roma'] },
    { id: 'beta', name: 'Beta', vat: 'IT12345678903', callCenters: ['cc-napoli'] },
  ],
  callCenters: [
    { id: 'cc-napoli', name: 'Napoli' },
    { id: 'cc-roma', name: 'Roma' },
  ],
};
const hook = (over: Partial<Webhook>) => ({ id: 'h', url: 'https://ops.example/filiera', events: ['intake.released'], secretFile: 's.key', ...over });

function eventOf(type: FilieraEventType, tenantId: string, callCenterId: string) {
  const { intake } = Intake.open({ tenantId, callCenterId, campaign: 'luce', actor: 'test', now: new Date('2026-11-20T09:00:00Z') });
  return intakeEvent(type, intake, { seq: 7, at: '2026-11-20T09:00:00Z' });
}

describe('which subscribers an event goes to', () => {
  const config = parseConfig({
    ...base,
    webhooks: [
      hook({ id: 'acme-all', tenant: 'acme', events: ['intake.released', 'intake.rejected', 'intake.in_review', 'release.downloaded'] }),
      hook({ id: 'acme-released', tenant: 'acme', events: ['intake.released'] }),
      hook({ id: 'beta-all', tenant: 'beta', events: ['intake.released', 'intake.rejected'] }),
      hook({ id: 'napoli', callCenter: 'cc-napoli', events: ['intake.released', 'release.downloaded'] }),
      hook({ id: 'roma', callCenter: 'cc-roma', events: ['intake.released'] }),
    ],
  });

  it.each([
    ['intake.released', 'acme', 'cc-napoli', ['acme-all', 'acme-released', 'napoli']],
    ['intake.released', 'beta', 'cc-napoli', ['beta-all', 'napoli']],
    ['intake.released', 'acme', 'cc-roma', ['acme-all', 'acme-released', 'roma']],
    ['intake.rejected', 'acme', 'cc-napoli', ['acme-all']],
    ['intake.in_review', 'beta', 'cc-napoli', []],
    ['release.downloaded', 'acme', 'cc-roma', ['acme-all']],
    ['release.downloaded', 'beta', 'cc-napoli', ['napoli']],
  ] as const)('%s of %s for %s reaches %j', (type, tenant, callCenter, expected) => {
    expect(subscribersFor(eventOf(type, tenant, callCenter), config.webhooks).map((h) => h.id)).toEqual(expected);
  });
});

describe('webhooks in the configuration', () => {
  it.each([
    ['both a tenant and a call center', hook({ tenant: 'acme', callCenter: 'cc-napoli' }), /exactly one of tenant or callCenter/],
    ['neither', hook({}), /exactly one of tenant or callCenter/],
    ['a call center asking for a committente\'s rejections', hook({ callCenter: 'cc-napoli', events: ['intake.rejected'] }), /call center's webhook may subscribe/],
    ['an unknown tenant', hook({ tenant: 'gamma' }), /unknown tenant "gamma"/],
    ['an unknown call center', hook({ callCenter: 'cc-bari' }), /unknown call center "cc-bari"/],
    ['an unknown event', hook({ tenant: 'acme', events: ['intake.created' as never] }), /webhooks\.0\.events\.0/],
    ['a URL that is not http(s)', hook({ tenant: 'acme', url: 'ftp://ops.example/x' }), /webhooks\.0\.url/],
  ])('refuses %s', (_name, webhook, message) => {
    expect(() => parseConfig({ ...base, webhooks: [webhook] })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, webhooks: [webhook] })).toThrow(message);
  });

  it('refuses two webhooks with one id, and defaults to none', () => {
    expect(() => parseConfig({ ...base, webhooks: [hook({ tenant: 'acme' }), hook({ tenant: 'beta' })] })).toThrow(/duplicate webhook id "h"/);
    expect(parseConfig(base).webhooks).toEqual([]);
  });
});
