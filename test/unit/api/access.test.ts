import { beforeAll, describe, expect, it } from 'vitest';
import { cleanList } from '../../fixtures/stack.js';
import { startMemoryStack, type Caller, type MemoryStack } from '../../fixtures/memory-stack.js';
import { MemoryTraceIndex } from '../../../shared/adapters/memory/memory-trace-index.js';

/**
 * Every route of docs/api.md against every role and scope, over the handlers and the in-memory adapters:
 * the wrong role or tenant gets 401/403/404 and never a byte of the intake. The local API server's own token checks
 * (signature, expiry, forgery) are test/integration/pipeline/access.test.ts's subject.
 */
const CAMPAIGN = 'Campagna riservata 7f3a';
let stack: MemoryStack;
let released: string; // acme -> cc-napoli, RELEASED by compliance
let inReview: string; // acme -> cc-napoli, IN_REVIEW (unsigned)

const callers = {
  acme: { role: 'committente', tenant: 'acme', sub: 'alice' },
  beta: { role: 'committente', tenant: 'beta', sub: 'bruno' },
  napoli: { role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' },
  roma: { role: 'callcenter', callcenter: 'cc-roma', sub: 'rocco' },
  milano: { role: 'callcenter', callcenter: 'cc-milano', sub: 'mila' },
  compliance: { role: 'compliance', tenants: 'all', sub: 'carla' },
  complianceAcme: { role: 'compliance', tenants: ['acme'], sub: 'anna' },
  complianceBeta: { role: 'compliance', tenants: ['beta'], sub: 'berta' },
  complianceNone: { role: 'compliance', tenants: [], sub: 'nessuno' },
} satisfies Record<string, Caller>;
type Who = keyof typeof callers | 'none';

async function intakeInReview(rows: number, seed: number): Promise<string> {
  const created = await stack.call('POST', '/v1/intakes', callers.acme, { callCenter: 'cc-napoli', campaign: CAMPAIGN });
  const id = created.json.intakeId as string;
  const list = cleanList(rows, seed);
  await stack.upload(id, 'list', list);
  await stack.upload(id, 'attestation', await stack.unsignedAttestation(id, list, rows));
  expect((await stack.call('GET', `/v1/intakes/${id}`, callers.acme)).json.status).toBe('IN_REVIEW');
  return id;
}

beforeAll(async () => {
  stack = startMemoryStack();
  released = await intakeInReview(5, 40);
  const approved = await stack.call('POST', `/v1/review/${released}/decision`, callers.compliance, { decision: 'approve', justification: 'Verificata a mano: firma autografa del legale rappresentante.' });
  expect(approved.json.status).toBe('RELEASED');
  inReview = await intakeInReview(3, 41);
  // The trace route's engine and key (set after the releases above, which are then not indexed).
  stack.deps.trace = new MemoryTraceIndex();
  stack.deps.traceKey = { key: async () => new Uint8Array(32).fill(7) };
});

const decision = { decision: 'approve', justification: 'Giustificazione sufficientemente lunga.' };
const opening = { callCenter: 'cc-napoli', campaign: 'x' };

/** [method, path, body]: every route, on the released intake. */
const routes = (id: () => string) =>
  [
    ['POST', () => '/v1/intakes', opening],
    ['POST', () => `/v1/intakes/${id()}/uploads`, undefined],
    ['GET', () => '/v1/intakes', undefined],
    ['GET', () => `/v1/intakes/${id()}`, undefined],
    ['GET', () => `/v1/intakes/${id()}/attestation-template`, undefined],
    ['GET', () => `/v1/intakes/${id()}/audit`, undefined],
    ['GET', () => `/v1/intakes/${id()}/documents`, undefined],
    ['GET', () => `/v1/intakes/${id()}/consent-sample`, undefined],
    ['POST', () => `/v1/intakes/${id()}/evidence`, undefined],
    ['GET', () => '/v1/releases', undefined],
    ['GET', () => `/v1/releases/${id()}`, undefined],
    ['GET', () => '/v1/review', undefined],
    ['POST', () => `/v1/review/${id()}/decision`, decision],
    ['GET', () => '/v1/trace?phone=%2B393471040000', undefined],
    ['GET', () => '/v1/call-centers', undefined],
  ] as const;

/**
 * The matrix: for each route, the status each caller gets on the released acme intake. 200/201 only where the specification in docs/
 * section 8 allows it; 404 where the intake is outside the caller's scope (indistinguishable from a missing one).
 */
const expected: Record<string, Partial<Record<Who, number>>> = {
  // beta opening toward cc-napoli: not one of its call centers, 400.
  'POST /v1/intakes': { none: 401, acme: 201, beta: 400, napoli: 403, roma: 403, milano: 403, compliance: 403, complianceAcme: 403, complianceBeta: 403, complianceNone: 403 },
  'POST /v1/intakes/{id}/uploads': { none: 401, acme: 409, beta: 404, napoli: 403, roma: 403, milano: 403, compliance: 403, complianceAcme: 403, complianceBeta: 403, complianceNone: 403 },
  'GET /v1/intakes': { none: 401, acme: 200, beta: 200, napoli: 403, roma: 403, milano: 403, compliance: 200, complianceAcme: 200, complianceBeta: 200, complianceNone: 200 },
  'GET /v1/intakes/{id}': { none: 401, acme: 200, beta: 404, napoli: 404, roma: 404, milano: 404, compliance: 200, complianceAcme: 200, complianceBeta: 404, complianceNone: 404 },
  'GET /v1/intakes/{id}/attestation-template': { none: 401, acme: 200, beta: 404, napoli: 403, roma: 403, milano: 403, compliance: 403, complianceAcme: 403, complianceBeta: 403, complianceNone: 403 },
  'GET /v1/intakes/{id}/audit': { none: 401, acme: 200, beta: 404, napoli: 404, roma: 404, milano: 404, compliance: 200, complianceAcme: 200, complianceBeta: 404, complianceNone: 404 },
  'GET /v1/intakes/{id}/documents': { none: 401, acme: 200, beta: 404, napoli: 404, roma: 404, milano: 404, compliance: 200, complianceAcme: 200, complianceBeta: 404, complianceNone: 404 },
  // This intake had no sample drawn (sampling off here): 404 even in scope; the sample's own access rules are
  // test/unit/pipeline/consent-sample.test.ts's.
  'GET /v1/intakes/{id}/consent-sample': { none: 401, acme: 404, beta: 404, napoli: 403, roma: 403, milano: 403, compliance: 404, complianceAcme: 404, complianceBeta: 404, complianceNone: 404 },
  // Released: no evidence is awaited (409 for its committente only).
  'POST /v1/intakes/{id}/evidence': { none: 401, acme: 409, beta: 404, napoli: 403, roma: 403, milano: 403, compliance: 403, complianceAcme: 403, complianceBeta: 403, complianceNone: 403 },
  'GET /v1/releases': { none: 401, acme: 403, beta: 403, napoli: 200, roma: 200, milano: 200, compliance: 403, complianceAcme: 403, complianceBeta: 403, complianceNone: 403 },
  'GET /v1/releases/{id}': { none: 401, acme: 403, beta: 403, napoli: 200, roma: 404, milano: 404, compliance: 403, complianceAcme: 403, complianceBeta: 403, complianceNone: 403 },
  'GET /v1/review': { none: 401, acme: 403, beta: 403, napoli: 403, roma: 403, milano: 403, compliance: 200, complianceAcme: 200, complianceBeta: 200, complianceNone: 200 },
  'POST /v1/review/{id}/decision': { none: 401, acme: 403, beta: 403, napoli: 403, roma: 403, milano: 403, compliance: 409, complianceAcme: 409, complianceBeta: 404, complianceNone: 404 },
  // Each finds only its own tenants' releases (test/unit/trace/trace-number.test.ts); call centers trace nothing.
  'GET /v1/trace': { none: 401, acme: 200, beta: 200, napoli: 403, roma: 403, milano: 403, compliance: 200, complianceAcme: 200, complianceBeta: 200, complianceNone: 200 },
  // A committente's own configured list (the console's form); no one else has call centers to choose.
  'GET /v1/call-centers': { none: 401, acme: 200, beta: 200, napoli: 403, roma: 403, milano: 403, compliance: 403, complianceAcme: 403, complianceBeta: 403, complianceNone: 403 },
};

const cases = routes(() => released).flatMap(([method, path, body]) => {
  const template = path().replace(released, '{id}').split('?')[0]!;
  const row = expected[`${method} ${template}`];
  if (!row) throw new Error(`no expectations for ${method} ${template}`);
  return Object.entries(row).map(([who, status]) => [who as Who, method, template, status, path, body] as const);
});

describe('access over every route x role x scope (in memory)', () => {
  it('the matrix names every route of the API', async () => {
    const { apiRoutes } = await import('../../../shared/api/routes.js');
    expect(Object.keys(expected).sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it.each(cases)('%s: %s %s -> %i', async (who, method, _template, status, path, body) => {
    const response = await stack.call(method, path(), who === 'none' ? undefined : callers[who], body);
    expect(response.status).toBe(status);
    if (status >= 400) expect(response.text).not.toContain(CAMPAIGN);
  });

  it('an unknown intake and a foreign one are indistinguishable', async () => {
    const foreign = await stack.call('GET', `/v1/intakes/${released}`, callers.beta);
    const missing = await stack.call('GET', '/v1/intakes/FIL-0000000000', callers.beta);
    expect(foreign.status).toBe(missing.status);
    expect(foreign.json).toEqual(missing.json);
  });

  it('listings only show what is in scope', async () => {
    expect((await stack.call('GET', '/v1/intakes', callers.beta)).text).not.toContain(released);
    expect((await stack.call('GET', '/v1/intakes', callers.complianceBeta)).text).not.toContain(released);
    expect((await stack.call('GET', '/v1/intakes', callers.complianceNone)).json.items).toEqual([]);
    expect((await stack.call('GET', '/v1/intakes', callers.complianceAcme)).text).toContain(released);
    expect((await stack.call('GET', '/v1/releases', callers.roma)).text).not.toContain(released);
    expect((await stack.call('GET', '/v1/releases', callers.napoli)).text).toContain(released);
    expect((await stack.call('GET', '/v1/review', callers.complianceBeta)).text).not.toContain(inReview);
    expect((await stack.call('GET', '/v1/review', callers.complianceAcme)).text).toContain(inReview);
  });

  it('a committente lists its own call centers with their names, and only those', async () => {
    const acme = await stack.call('GET', '/v1/call-centers', callers.acme);
    expect(acme.json.items.map((c: { id: string }) => c.id)).toEqual(['cc-napoli', 'cc-roma']);
    expect(acme.json.items.every((c: { id: string; name: string }) => c.name && c.name !== c.id)).toBe(true);
    expect((await stack.call('GET', '/v1/call-centers', callers.beta)).json.items.map((c: { id: string }) => c.id)).toEqual(['cc-milano']);
  });

  it('a committente cannot open an intake toward a call center that is not its own: 400 naming it', async () => {
    const response = await stack.call('POST', '/v1/intakes', callers.acme, { callCenter: 'cc-milano', campaign: 'x' });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain('cc-milano');
  });

  it('document links go to the committente and compliance in scope, each issue audited; refusals are not', async () => {
    const before = (await stack.call('GET', `/v1/intakes/${released}/audit`, callers.acme)).json.events.length as number;
    await stack.call('GET', `/v1/intakes/${released}/documents`, callers.beta);
    await stack.call('GET', `/v1/intakes/${released}/documents`, callers.complianceBeta);
    for (const who of ['acme', 'compliance'] as const) {
      const response = await stack.call('GET', `/v1/intakes/${released}/documents`, callers[who]);
      expect(response.json.documents.map((d: { kind: string }) => d.kind)).toEqual(['list', 'attestation', 'receipt']);
    }
    const audit = (await stack.call('GET', `/v1/intakes/${released}/audit`, callers.acme)).json;
    const issued = audit.events.slice(before).filter((e: { type: string }) => e.type === 'document.link_issued');
    expect(issued.map((e: { actor: string }) => e.actor)).toEqual(['committente:acme:alice', 'compliance:carla']);
  });
});
