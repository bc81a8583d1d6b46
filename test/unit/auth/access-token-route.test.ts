import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { givenDeps } from '../../../functions/lib/deps-source.js';
import type { ApiEvent } from '../../../functions/lib/http.js';
import { createHandler as reviewQueueHandler } from '../../../functions/review-queue.js';
import { intakeWithVerdict, memoryDeps } from '../intake/approved-fixture.js';

/**
 * The route as API Gateway calls it in AWS: its JWT authorizer hands over the claims of whichever Cognito token was
 * sent, flattening arrays into strings. An access token carries the groups but none of the custom:* scope.
 */
function event(claims: Record<string, string>): ApiEvent {
  return {
    version: '2.0',
    routeKey: 'GET /v1/review',
    rawPath: '/v1/review',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { authorizer: { jwt: { claims, scopes: null } } },
  } as unknown as ApiEvent;
}

const iss = 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_pool';

describe('GET /v1/review with Cognito tokens', () => {
  it('refuses the access token of a compliance officer limited to one tenant (403), and serves her ID token in scope', async () => {
    // Prepare: intakes in review for two tenants
    const deps = memoryDeps();
    await intakeWithVerdict(deps, { verdict: 'review', tenantId: 'acme' });
    const beta = await intakeWithVerdict(deps, { verdict: 'review', tenantId: 'beta' });
    const handler = reviewQueueHandler(givenDeps(deps));
    const context = {} as Context;
    const access = { sub: 'b1', iss, token_use: 'access', client_id: 'api-client', scope: 'aws.cognito.signin.user.admin', 'cognito:groups': '[compliance]', username: 'berta' };
    const id = { sub: 'b1', iss, token_use: 'id', aud: 'api-client', 'cognito:groups': '[compliance]', 'custom:tenants': 'beta' };
    // Act
    const refused = await handler(event(access), context);
    const served = await handler(event(id), context);
    // Assess
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain(beta.intakeId);
    expect(served.statusCode).toBe(200);
    const page = JSON.parse(String(served.body)) as { items: { intakeId: string; tenant: string }[]; counts: Record<string, number> };
    expect(page.items.map((i) => i.tenant)).toEqual(['beta']);
    expect(page.counts).toEqual({ IN_REVIEW: 1, REJECTED: 0 });
  });
});
