/**
 * docs/configuration.md (revocation.fetch), docs/verdict-rules.md: revocation fetched over HTTP from the URLs the
 * signer's certificate names. A real server on 127.0.0.1 serves a CRL made by `openssl ca -gencrl` at the certificate's
 * CRL distribution point and answers OCSP requests with `openssl ocsp` (the responder's index is the CA's database);
 * the certificate and the CAdES signature are openssl's too. Cross-checked with openssl's own OCSP client and
 * `openssl verify -crl_check`. The last cases run the pipeline's processing use case with the fetcher wired, then the
 * embedded stack (its processing thread's wiring, the cache in its DynamoDB table).
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedStack } from '../../../infra/local/stack.js';
import { LOCAL_CREDENTIALS } from '../../../shared/adapters/local-engines.js';
import { HttpRevocationFetcher } from '../../../shared/adapters/http/http-revocation-fetcher.js';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { MemoryObjectStore } from '../../../shared/adapters/memory/memory-object-store.js';
import { MemoryRevocationCache } from '../../../shared/adapters/memory/memory-revocation-cache.js';
import { examineAttestation, renderAttestationPdf } from '../../../shared/attestation/index.js';
import { crlFromFile, parseConfig, PolicySchema } from '../../../shared/config.js';
import { Intake } from '../../../shared/intake/intake.js';
import type { ListReport } from '../../../shared/list/model.js';
import { silentLogger, type PipelineDeps } from '../../../shared/pipeline/deps.js';
import { handleObjectCreated } from '../../../shared/pipeline/process-intake.js';
import type { SignatureReport } from '../../../shared/signature/index.js';
import { OnlineRevocation } from '../../../shared/signature/online-revocation.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { decideVerdict } from '../../../shared/verdict/policy.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, issueSignerWithRevocationUrls, makePki, type Pki, type UrlSigner } from '../../fixtures/pki.js';
import { apiCall, cleanList, sha256 } from '../../fixtures/stack.js';

const exec = promisify(execFile);
const BUCKETS = { intake: 'filiera-intake', release: 'filiera-release', evidence: 'filiera-evidence' };

let pki: Pki;
let dir: string;
let server: Server;
let base: string;
let signer: UrlSigner;
let rootCrl: Uint8Array;
/** What the server does, per path, and what it was asked. */
const mode = { ocsp: 'responder' as 'responder' | 'down' | 'hang', crl: 'serve' as 'serve' | 'down' | 'hang' };
const hits: string[] = [];

