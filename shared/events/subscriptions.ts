import * as z from 'zod';
import { eventName, filieraEventTypes, type FilieraEvent, type FilieraEventType } from './event.js';

/**
 * Webhook subscriptions (docs/events.md), in the configuration file:
 * `{ "id", "tenant" | "callCenter", "url", "events": [...], "secretFile" }`. A subscriber sees only events of its own
 * tenant or call center. A call center sees through the API only the releases addressed to it, so its webhook may
 * ask for those events only (`intake.released`, `release.downloaded`): never a committente's rejections or reviews.
 */

export const CALL_CENTER_EVENTS: readonly FilieraEventType[] = ['intake.released', 'release.downloaded'];

export const WebhookSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'webhook id: lower-case letters, digits and dashes'),
    tenant: z.string().min(1).optional(),
    callCenter: z.string().min(1).optional(),
    url: z.url({ protocol: /^https?$/, error: 'webhook url: an http(s) URL' }),
    events: z.array(z.enum(filieraEventTypes)).min(1),
    /** The shared secret's file, relative to the configuration file (like trust anchors). */
    secretFile: z.string().min(1),
  })
  .superRefine((hook, ctx) => {
    if ((hook.tenant === undefined) === (hook.callCenter === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'a webhook names exactly one of tenant or callCenter' });
    }
    if (hook.callCenter !== undefined) {
      hook.events.forEach((e, i) => {
        if (!CALL_CENTER_EVENTS.includes(e)) {
          ctx.addIssue({ code: 'custom', path: ['events', i], message: `a call center's webhook may subscribe to ${CALL_CENTER_EVENTS.join(', ')} only` });
        }
      });
    }
  });
export type Webhook = z.infer<typeof WebhookSchema>;

/** The subscriptions an event goes to: asked for by name, and in the subscriber's own scope. */
export function subscribersFor(event: FilieraEvent, webhooks: readonly Webhook[]): Webhook[] {
  const name = eventName(event);
  return webhooks.filter((hook) => hook.events.includes(name) && inScope(hook, event));
}

function inScope(hook: Webhook, event: FilieraEvent): boolean {
  if (hook.tenant !== undefined) return event.data.tenant === hook.tenant;
  if (hook.callCenter !== undefined) return event.data.callCenter === hook.callCenter && CALL_CENTER_EVENTS.includes(eventName(event));
  return false;
}
