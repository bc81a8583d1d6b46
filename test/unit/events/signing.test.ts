import { describe, expect, it } from 'vitest';
import { signedHeaders, verifyWebhook, webhookSignature } from '../../../shared/events/signing.js';

/**
 * docs/events.md: `Filiera-Signature: v1=<hex HMAC-SHA-256 of "<timestamp>.<body>">`. The vector was computed
 * outside this code: printf '%s' '1764658800.{"id":"x"}' | openssl dgst -sha256 -hmac 'whsec-test-vector'
 */
const VECTOR = {
  secret: 'whsec-test-vector',
  timestamp: 1764658800,
  body: '{"id":"x"}',
  hex: 'e1050b7aa9be7aae3730926d3c78d41b93c814b98f127bca1a7c99e08676e3c7',
};

describe('webhook signatures', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA-256 as openssl does', () => {
    expect(webhookSignature(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.hex);
  });

  it('sends the event id, the Unix timestamp and the v1 signature', () => {
    const headers = signedHeaders({ secret: VECTOR.secret, eventId: 'e-1', body: VECTOR.body, now: new Date(VECTOR.timestamp * 1000 + 999) });
    expect(headers).toMatchObject({ 'Filiera-Event-Id': 'e-1', 'Filiera-Timestamp': String(VECTOR.timestamp), 'Filiera-Signature': `v1=${VECTOR.hex}` });
  });

  const now = new Date(VECTOR.timestamp * 1000);
  const good = { 'filiera-timestamp': String(VECTOR.timestamp), 'filiera-signature': `v1=${VECTOR.hex}` };

  it.each([
    ['a valid delivery', good, VECTOR.body, VECTOR.secret, now, { valid: true }],
    ['a body changed in transit', good, '{"id":"y"}', VECTOR.secret, now, { valid: false, reason: 'bad_signature' }],
    ['another subscriber\'s secret', good, VECTOR.body, 'whsec-someone-else', now, { valid: false, reason: 'bad_signature' }],
    ['a timestamp older than five minutes', good, VECTOR.body, VECTOR.secret, new Date(now.getTime() + 301_000), { valid: false, reason: 'stale' }],
    ['a timestamp just within five minutes', good, VECTOR.body, VECTOR.secret, new Date(now.getTime() + 299_000), { valid: true }],
    ['no signature header', { 'filiera-timestamp': good['filiera-timestamp'] }, VECTOR.body, VECTOR.secret, now, { valid: false, reason: 'missing_headers' }],
    ['a signature of another scheme', { ...good, 'filiera-signature': `v0=${VECTOR.hex}` }, VECTOR.body, VECTOR.secret, now, { valid: false, reason: 'malformed' }],
    ['a timestamp moved with the old signature', { ...good, 'filiera-timestamp': String(VECTOR.timestamp + 1) }, VECTOR.body, VECTOR.secret, now, { valid: false, reason: 'bad_signature' }],
  ])('verifies %s', (_name, headers, body, secret, at, expected) => {
    expect(verifyWebhook({ secret, headers, body, now: at })).toEqual(expected);
  });
});