/** The intermediate CA's database as `openssl ca` and `openssl ocsp` read it: the signer valid, or revoked (reason). */
async function setStatus(status: { revoked?: { date: Date; reason: string } }): Promise<void> {
  const subject = (await exec('openssl', ['x509', '-in', signer.certPath, '-noout', '-subject', '-nameopt', 'compat'])).stdout.trim().replace(/^subject=\s*/, '');
  const asn1Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const line = status.revoked
    ? ['R', '391231235959Z', `${asn1Time(status.revoked.date)},${status.revoked.reason}`, signer.serial, 'unknown', subject]
    : ['V', '391231235959Z', '', signer.serial, 'unknown', subject];
  await writeFile(path.join(dir, 'index.txt'), `${line.join('\t')}\n`);
  await exec('openssl', ['ca', '-gencrl', '-config', path.join(dir, 'ca.cnf'), '-cert', path.join(pki.dir, 'intermediate.pem'), '-keyfile', path.join(pki.dir, 'intermediate.key'), '-out', path.join(dir, 'qualified.crl.pem')]);
  await exec('openssl', ['crl', '-in', path.join(dir, 'qualified.crl.pem'), '-outform', 'DER', '-out', path.join(dir, 'qualified.crl')]);
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  hits.push(`${req.method} ${req.url}`);
  const which = req.url === '/ocsp' ? mode.ocsp : req.url === '/crl/qualified.crl' ? mode.crl : 'down';
  if (which === 'hang') return; // never answers
  if (which === 'down') {
    res.writeHead(503).end();
    return;
  }
  if (req.url === '/ocsp') {
    const work = await mkdtemp(path.join(dir, 'ocsp-'));
    await writeFile(path.join(work, 'req.der'), Buffer.concat(chunks));
    await exec('openssl', [
      'ocsp', '-index', path.join(dir, 'index.txt'), '-CA', path.join(pki.dir, 'intermediate.pem'), '-rsigner', path.join(pki.dir, 'intermediate.pem'),
      '-rkey', path.join(pki.dir, 'intermediate.key'), '-reqin', path.join(work, 'req.der'), '-respout', path.join(work, 'resp.der'), '-ndays', '1',
    ]);
    res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(await readFile(path.join(work, 'resp.der')));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(await readFile(path.join(dir, 'qualified.crl')));
}

/** A CRL of the root (nothing revoked): the intermediate's status, configured as revocation.crls would be. */
async function makeRootCrl(): Promise<Uint8Array> {
  const work = await mkdtemp(path.join(dir, 'root-'));
  await writeFile(path.join(work, 'index.txt'), '');
  await writeFile(path.join(work, 'crlnumber'), '01\n');
  await writeFile(path.join(work, 'ca.cnf'), ['[ ca ]', 'default_ca = d', '[ d ]', `database = ${path.join(work, 'index.txt')}`, `crlnumber = ${path.join(work, 'crlnumber')}`, 'default_md = sha256', 'default_crl_days = 7'].join('\n'));
  await exec('openssl', ['ca', '-gencrl', '-config', path.join(work, 'ca.cnf'), '-cert', pki.rootCaPath, '-keyfile', path.join(pki.dir, 'root.key'), '-out', path.join(work, 'root.crl.pem')]);
  return crlFromFile(await readFile(path.join(work, 'root.crl.pem')))!;
}

/** The attestation bound to an intake and list, signed by the signer whose certificate names the server's URLs (openssl cms -cades). */
async function signedAttestation(intakeId: string, list: string, rows: number): Promise<Uint8Array> {
  const today = romeDate(new Date());
  const pdf = await renderAttestationPdf(
    demoAttestationValues({
      intakeId,
      listSha256: sha256(list),
      rowCount: String(rows),
      collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
      rpoCheckDate: italianDate(addDays(today, -2)),
      placeAndDate: `Milano, ${italianDate(addDays(today, -1))}`,
    }),
    { language: 'it', layout: 'same-line' },
  );
  const input = path.join(dir, `${intakeId}.pdf`);
  await writeFile(input, pdf);
  await exec('openssl', [
    'cms', '-sign', '-cades', '-binary', '-nodetach', '-outform', 'DER', '-md', 'sha256', '-in', input,
    '-signer', signer.certPath, '-inkey', signer.keyPath, '-certfile', path.join(pki.dir, 'intermediate.pem'), '-out', `${input}.p7m`,
  ]);
  return new Uint8Array(await readFile(`${input}.p7m`));
}

beforeAll(async () => {
  pki = await makePki();
  dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-online-revocation-'));
  await writeFile(path.join(dir, 'crlnumber'), '01\n');
  await writeFile(path.join(dir, 'ca.cnf'), ['[ ca ]', 'default_ca = d', '[ d ]', `database = ${path.join(dir, 'index.txt')}`, `crlnumber = ${path.join(dir, 'crlnumber')}`, 'default_md = sha256', 'default_crl_days = 7'].join('\n'));
  server = createServer((req, res) => void answer(req, res).catch(() => res.writeHead(500).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  signer = await issueSignerWithRevocationUrls(pki, dir, { crl: `${base}/crl/qualified.crl`, ocsp: `${base}/ocsp` });
  rootCrl = await makeRootCrl();
  await setStatus({});
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

function lookup(options: { budgetMs?: number; timeoutMs?: number } = {}) {
  return new OnlineRevocation({ fetcher: new HttpRevocationFetcher({ allowLoopback: true, timeoutMs: options.timeoutMs ?? 3_000 }), cache: new MemoryRevocationCache(), budgetMs: options.budgetMs ?? 5_000 });
}

async function examine(cms: Uint8Array, online: OnlineRevocation) {
  // The root's CRL is made after signing, so that it covers the signing time.
  return examineAttestation(cms, { trustAnchors: pki.trustAnchors, tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date(), crls: [await makeRootCrl()], revocationLookup: online });
}

const revocationOf = (report: SignatureReport) => report.checks.find((c) => c.name === 'revocation')!;

function revocationFindings(document: Awaited<ReturnType<typeof examine>>['document'], signature: SignatureReport, requireRevocationStatus = false) {
  const list = { readable: true, sha256: 'a'.repeat(64), bytes: 1, encoding: 'utf-8', delimiter: ';', header: [], phoneColumn: 'telefono', dataRows: 1, releasedRows: 1, excluded: {}, samples: [] } as unknown as ListReport;
  return decideVerdict({ intakeId: 'x', tenant: { vat: DEMO_TENANT_VAT }, policy: PolicySchema.parse({ requireRevocationStatus }), now: new Date(), list, attestation: document, signature })
    .findings.filter((f) => f.code === 'signature_revoked' || f.code === 'revocation_status_unknown')
    .map((f) => [f.code, f.severity]);
}

async function opensslOcspSays(): Promise<string> {
  const { stdout } = await exec('openssl', ['ocsp', '-issuer', path.join(pki.dir, 'intermediate.pem'), '-cert', signer.certPath, '-url', `${base}/ocsp`, '-CAfile', pki.rootCaPath]);
  return stdout;
}

async function opensslCrlCheckSaysRevoked(): Promise<boolean> {
  const args = ['verify', '-crl_check', '-CAfile', pki.rootCaPath, '-untrusted', path.join(pki.dir, 'intermediate.pem'), '-CRLfile', path.join(dir, 'qualified.crl.pem'), signer.certPath];
  try {
    await exec('openssl', args);
    return false;
  } catch (error) {
    if (/certificate revoked/.test(`${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`)) return true;
    throw error;
  }
}

describe('revocation fetched from the certificate\'s responder and distribution point', () => {
  it('good from the OCSP responder (openssl ocsp agrees): passes with the responder named; the CRL is not downloaded', async () => {
    mode.ocsp = 'responder';
    mode.crl = 'serve';
    await setStatus({});
    hits.length = 0;
    const { document, signature } = await examine(await signedAttestation('FIL-ONLINE00001', 'x', 1), lookup());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'pass', detail: expect.stringContaining(`Mario Rossi (OCSP response of `) });
    expect(revocationOf(signature).detail).toContain(`fetched from ${base}/ocsp`);
    expect(revocationFindings(document, signature)).toEqual([]);
    expect(hits).toEqual(['POST /ocsp']);
    expect(await opensslOcspSays()).toMatch(/url-signer\.pem: good/);
  });

  it('revoked (keyCompromise) in the CRL at the distribution point, the responder down: rejected, as openssl verify -crl_check says', async () => {
    mode.ocsp = 'down';
    mode.crl = 'serve';
    await setStatus({ revoked: { date: new Date(Date.now() - 86_400_000), reason: 'keyCompromise' } });
    hits.length = 0;
    const { document, signature } = await examine(await signedAttestation('FIL-ONLINE00002', 'x', 1), lookup());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/"Mario Rossi" was revoked on .*\(keyCompromise\), before the signing time/) });
    expect(revocationOf(signature).detail).toContain(`fetched from ${base}/crl/qualified.crl`);
    expect(revocationFindings(document, signature)).toEqual([['signature_revoked', 'reject']]);
    expect(hits).toEqual(['POST /ocsp', 'GET /crl/qualified.crl']);
    expect(await opensslCrlCheckSaysRevoked()).toBe(true);
  });

  it('revoked according to the OCSP responder (openssl ocsp agrees): rejected', async () => {
    mode.ocsp = 'responder';
    await setStatus({ revoked: { date: new Date(Date.now() - 86_400_000), reason: 'keyCompromise' } });
    const { signature } = await examine(await signedAttestation('FIL-ONLINE00003', 'x', 1), lookup());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'fail', detail: expect.stringContaining(`fetched from ${base}/ocsp`) });
    expect(await opensslOcspSays()).toMatch(/url-signer\.pem: revoked/);
  });

  it('a responder and a distribution point that never answer: status unknown within the budget, naming each URL; review under requireRevocationStatus', async () => {
    mode.ocsp = 'hang';
    mode.crl = 'hang';
    await setStatus({});
    const started = Date.now();
    const { document, signature } = await examine(await signedAttestation('FIL-ONLINE00004', 'x', 1), lookup({ timeoutMs: 300 }));
    // Bounded by the per-request limits (two requests of 0.3 s), far below the test's own timeout.
    expect(Date.now() - started).toBeLessThan(20_000);
    const check = revocationOf(signature);
    expect(check.outcome).toBe('absent');
    expect(check.detail).toContain(`${base}/ocsp: no answer within 0.3 s`);
    expect(check.detail).toContain(`${base}/crl/qualified.crl: no answer within 0.3 s`);
    expect(revocationFindings(document, signature)).toEqual([['revocation_status_unknown', 'info']]);
    expect(revocationFindings(document, signature, true)).toEqual([['revocation_status_unknown', 'review']]);
  });
});

