import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (docs/events.md): `Filiera-Signature: v1=<hex HMAC-SHA-256 of "<timestamp>.<body>">`
 * under the subscriber's secret, `Filiera-Timestamp` in Unix seconds. Signing the timestamp with the body lets a
 * subscriber refuse a replayed delivery: one older than five minutes is rejected.
 */

export const EVENT_ID_HEADER = 'Filiera-Event-Id';
export const TIMESTAMP_HEADER = 'Filiera-Timestamp';
export const SIGNATURE_HEADER = 'Filiera-Signature';
/** A delivery whose timestamp is further than this from the subscriber's clock is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** The hex HMAC-SHA-256 of `<timestamp>.<body>` under the secret (the secret file's text, trimmed). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The headers of one delivery attempt. */
export function signedHeaders(input: { secret: string; eventId: string; body: string; now: Date }): Record<string, string> {
  const timestamp = Math.floor(input.now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    [EVENT_ID_HEADER]: input.eventId,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: `v1=${webhookSignature(input.secret, timestamp, input.body)}`,
  };
}

export type WebhookCheck = { valid: true } | { valid: false; reason: 'missing_headers' | 'malformed' | 'stale' | 'bad_signature' };

/**
 * What a subscriber runs on a delivery: the signature over the raw body as received, and the timestamp within five
 * minutes of its own clock. Header names are matched case-insensitively (Node lower-cases them).
 */
export function verifyWebhook(input: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  now: Date;
  toleranceSeconds?: number;
}): WebhookCheck {
  const header = (name: string) => {
    const found = Object.entries(input.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    return Array.isArray(found) ? found[0] : found;
  };
  const timestamp = header(TIMESTAMP_HEADER);
  const signature = header(SIGNATURE_HEADER);
  if (!timestamp || !signature) return { valid: false, reason: 'missing_headers' };
  const match = /^v1=([0-9a-f]{64})$/.exec(signature.trim());
  if (!/^\d{1,12}$/.test(timestamp) || !match) return { valid: false, reason: 'malformed' };
  const age = Math.abs(input.now.getTime() / 1000 - Number(timestamp));
  if (age > (input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return { valid: false, reason: 'stale' };
  const expected = Buffer.from(webhookSignature(input.secret, Number(timestamp), input.body), 'hex');
  const given = Buffer.from(match[1]!, 'hex');
  return timingSafeEqual(expected, given) ? { valid: true } : { valid: false, reason: 'bad_signature' };
}
