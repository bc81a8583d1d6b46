import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalIdentity } from '../../../infra/local/local-identity.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { attestationBytes, cleanList, sha256, startTestStack, type TestStack, apiCall } from '../../fixtures/stack.js';

/**
 * What only the real server shows: the bearer token checked as API Gateway's JWT authorizer checks it (missing,
 * expired, forged, garbage: 401 on every route), a malformed path answered 400 before any token is looked at, and
 * one representative per scope rule over the real engines. The whole route x role x scope matrix runs over the
 * in-memory adapters in test/unit/api/access.test.ts.
 */
let stack: TestStack;
let released: string; // an acme intake released to cc-napoli
const CAMPAIGN = 'Campagna riservata 7f3a';
const tokens: Record<string, string> = {};
let forgeryDir: string;

beforeAll(async () => {
  stack = await startTestStack();
  tokens.acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  tokens.beta = await stack.token({ role: 'committente', tenant: 'beta', sub: 'bruno' });
  tokens.napoli = await stack.token({ role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' });
  tokens.roma = await stack.token({ role: 'callcenter', callcenter: 'cc-roma', sub: 'rocco' });
  tokens.milano = await stack.token({ role: 'callcenter', callcenter: 'cc-milano', sub: 'mila' });
  tokens.complianceBeta = await stack.token({ role: 'compliance', sub: 'berta', tenants: ['beta'] });
  tokens.expired = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' }, -60); // expired a minute ago
  forgeryDir = await mkdtemp(path.join(tmpdir(), 'filiera-forged-'));
  tokens.forged = await (await openLocalIdentity(forgeryDir)).issue({ role: 'compliance', sub: 'mallory' });

  const created = await call('POST', '/v1/intakes', tokens.acme, { callCenter: 'cc-napoli', campaign: CAMPAIGN });
  released = created.json.intakeId;
  const list = cleanList(5, 40);
  const today = romeDate(new Date());
  await fetch(created.json.uploads.list.url, { method: 'PUT', headers: created.json.uploads.list.headers, body: list });
  const attestation = await attestationBytes({
    values: {
      intakeId: released,
      controllerVat: DEMO_TENANT_VAT,
      listSha256: sha256(list),
      rowCount: '5',
      legalBasis: 'Consenso',
      collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
      rpoCheckDate: italianDate(addDays(today, -1)),
      extraEuTransfer: 'No',
      placeAndDate: `Roma, ${italianDate(today)}`,
    },
    signing: 'pades',
    signer: 'mario',
  });
  await fetch(created.json.uploads.attestation.url, { method: 'PUT', headers: created.json.uploads.attestation.headers, body: attestation as BodyInit });
  await stack.settle();
  expect((await call('GET', `/v1/intakes/${released}`, tokens.acme)).json.status).toBe('RELEASED');
});

afterAll(async () => {
  await stack?.dispose();
  if (forgeryDir) await rm(forgeryDir, { recursive: true, force: true });
});

const call = (method: string, path: string, token: string | undefined, body?: unknown) => apiCall(stack.baseUrl, method, path, token, body);

const decision = { decision: 'approve', justification: 'Giustificazione sufficientemente lunga.' };
const routes = (id: () => string) => [
  ['POST', (): string => '/v1/intakes', { callCenter: 'cc-napoli', campaign: 'x' }],
  ['POST', (): string => `/v1/intakes/${id()}/uploads`, undefined],
  ['GET', (): string => '/v1/intakes', undefined],
  ['GET', (): string => `/v1/intakes/${id()}`, undefined],
  ['GET', (): string => `/v1/intakes/${id()}/attestation-template`, undefined],
  ['GET', (): string => `/v1/intakes/${id()}/audit`, undefined],
  ['GET', (): string => `/v1/intakes/${id()}/documents`, undefined],
  ['GET', (): string => '/v1/releases', undefined],
  ['GET', (): string => `/v1/releases/${id()}`, undefined],
  ['GET', (): string => '/v1/review', undefined],
  ['POST', (): string => `/v1/review/${id()}/decision`, decision],
] as const;

describe('access control over every route', () => {
  it.each(routes(() => released).flatMap(([method, route, body]) => (['none', 'expired', 'forged', 'garbage'] as const).map((who) => [who, method, route, body] as const)))(
    'a %s token on %s %s gets 401',
    async (who, method, route, body) => {
      const token = who === 'none' ? undefined : who === 'garbage' ? 'not.a.jwt' : tokens[who];
      const response = await call(method, route(), token, body);
      expect(response.status).toBe(401);
      expect(response.text).not.toContain(CAMPAIGN);
    },
  );

  it.each([
    ['beta', 'GET', (): string => `/v1/intakes/${released}`, 404],
    ['roma', 'GET', (): string => `/v1/releases/${released}`, 404],
    ['complianceBeta', 'POST', (): string => `/v1/review/${released}/decision`, 404],
    ['acme', 'GET', (): string => '/v1/review', 403],
  ] as const)('%s on %s %s is refused over the real engines', async (who, method, route, status) => {
    const response = await call(method, route(), tokens[who], method === 'POST' ? decision : undefined);
    expect(response.status).toBe(status);
    expect(response.text).not.toContain(CAMPAIGN);
  });

  it.each([
    ['/v1/intakes/%E0%A4%A', undefined],
    ['/v1/intakes/%zz/audit', 'acme'],
  ] as const)('a malformed percent-encoded path %s answers 400, token or not', async (route, who) => {
    const response = await call('GET', route, who ? tokens[who] : undefined);
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('bad_request');
  });

  it('document links go to the committente and compliance in scope, each issue audited; refusals are not', async () => {
    const compliance = await stack.token({ role: 'compliance', sub: 'carla' });
    const before = (await call('GET', `/v1/intakes/${released}/audit`, tokens.acme)).json.events.length as number;
    await call('GET', `/v1/intakes/${released}/documents`, tokens.beta);
    await call('GET', `/v1/intakes/${released}/documents`, tokens.complianceBeta);
    for (const token of [tokens.acme!, compliance]) {
      const response = await call('GET', `/v1/intakes/${released}/documents`, token);
      expect(response.status).toBe(200);
      expect(response.json.documents.map((d: any) => d.kind)).toEqual(['list', 'attestation', 'receipt']);
      const list = response.json.documents[0];
      const bytes = new Uint8Array(await (await fetch(list.url)).arrayBuffer());
      expect(sha256(bytes)).toBe(list.sha256);
      expect(Date.parse(response.json.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    }
    const audit = (await call('GET', `/v1/intakes/${released}/audit`, tokens.acme)).json;
    const issued = audit.events.slice(before).filter((e: any) => e.type === 'document.link_issued');
    expect(issued.map((e: any) => e.actor)).toEqual(['committente:acme:alice', 'compliance:carla']);
    expect(audit.chain.valid).toBe(true);
  });
});