describe('the processing use case', () => {
  function deps(fetch: boolean): PipelineDeps {
    return {
      intakes: new MemoryIntakeRepository(),
      objects: new MemoryObjectStore(Object.values(BUCKETS), { versioning: true }),
      buckets: BUCKETS,
      config: async () => ({
        config: parseConfig({
          tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: `IT${DEMO_TENANT_VAT}`, signatories: [DEMO_SIGNATORY], callCenters: ['cc-napoli'] }],
          callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
          revocation: { fetch },
          policy: { consentSampleSize: 0 },
        }),
        file: 'test',
        trustAnchorPems: pki.trustAnchors,
        crlDers: [rootCrl],
      }),
      now: () => new Date(),
      log: silentLogger,
      revocation: lookup(),
    };
  }

  async function process(pipeline: PipelineDeps) {
    const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'luce', actor: 'committente:acme', now: new Date() });
    await pipeline.intakes.create(intake, event);
    const list = cleanList(5, 7);
    const put = async (kind: 'list' | 'attestation', bytes: Uint8Array) => {
      const key = intake.uploadKey(kind);
      const head = await pipeline.objects.putObject(BUCKETS.intake, key, bytes, { contentType: 'application/octet-stream' });
      return handleObjectCreated(pipeline, { bucket: BUCKETS.intake, key, size: head.size, etag: head.etag, ...(head.versionId ? { versionId: head.versionId } : {}) });
    };
    await put('list', new TextEncoder().encode(list));
    await put('attestation', await signedAttestation(intake.intakeId, list, 5));
    return (await pipeline.intakes.get(intake.intakeId))!.toSnapshot();
  }

  it('with revocation.fetch the signer revoked at the distribution point rejects the intake; without it nothing is fetched and the status is unknown (info)', async () => {
    mode.ocsp = 'down';
    mode.crl = 'serve';
    await setStatus({ revoked: { date: new Date(Date.now() - 86_400_000), reason: 'keyCompromise' } });
    hits.length = 0;
    const fetched = await process(deps(true));
    expect(fetched.status).toBe('REJECTED');
    expect(fetched.findings?.map((f) => f.code)).toContain('signature_revoked');
    expect(hits).toContain('GET /crl/qualified.crl');

    hits.length = 0;
    const offline = await process(deps(false));
    expect(hits).toEqual([]);
    expect(offline.findings?.find((f) => f.code === 'revocation_status_unknown')).toMatchObject({ severity: 'info' });
    expect(offline.findings?.map((f) => f.code)).not.toContain('signature_revoked');
  });
});

