import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationError, canSeeIntake, principalFromClaims } from '../../../shared/auth/principal.js';
import { parseConfig } from '../../../shared/config.js';
import { demoUsers, type LocalIdentity, openLocalIdentity } from '../../../infra/local/local-identity.js';

/**
 * Who a bearer token makes the caller (docs/api.md). API Gateway's JWT authorizer accepts Cognito's ID and
 * access tokens alike; only the ID token carries the custom:* scope, so the scope must never be guessed.
 */
const acmeIntake = { tenantId: 'acme', callCenterId: 'cc-napoli' };
const betaIntake = { tenantId: 'beta', callCenterId: 'cc-napoli' };

describe('the principal of a token', () => {
  it('refuses a Cognito access token, which carries the groups but none of the scope attributes', () => {
    // Prepare: the claims API Gateway hands over for an access token of a compliance officer limited to one tenant
    const accessToken = {
      sub: 'b1c2', token_use: 'access', 'cognito:groups': '[compliance]', client_id: 'api-client', scope: 'aws.cognito.signin.user.admin',
      username: 'berta', iss: 'https://cognito-idp.eu-central-1.amazonaws.com/pool', exp: 4_102_444_800,
    };
    // Act, Assess
    expect(() => principalFromClaims(accessToken)).toThrow(AuthorizationError);
    expect(() => principalFromClaims(accessToken)).toThrow(/ID tokens/);
  });

  it('refuses a token that does not say what it is for', () => {
    expect(() => principalFromClaims({ sub: 'carla', 'cognito:groups': ['compliance'], 'custom:tenants': '*' })).toThrow(AuthorizationError);
  });

  it.each<[string, Record<string, unknown>, string[] | 'all']>([
    ['no custom:tenants: no tenant at all', {}, []],
    ['an empty custom:tenants', { 'custom:tenants': '' }, []],
    ['an explicit "*": every tenant', { 'custom:tenants': '*' }, 'all'],
    ['listed tenants', { 'custom:tenants': 'acme, beta' }, ['acme', 'beta']],
    ['a "*" among ids is not a wildcard', { 'custom:tenants': 'acme,*' }, ['acme']],
  ])('scopes a compliance officer with %s', (_name, scope, tenants) => {
    // Act
    const principal = principalFromClaims({ sub: 'carla', token_use: 'id', 'cognito:groups': ['compliance'], ...scope });
    // Assess
    expect(principal).toEqual({ role: 'compliance', sub: 'carla', tenants });
  });

  it('lets an unscoped compliance ID token see no intake, and "*" every intake', () => {
    const none = principalFromClaims({ sub: 'carla', token_use: 'id', 'cognito:groups': ['compliance'] });
    const all = principalFromClaims({ sub: 'carla', token_use: 'id', 'cognito:groups': ['compliance'], 'custom:tenants': '*' });
    expect([canSeeIntake(none, acmeIntake), canSeeIntake(none, betaIntake)]).toEqual([false, false]);
    expect([canSeeIntake(all, acmeIntake), canSeeIntake(all, betaIntake)]).toEqual([true, true]);
  });
});

describe('the local identity issues ID tokens with an explicit compliance scope', () => {
  let dir: string;
  let identity: LocalIdentity;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'filiera-identity-'));
    identity = await openLocalIdentity(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const principalOf = async (token: string) => principalFromClaims(await identity.verify(token));

  it('marks every token as an ID token', async () => {
    const claims = await identity.verify(await identity.issue({ role: 'committente', tenant: 'acme', sub: 'alice' }));
    expect(claims.token_use).toBe('id');
  });

  it('writes "*" for a compliance officer of every tenant and the ids for a scoped one', async () => {
    expect(await principalOf(await identity.issue({ role: 'compliance', sub: 'carla' }))).toMatchObject({ tenants: 'all' });
    expect(await principalOf(await identity.issue({ role: 'compliance', sub: 'carla', tenants: 'all' }))).toMatchObject({ tenants: 'all' });
    expect(await principalOf(await identity.issue({ role: 'compliance', sub: 'berta', tenants: ['beta'] }))).toMatchObject({ tenants: ['beta'] });
    expect(await principalOf(await identity.issue({ role: 'compliance', sub: 'nobody', tenants: [] }))).toMatchObject({ tenants: [] });
  });

  it("gives the demo compliance officer every tenant's intakes", async () => {
    const config = parseConfig({
      tenants: [{ id: 'acme', name: 'Acme', vat: '01234567897', callCenters: ['cc-napoli'] }],
      callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli' }],
    });
    const officer = demoUsers(config).find((u) => u.claims.role === 'compliance')!;
    const principal = await principalOf(await identity.issue(officer.claims));
    expect(canSeeIntake(principal, acmeIntake)).toBe(true);
  });
});
