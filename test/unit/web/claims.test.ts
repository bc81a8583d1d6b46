import { describe, expect, it } from 'vitest';
import { decodeJwtPayload, isExpired, userFromToken } from '../../../web/src/auth/claims.js';

/** An ID token's payload, as Cognito and the local identity issue them. */
const jwt = (payload: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ token_use: 'id', ...payload })).toString('base64url')}.c2ln`;

describe('what the console reads from a token (the API verifies it)', () => {
  it.each([
    [{ sub: 'alice', 'cognito:groups': ['committente'], 'custom:tenant': 'acme' }, { role: 'committente', sub: 'alice', tenant: 'acme' }],
    [{ sub: 'nadia', 'cognito:groups': ['callcenter'], 'custom:callcenter': 'cc-napoli' }, { role: 'callcenter', sub: 'nadia', callCenter: 'cc-napoli' }],
    [{ sub: 'carla', 'cognito:groups': '[compliance]' }, { role: 'compliance', sub: 'carla' }],
    // the same precedence as the API: the most constrained role wins
    [{ sub: 'x', 'cognito:groups': ['compliance', 'committente'], 'custom:tenant': 'acme' }, { role: 'committente', sub: 'x', tenant: 'acme' }],
  ])('%o is %o', (payload, user) => {
    expect(userFromToken(jwt(payload))).toEqual(user);
  });

  it.each([
    ['no role', jwt({ sub: 'x', 'cognito:groups': ['admin'] })],
    ['a committente without tenant', jwt({ sub: 'x', 'cognito:groups': ['committente'] })],
    ['no subject', jwt({ 'cognito:groups': ['compliance'] })],
    // Cognito's access token: groups but no custom:* scope; the API refuses it, so the console does not sign in with it
    ['an access token', jwt({ sub: 'carla', token_use: 'access', 'cognito:groups': ['compliance'], client_id: 'c', scope: 'openid' })],
    ['a token without token_use', jwt({ sub: 'carla', token_use: undefined, 'cognito:groups': ['compliance'] })],
    ['not a JWT', 'hello'],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c'],
  ])('refuses %s', (_name, token) => {
    expect(userFromToken(token)).toBeNull();
  });

  it('decodes UTF-8 payloads and knows when a token expired', () => {
    expect(decodeJwtPayload(jwt({ sub: 'niccolò' }))).toEqual({ token_use: 'id', sub: 'niccolò' });
    const user = userFromToken(jwt({ sub: 'c', 'cognito:groups': ['compliance'], exp: 1_800_000_000 }))!;
    expect(isExpired(user, new Date(1_799_999_999_000))).toBe(false);
    expect(isExpired(user, new Date(1_800_000_000_000))).toBe(true);
  });
});
