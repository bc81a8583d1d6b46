import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from '../../../infra/local/stack.js';
import { verifyWebhook } from '../../../shared/events/signing.js';
import { silentLogger } from '../../../shared/pipeline/deps.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki } from '../../fixtures/pki.js';
import { boundAttestation, cleanList, apiCall } from '../../fixtures/stack.js';

/**
 * docs/events.md on the embedded stack: a real HTTP receiver on 127.0.0.1 subscribed in the configuration gets
 * the released event signed with its secret; one answering 500 first gets the same event again on retry. The retry
 * schedule is shortened through the stack's options (the schedule itself is unit-tested with a moved clock).
 */

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: Date;
}

const SECRETS = { napoli: 'whsec-napoli-integration-0001', flaky: 'whsec-acme-flaky-integration-02' };
let stack: EmbeddedStack;
let receiver: http.Server;
let dataDir: string;
const received: Received[] = [];
const waiters: (() => void)[] = [];
/** The flaky endpoint's answers, in order; then 200. */
const flakyAnswers = [500];

function receivedAt(route: string, count: number, timeoutMs = 60_000): Promise<Received[]> {
  const matching = () => received.filter((r) => r.path === route);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${route}: ${matching().length} deliveries of ${count} expected`)), timeoutMs);
    const check = () => {
      if (matching().length >= count) {
        clearTimeout(timer);
        resolve(matching());
        return true;
      }
      return false;
    };
    if (!check()) waiters.push(() => void check());
  });
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: new Date() });
      const status = req.url === '/flaky' ? (flakyAnswers.shift() ?? 200) : 204;
      res.writeHead(status).end();
      waiters.forEach((w) => w());
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;

  const pki = await makePki();
  dataDir = await mkdtemp(path.join(tmpdir(), 'filiera-webhooks-'));
  await writeFile(path.join(dataDir, 'ca.pem'), pki.rootCaPem);
  await writeFile(path.join(dataDir, 'napoli.key'), `${SECRETS.napoli}\n`, { mode: 0o600 });
  await writeFile(path.join(dataDir, 'flaky.key'), SECRETS.flaky, { mode: 0o600 });
  const configFile = path.join(dataDir, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: `IT${DEMO_TENANT_VAT}`, signatories: [DEMO_SIGNATORY], callCenters: ['cc-napoli'] }],
      callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
      trustAnchors: ['ca.pem'],
      policy: { consentSampleSize: 0 },
      webhooks: [
        { id: 'napoli-ops', callCenter: 'cc-napoli', url: `http://127.0.0.1:${port}/napoli`, events: ['intake.released'], secretFile: 'napoli.key' },
        { id: 'acme-flaky', tenant: 'acme', url: `http://127.0.0.1:${port}/flaky`, events: ['intake.released'], secretFile: 'flaky.key' },
      ],
    }),
  );
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) throw new Error('no DynamoDB Local for this run');
  stack = await startEmbeddedStack({
    configFile,
    dataDir,
    port: 0,
    sweepIntervalMs: 0,
    log: silentLogger,
    dynamo: { endpoint, table: `filiera-${randomUUID()}` },
    webhookRetry: { firstRetryMs: 200, maxRetryMs: 1000, windowMs: 30_000 },
  });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const api = (method: string, route: string, token: string, body?: unknown) => apiCall(stack.baseUrl, method, route, token, body);

async function put(link: { url: string; method: string; headers: Record<string, string> }, body: Uint8Array | string) {
  const response = await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit });
  expect(response.status).toBe(200);
}

describe('webhooks on the embedded stack', () => {
  it('delivers the released event with a valid signature, and again after a 500 to the subscriber that failed', async () => {
    // Prepare
    const acme = await stack.identity.issue({ role: 'committente', tenant: 'acme', sub: 'alice' });
    const created = await api('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'Autunno 2026' });
    expect(created.status).toBe(201);
    const { intakeId, uploads } = created.json;
    const list = cleanList(20);
    // Act
    await put(uploads.list, list);
    await put(uploads.attestation, await boundAttestation(intakeId, list, 20));
    await stack.settle();
    expect((await api('GET', `/v1/intakes/${intakeId}`, acme)).json.status).toBe('RELEASED');
    const [napoli] = await receivedAt('/napoli', 1);
    const flaky = await receivedAt('/flaky', 2);

    // Assess: the call center's subscriber, once, signed with its own secret.
    const event = JSON.parse(napoli!.body);
    expect(event).toMatchObject({ specversion: '1.0', type: 'filiera.intake.released', source: 'filiera/local', subject: intakeId });
    expect(event.data).toMatchObject({ intakeId, tenant: 'acme', callCenter: 'cc-napoli', status: 'RELEASED', verdict: 'approved', counts: { dataRows: 20, releasedRows: 20 } });
    expect(napoli!.headers['filiera-event-id']).toBe(event.id);
    expect(verifyWebhook({ secret: SECRETS.napoli, headers: napoli!.headers, body: napoli!.body, now: napoli!.at })).toEqual({ valid: true });
    expect(verifyWebhook({ secret: SECRETS.flaky, headers: napoli!.headers, body: napoli!.body, now: napoli!.at })).toEqual({ valid: false, reason: 'bad_signature' });
    // The tenant's subscriber answered 500 first: the same event again, each attempt signed afresh.
    expect(flaky.map((r) => r.headers['filiera-event-id'])).toEqual([event.id, event.id]);
    expect(flaky[1]!.body).toBe(napoli!.body);
    for (const attempt of flaky) expect(verifyWebhook({ secret: SECRETS.flaky, headers: attempt.headers, body: attempt.body, now: attempt.at })).toEqual({ valid: true });
    expect(flaky[1]!.at.getTime() - flaky[0]!.at.getTime()).toBeGreaterThanOrEqual(150);
    const trail = await stack.deps.intakes.auditTrail(intakeId);
    expect(trail.some((e) => e.type === 'webhook.undelivered')).toBe(false);
    expect(received.filter((r) => r.path === '/napoli')).toHaveLength(1);
  });
});
