import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { italianDate, romeDate, addDays } from '../../../shared/verdict/dates.js';
import { releaseKeys } from '../../../shared/intake/object-keys.js';
import { verifyAuditChain } from '../../../shared/intake/audit.js';
import { DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { attestationBytes, cleanList, sha256, startTestStack, type TestStack, apiCall } from '../../fixtures/stack.js';

let stack: TestStack;
let acme: string;
let napoli: string;
let compliance: string;

beforeAll(async () => {
  stack = await startTestStack();
  acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  napoli = await stack.token({ role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' });
  compliance = await stack.token({ role: 'compliance', sub: 'carla' });
});

afterAll(async () => {
  await stack?.dispose();
});

export const api = (method: string, path: string, token: string | undefined, body?: unknown) => apiCall(stack.baseUrl, method, path, token, body);

async function put(link: { url: string; method: string; headers: Record<string, string> }, body: Uint8Array | string) {
  const response = await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit });
  expect(response.status).toBe(200);
}

const today = () => romeDate(new Date());

/** The attestation's field values for an intake and list, fresh and consistent unless overridden. */
function values(intakeId: string, list: string, rows: number, over: Record<string, string> = {}) {
  return {
    intakeId,
    controllerName: 'Acme Energia S.p.A.',
    controllerVat: `IT${DEMO_TENANT_VAT}`,
    signatory: 'Mario Rossi',
    listSha256: sha256(list),
    rowCount: String(rows),
    legalBasis: 'Consenso (art. 6.1.a GDPR)',
    purpose: 'Offerte commerciali energia',
    collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today(), -3))}`,
    source: 'Concorso a premi online',
    rpoCheckDate: italianDate(addDays(today(), -2)),
    extraEuTransfer: 'No',
    processor: 'Contact Napoli S.r.l.',
    placeAndDate: `Milano, ${italianDate(addDays(today(), -1))}`,
    ...over,
  };
}

async function openAndUpload(list: string, attestation: (intakeId: string) => Promise<Uint8Array>, callCenter = 'cc-napoli') {
  const created = await api('POST', '/v1/intakes', acme, { callCenter, campaign: 'Autunno 2026' });
  expect(created.status).toBe(201);
  const { intakeId, uploads } = created.json;
  await put(uploads.list, list);
  await put(uploads.attestation, await attestation(intakeId));
  await stack.settle();
  const intake = await api('GET', `/v1/intakes/${intakeId}`, acme);
  return { intakeId, uploads, intake: intake.json };
}

/** Asked of the release bucket itself, through the stack's own object store. */
async function releaseObjectExists(intakeId: string, callCenter = 'cc-napoli'): Promise<boolean> {
  return (await stack.deps.objects.head('filiera-release', releaseKeys(callCenter, intakeId).key)) !== null;
}

describe('the whole path on the embedded stack', () => {
  it('creates, uploads with plain fetch, approves, releases; the call center downloads exactly the cleaned list', async () => {
    // Prepare: a list with one duplicate (across notations) and one formula cell.
    const list = `${cleanList(30).trimEnd()}\r\nDup;Row;0039 347 100 0000;15/03/2026\r\n=HYPERLINK("x");Evil;+39 347 999 0001;15/03/2026\r\n`;
    // Act
    const { intakeId, intake } = await openAndUpload(list, (id) =>
      attestationBytes({ values: values(id, list, 32), signing: 'pades', signer: 'mario' }),
    );
    // Assess: released, with the counts the list deserves.
    expect(intake.status).toBe('RELEASED');
    expect(intake.verdict).toBe('approved');
    expect(intake.counts).toMatchObject({ dataRows: 32, releasedRows: 31, excluded: { duplicate: 1 } });
    expect(await releaseObjectExists(intakeId)).toBe(true);

    const releases = await api('GET', '/v1/releases', napoli);
    expect(releases.json.items.map((r: any) => r.intakeId)).toContain(intakeId);
    const links = await api('GET', `/v1/releases/${intakeId}`, napoli);
    expect(links.status).toBe(200);
    const downloaded = new Uint8Array(await (await fetch(links.json.downloadUrl)).arrayBuffer());
    const receipt = await (await fetch(links.json.receiptUrl)).json();
    const text = new TextDecoder().decode(downloaded);
    expect(text.split(/\r?\n/)[0]).toBe('nome;cognome;telefono;data_consenso');
    expect(text).toContain(';+393471000000;');
    expect(text).toContain(`'=HYPERLINK`);
    expect(text.trimEnd().split(/\r?\n/)).toHaveLength(32);
    expect(receipt.released.sha256).toBe(sha256(downloaded));
    expect(receipt.list.sha256).toBe(sha256(list));
    expect(receipt.intakeId).toBe(intakeId);

    const audit = await api('GET', `/v1/intakes/${intakeId}/audit`, acme);
    expect(audit.json.chain.valid).toBe(true);
    expect(verifyAuditChain(audit.json.events).valid).toBe(true);
    const types = audit.json.events.map((e: any) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['intake.created', 'upload.received', 'processing.started', 'verdict.recorded', 'release.published', 'release.link_issued']),
    );
    expect(types.filter((t: string) => t === 'release.published')).toHaveLength(1);
  });

  it('rejects an attestation bound to another list and releases nothing', async () => {
    const list = cleanList(10, 1);
    const { intakeId, intake } = await openAndUpload(list, (id) =>
      attestationBytes({ values: values(id, list, 10, { listSha256: sha256('another list') }), signing: 'pades', signer: 'mario' }),
    );
    expect(intake.status).toBe('REJECTED');
    expect(intake.findings.map((f: any) => f.code)).toContain('list_hash_mismatch');
    expect(await releaseObjectExists(intakeId)).toBe(false);
    expect((await api('GET', `/v1/releases/${intakeId}`, napoli)).status).toBe(404);
  });

  it('sends an unsigned attestation to review; nothing is released until compliance approves with a justification', async () => {
    const list = cleanList(12, 2);
    const { intakeId, intake } = await openAndUpload(list, (id) => attestationBytes({ values: values(id, list, 12), signing: 'none' }));
    expect(intake.status).toBe('IN_REVIEW');
    expect(intake.findings.map((f: any) => f.code)).toContain('attestation_unsigned');
    expect(await releaseObjectExists(intakeId)).toBe(false);

    const queue = await api('GET', '/v1/review', compliance);
    expect(queue.json.items.map((i: any) => i.intakeId)).toContain(intakeId);
    expect(queue.json.counts.IN_REVIEW).toBeGreaterThanOrEqual(1);

    const noReason = await api('POST', `/v1/review/${intakeId}/decision`, compliance, { decision: 'approve', justification: '' });
    expect(noReason.status).toBe(400);
    expect(await releaseObjectExists(intakeId)).toBe(false);

    const decided = await api('POST', `/v1/review/${intakeId}/decision`, compliance, {
      decision: 'approve',
      justification: 'Firma autografa verificata sul documento originale depositato.',
    });
    expect(decided.status).toBe(200);
    expect(decided.json.status).toBe('RELEASED');
    expect(await releaseObjectExists(intakeId)).toBe(true);
    const links = await api('GET', `/v1/releases/${intakeId}`, napoli);
    const receipt = await (await fetch(links.json.receiptUrl)).json();
    expect(receipt.review).toMatchObject({ decision: 'approve', reviewer: 'carla' });
  });

  it('serves the pre-filled attestation template with the list hash and row count once the list is uploaded', async () => {
    const list = cleanList(7, 3);
    const created = await api('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'Template' });
    await put(created.json.uploads.list, list);
    await stack.settle();
    const response = await fetch(`${stack.baseUrl}/v1/intakes/${created.json.intakeId}/attestation-template`, { headers: { authorization: `Bearer ${acme}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = new Uint8Array(await response.arrayBuffer());
    const { readAttestation } = await import('../../../shared/attestation/index.js');
    const read = await readAttestation(pdf);
    expect(read.document.fields.intakeId?.value).toBe(created.json.intakeId);
    expect(read.document.fields.listSha256?.value).toBe(sha256(list));
    expect(read.document.fields.rowCount?.value).toBe(7);
    expect(read.document.fields.controllerVat?.value).toBe(DEMO_TENANT_VAT);
  });

  it('rejects a list over the size limit at processing (beta allows 2,000 bytes)', async () => {
    const beta = await stack.token({ role: 'committente', tenant: 'beta', sub: 'bruno' });
    const created = await api('POST', '/v1/intakes', beta, { callCenter: 'cc-milano', campaign: 'Big' });
    expect(created.status).toBe(201);
    const list = cleanList(60, 4);
    expect(list.length).toBeGreaterThan(2000);
    await put(created.json.uploads.list, list);
    await put(created.json.uploads.attestation, await attestationBytes({ values: values(created.json.intakeId, list, 60), signing: 'none' }));
    await stack.settle();
    const intake = await api('GET', `/v1/intakes/${created.json.intakeId}`, beta);
    expect(intake.json.status).toBe('REJECTED');
    expect(intake.json.findings.map((f: any) => f.code)).toContain('list_too_large');
  });

  it('an upload link cannot write outside its key: another tenant, the other file, the release bucket', async () => {
    const created = await api('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'Scope' });
    expect(created.status).toBe(201);
    const { intakeId, uploads } = created.json;
    const link: { url: string; method: string; headers: Record<string, string> } = uploads.list;
    const key = new URL(link.url).pathname;
    expect(key).toMatch(new RegExp(`^/filiera-intake/tenants/acme/.*${intakeId}.*list\\.csv$`));
    const attempts = [
      link.url.replace('/tenants/acme/', '/tenants/beta/'),
      link.url.replace(new URL(link.url).pathname, new URL(uploads.attestation.url).pathname),
      link.url.replace('/filiera-intake/', '/filiera-release/'),
    ];
    for (const url of attempts) {
      const response = await fetch(url, { method: 'PUT', headers: link.headers, body: 'telefono\n3471234567\n' });
      expect(response.status, url).toBe(403);
      const [bucket, ...rest] = new URL(url).pathname.slice(1).split('/');
      expect(await stack.deps.objects.head(bucket!, rest.join('/')), url).toBeNull();
    }
    await stack.settle();
    expect((await api('GET', `/v1/intakes/${intakeId}`, acme)).json.status).toBe('AWAITING_UPLOADS');
  });

  it('an upload after the verdict changes nothing released, and the trail records it', async () => {
    const list = cleanList(9, 5);
    const { intakeId, uploads } = await openAndUpload(list, (id) => attestationBytes({ values: values(id, list, 9), signing: 'pades', signer: 'mario' }));
    const before = await api('GET', `/v1/releases/${intakeId}`, napoli);
    const original = await (await fetch(before.json.downloadUrl)).text();
    // Act: the link is still valid for a few minutes; the committente uploads another list.
    await put(uploads.list, cleanList(3, 6));
    await stack.settle();
    // Assess
    const after = await api('GET', `/v1/releases/${intakeId}`, napoli);
    expect(await (await fetch(after.json.downloadUrl)).text()).toBe(original);
    const audit = await api('GET', `/v1/intakes/${intakeId}/audit`, acme);
    expect(audit.json.events.map((e: any) => e.type)).toContain('upload.ignored');
    expect(audit.json.chain.valid).toBe(true);
  });

  it('describes the API in /openapi.json, generated from the schemas', async () => {
    const doc = await api('GET', '/openapi.json', undefined);
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/v1/intakes', '/v1/intakes/{id}', '/v1/intakes/{id}/attestation-template', '/v1/intakes/{id}/audit', '/v1/releases', '/v1/releases/{id}', '/v1/review', '/v1/review/{id}/decision']),
    );
    expect(doc.json.paths['/v1/intakes'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('callCenter');
  });
});