describe('the embedded stack with revocation.fetch', () => {
  it('rejects an attestation whose signer the CRL at its distribution point revokes, and keeps that CRL in its table', async () => {
    mode.ocsp = 'down';
    mode.crl = 'serve';
    await setStatus({ revoked: { date: new Date(Date.now() - 86_400_000), reason: 'keyCompromise' } });
    const dataDir = await mkdtemp(path.join(dir, 'stack-'));
    await writeFile(path.join(dataDir, 'ca.pem'), pki.rootCaPem);
    const configFile = path.join(dataDir, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: `IT${DEMO_TENANT_VAT}`, signatories: [DEMO_SIGNATORY], callCenters: ['cc-napoli'] }],
        callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
        trustAnchors: ['ca.pem'],
        revocation: { fetch: true },
        policy: { consentSampleSize: 0 },
      }),
    );
    const table = `filiera-${randomUUID()}`;
    const endpoint = inject('dynamoEndpoint');
    const stack = await startEmbeddedStack({ configFile, dataDir, port: 0, sweepIntervalMs: 0, log: silentLogger, dynamo: { endpoint, table } });
    try {
      const token = await stack.identity.issue({ role: 'committente', tenant: 'acme', sub: 'alice' });
      const created = await apiCall(stack.baseUrl, 'POST', '/v1/intakes', token, { callCenter: 'cc-napoli', campaign: 'Autunno 2026' });
      expect(created.status).toBe(201);
      const { intakeId, uploads } = created.json as { intakeId: string; uploads: Record<'list' | 'attestation', { url: string; method: string; headers: Record<string, string> }> };
      const list = cleanList(5, 11);
      const put = async (link: { url: string; method: string; headers: Record<string, string> }, body: Uint8Array | string) =>
        expect((await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit })).status).toBe(200);
      await put(uploads.list, list);
      await put(uploads.attestation, await signedAttestation(intakeId, list, 5));
      await stack.settle();
      const intake = await apiCall(stack.baseUrl, 'GET', `/v1/intakes/${intakeId}`, token);
      expect(intake.json).toMatchObject({ status: 'REJECTED', verdict: 'rejected' });
      expect(JSON.stringify(intake.json.findings)).toContain('signature_revoked');
      const ddb = new DynamoDBClient({ endpoint, region: 'eu-south-1', credentials: LOCAL_CREDENTIALS });
      const items = await ddb.send(new ScanCommand({ TableName: table, FilterExpression: 'entity = :e', ExpressionAttributeValues: { ':e': { S: 'revocation' } } }));
      ddb.destroy();
      expect(items.Items?.map((i) => i.source?.S)).toEqual([`crl ${base}/crl/qualified.crl`]);
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
