/**
 * docs/configuration.md (revocation.fetch), docs/verdict-rules.md: revocation data fetched from the certificates' OCSP
 * responders and CRL distribution points, over an in-memory fetcher. Revoked at signing time rejects, a good answer
 * passes with its source named, a responder that does not answer leaves the status unknown (info, or review under
 * requireRevocationStatus), answers are cached until they go stale.
 */
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryRevocationCache, MemoryRevocationFetcher } from '../../../shared/adapters/memory/memory-revocation-cache.js';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { AttestationDocument } from '../../../shared/attestation/model.js';
import { PolicySchema } from '../../../shared/config.js';
import type { ListReport } from '../../../shared/list/model.js';
import type { RevocationLookup } from '../../../shared/ports/revocation-fetcher.js';
import type { SignatureReport } from '../../../shared/signature/index.js';
import { MAX_CACHE_MS, OnlineRevocation, revocationUrls } from '../../../shared/signature/online-revocation.js';
import { certFromDer } from '../../../shared/signature/certificates.js';
import { decideVerdict } from '../../../shared/verdict/policy.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { ACME_SUBJECT, EKU, issue, makeCrl, makeOcsp, signCmsWith, timeStampToken, type Issued } from '../../fixtures/signing.js';

const DAY = 86_400_000;
const URL_OCSP = 'http://ocsp.test/qualified';
const URL_CRL = 'http://crl.test/qualified.crl';
const URL_ROOT_CRL = 'http://crl.test/root.crl';

/** CRL distribution points and an OCSP responder (authority information access), as a CA writes them. */
function revocationExtensions(crl: string[], ocsp: string[]): pkijs.Extension[] {
  const uri = (value: string) => new pkijs.GeneralName({ type: 6, value });
  const extensions: pkijs.Extension[] = [];
  if (crl.length) {
    const points = new pkijs.CRLDistributionPoints({ distributionPoints: crl.map((u) => new pkijs.DistributionPoint({ distributionPoint: [uri(u)] })) });
    extensions.push(new pkijs.Extension({ extnID: '2.5.29.31', critical: false, extnValue: points.toSchema().toBER(false) }));
  }
  if (ocsp.length) {
    const access = new pkijs.InfoAccess({ accessDescriptions: ocsp.map((u) => new pkijs.AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.1', accessLocation: uri(u) })) });
    extensions.push(new pkijs.Extension({ extnID: '1.3.6.1.5.5.7.1.1', critical: false, extnValue: access.toSchema().toBER(false) }));
  }
  return extensions;
}

let root: Issued;
let intermediate: Issued;
let signer: Issued;
let tsa: Issued;
let pdf: Uint8Array;
let rootCrl: Uint8Array;

beforeAll(async () => {
  root = await issue({ subject: [['C', 'IT'], ['CN', 'Test Root']], ca: true, keyUsage: ['keyCertSign', 'cRLSign'], notBefore: new Date(Date.now() - 3000 * DAY), notAfter: new Date(Date.now() + 3000 * DAY) });
  intermediate = await issue({
    subject: [['C', 'IT'], ['CN', 'Test Qualified CA']],
    issuer: root,
    ca: true,
    pathLen: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
    extensions: revocationExtensions([URL_ROOT_CRL, 'ldap://ldap.test/cn=root'], []),
  });
  signer = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: intermediate, keyUsage: ['nonRepudiation'], extensions: revocationExtensions([URL_CRL], [URL_OCSP]) });
  tsa = await issue({ subject: [['CN', 'Test TSA']], issuer: root, keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
  pdf = (await makeAttestation()).pdf;
  rootCrl = await makeCrl(root, []);
}, 60_000);

const signingTime = () => new Date(Date.now() - DAY);
const signed = (extra: { revocationOcsps?: Uint8Array[]; revocationValues?: Uint8Array[]; timestamped?: boolean } = {}) => {
  return signCmsWith({
    content: pdf,
    signers: [
      {
        signer,
        chain: [intermediate],
        signingTime: signingTime(),
        ...(extra.revocationOcsps ? { revocationOcsps: extra.revocationOcsps } : {}),
        ...(extra.revocationValues ? { revocationValues: extra.revocationValues } : {}),
        ...(extra.timestamped ? { timestamp: (value: Uint8Array) => timeStampToken(value, tsa, new Date(Date.now() - DAY)) } : {}),
      },
    ],
  });
};

async function verify(cms: Uint8Array, lookup?: RevocationLookup) {
  return examineAttestation(cms, { trustAnchors: [root.certPem], tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date(), ...(lookup ? { revocationLookup: lookup } : {}) });
}

const revocationOf = (report: SignatureReport) => report.checks.find((c) => c.name === 'revocation')!;

function findings(document: AttestationDocument, signature: SignatureReport, requireRevocationStatus = false) {
  const list = { readable: true, sha256: 'a'.repeat(64), bytes: 1, encoding: 'utf-8', delimiter: ';', header: [], phoneColumn: 'telefono', dataRows: 1, releasedRows: 1, excluded: {}, samples: [] } as unknown as ListReport;
  const policy = PolicySchema.parse({ requireRevocationStatus });
  return decideVerdict({ intakeId: 'x', tenant: { vat: DEMO_TENANT_VAT }, policy, now: new Date(), list, attestation: document, signature })
    .findings.filter((f) => f.code === 'signature_revoked' || f.code === 'revocation_status_unknown')
    .map((f) => [f.code, f.severity, f.message]);
}

describe('the URLs a certificate names', () => {
  it('http(s) CRL distribution points and OCSP responders; LDAP is not used', () => {
    expect(revocationUrls(certFromDer(signer.der)!)).toEqual({ crl: [URL_CRL], ocsp: [URL_OCSP] });
    expect(revocationUrls(certFromDer(intermediate.der)!)).toEqual({ crl: [URL_ROOT_CRL], ocsp: [] });
    expect(revocationUrls(certFromDer(root.der)!)).toEqual({ crl: [], ocsp: [] });
  });
});

describe('revocation fetched online', () => {
  it('a fetched CRL listing the signer (keyCompromise) rejects, naming where it came from; the OCSP responder was tried first', async () => {
    const fetcher = new MemoryRevocationFetcher({
      [URL_OCSP]: { error: 'HTTP 503' },
      [URL_CRL]: await makeCrl(intermediate, [{ cert: signer, date: new Date(Date.now() - 2 * DAY), reason: 1 }]),
      [URL_ROOT_CRL]: rootCrl,
    });
    const { document, signature } = await verify(signed(), new OnlineRevocation({ fetcher }));
    expect(revocationOf(signature)).toMatchObject({
      outcome: 'fail',
      detail: expect.stringMatching(/"Mario Rossi" was revoked on .* \(keyCompromise\), before the signing time .*fetched from http:\/\/crl\.test\/qualified\.crl/),
    });
    expect(signature.valid).toBe(false);
    expect(findings(document, signature).map(([code, severity]) => [code, severity])).toEqual([['signature_revoked', 'reject']]);
    expect(fetcher.requests.map((r) => `${r.kind} ${r.url}`)).toEqual(expect.arrayContaining([`ocsp ${URL_OCSP}`, `crl ${URL_CRL}`, `crl ${URL_ROOT_CRL}`]));
    const ocspAt = fetcher.requests.findIndex((r) => r.url === URL_OCSP);
    expect(ocspAt).toBeLessThan(fetcher.requests.findIndex((r) => r.url === URL_CRL));
  });

  it('a good fetched OCSP answer passes with its source named, and the CRL is then not downloaded', async () => {
    const fetcher = new MemoryRevocationFetcher({
      [URL_OCSP]: await makeOcsp(intermediate, signer, { good: true }, { wrapped: true }),
      [URL_CRL]: { error: 'must not be asked' },
      [URL_ROOT_CRL]: rootCrl,
    });
    const { document, signature } = await verify(signed(), new OnlineRevocation({ fetcher }));
    expect(revocationOf(signature)).toMatchObject({
      outcome: 'pass',
      detail: expect.stringMatching(/Mario Rossi \(OCSP response of .*, fetched from http:\/\/ocsp\.test\/qualified\), Test Qualified CA \(CRL of .*, fetched from http:\/\/crl\.test\/root\.crl\)/),
      detailIt: expect.stringMatching(/risposta OCSP del .*, scaricata da http:\/\/ocsp\.test\/qualified/),
    });
    expect(signature.valid).toBe(true);
    expect(findings(document, signature)).toEqual([]);
    expect(fetcher.requests.some((r) => r.url === URL_CRL)).toBe(false);
    // The OCSP request names the signer's certificate: the responder can answer it.
    const ocsp = fetcher.requests.find((r) => r.kind === 'ocsp')!;
    const request = pkijs.OCSPRequest.fromBER(new Uint8Array(ocsp.kind === 'ocsp' ? ocsp.request : []));
    expect(Buffer.from(request.tbsRequest.requestList[0]!.reqCert.serialNumber.valueBlock.valueHexView)).toEqual(Buffer.from(signer.cert.serialNumber.valueBlock.valueHexView));
    expect(signature.notes.join(' ')).toMatch(/Revocation data fetched online: 1 CRL\(s\), 1 OCSP response\(s\)/);
  });

  it('an OCSP answer signed by someone else is not used (checked as an embedded one): the CRL decides', async () => {
    const stranger = await issue({ subject: [['CN', 'Some Responder']], eku: ['1.3.6.1.5.5.7.3.9'] });
    const fetcher = new MemoryRevocationFetcher({
      [URL_OCSP]: await makeOcsp(intermediate, signer, { good: true }, { responder: stranger }),
      [URL_CRL]: await makeCrl(intermediate, []),
      [URL_ROOT_CRL]: rootCrl,
    });
    const { signature } = await verify(signed(), new OnlineRevocation({ fetcher }));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Mario Rossi \(CRL of .*, fetched from http:\/\/crl\.test\/qualified\.crl\)/) });
  });

  it('a delegated responder (id-kp-OCSPSigning, issued by the issuer) counts only while its certificate is valid', async () => {
    const responder = (notAfter: Date) => issue({ subject: [['CN', 'Test OCSP Responder']], issuer: intermediate, eku: ['1.3.6.1.5.5.7.3.9'], notBefore: new Date(Date.now() - 10 * DAY), notAfter });
    const current = await responder(new Date(Date.now() + 10 * DAY));
    const expired = await responder(new Date(Date.now() - DAY));
    for (const [who, outcome] of [[current, 'pass'], [expired, 'absent']] as const) {
      const fetcher = new MemoryRevocationFetcher({ [URL_OCSP]: await makeOcsp(intermediate, signer, { good: true }, { responder: who }), [URL_ROOT_CRL]: rootCrl });
      const { signature } = await verify(signed(), new OnlineRevocation({ fetcher }));
      expect(revocationOf(signature).outcome).toBe(outcome);
    }
  });

  it('a CRL at the distribution point that the issuer did not sign is neither used nor cached', async () => {
    const forger = await issue({ subject: [['CN', 'Forger']] });
    const forged = await makeCrl(intermediate, [{ cert: signer, date: new Date(Date.now() - 2 * DAY), reason: 1 }], { signingKey: forger.privateKey });
    const fetcher = new MemoryRevocationFetcher({ [URL_CRL]: forged, [URL_ROOT_CRL]: rootCrl });
    const cache = new MemoryRevocationCache();
    const { signature } = await verify(signed(), new OnlineRevocation({ fetcher, cache }));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'absent', detail: expect.stringContaining(`${URL_CRL}: the CRL there is not signed by "C=IT, CN=Test Qualified CA"`) });
    expect(await cache.get(`crl ${URL_CRL}`, new Date())).toBeUndefined();
  });

  it('a fetched OCSP answer saying revoked rejects', async () => {
    const fetcher = new MemoryRevocationFetcher({
      [URL_OCSP]: await makeOcsp(intermediate, signer, { revoked: new Date(Date.now() - 3 * DAY), reason: 4 }),
      [URL_ROOT_CRL]: rootCrl,
    });
    const { signature } = await verify(signed(), new OnlineRevocation({ fetcher }));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/superseded\), before the signing time .*OCSP response of .*fetched from http:\/\/ocsp\.test\/qualified/) });
  });

  it('responders that do not answer in time: status unknown naming each URL and cause, an info finding; review under requireRevocationStatus', async () => {
    const fetcher = new MemoryRevocationFetcher({ [URL_OCSP]: { error: 'HTTP 503' }, [URL_CRL]: 'never', [URL_ROOT_CRL]: { error: 'ECONNREFUSED' } });
    const { document, signature } = await verify(signed(), new OnlineRevocation({ fetcher, budgetMs: 50 }));
    const check = revocationOf(signature);
    expect(check.outcome).toBe('absent');
    // What was tried before the budget ran out, then the request it ran out on.
    expect(check.detail).toContain('"Mario Rossi" (fetching: http://ocsp.test/qualified: HTTP 503; http://crl.test/qualified.crl: no answer within the 0.05 s a verification allows)');
    expect(check.detail).toMatch(/"Test Qualified CA" \(fetching: http:\/\/crl\.test\/root\.crl: ECONNREFUSED\)/);
    expect(signature.valid).toBe(true);
    const [info] = findings(document, signature);
    expect(info).toEqual(['revocation_status_unknown', 'info', expect.stringContaining('http://ocsp.test/qualified')]);
    expect(findings(document, signature, true).map(([code, severity]) => [code, severity])).toEqual([['revocation_status_unknown', 'review']]);
  });

  it('a status settled by embedded data for a claimed signing time is still asked online: a later keyCompromise rejects', async () => {
    const embedded = { revocationOcsps: [await makeOcsp(intermediate, signer, { good: true })], revocationValues: [rootCrl] };
    const fetcher = new MemoryRevocationFetcher({
      [URL_OCSP]: await makeOcsp(intermediate, signer, { revoked: new Date(Date.now() - 3_600_000), reason: 1 }),
      [URL_ROOT_CRL]: rootCrl,
    });
    const { signature: offline } = await verify(signed(embedded));
    expect(revocationOf(offline).outcome).toBe('pass');
    const { signature } = await verify(signed(embedded), new OnlineRevocation({ fetcher }));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/keyCompromise\): without a trusted timestamp/) });
  });

  it('a timestamped signature whose embedded data settle the status asks nothing', async () => {
    const embedded = { revocationOcsps: [await makeOcsp(intermediate, signer, { good: true })], revocationValues: [rootCrl], timestamped: true };
    const fetcher = new MemoryRevocationFetcher({});
    const { signature } = await verify(signed(embedded), new OnlineRevocation({ fetcher }));
    expect(signature.signingTimeSource).toBe('timestamp');
    expect(revocationOf(signature).outcome).toBe('pass');
    expect(fetcher.requests).toEqual([]);
  });
});

describe('the cache', () => {
  it('a second verification reads the answers from the cache, without a second fetch', async () => {
    const fetcher = new MemoryRevocationFetcher({ [URL_OCSP]: await makeOcsp(intermediate, signer, { good: true }), [URL_ROOT_CRL]: rootCrl });
    const lookup = new OnlineRevocation({ fetcher, cache: new MemoryRevocationCache() });
    await verify(signed(), lookup);
    const asked = fetcher.requests.length;
    expect(asked).toBe(2);
    const { signature } = await verify(signed(), lookup);
    expect(fetcher.requests).toHaveLength(asked);
    expect(revocationOf(signature)).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/fetched from http:\/\/ocsp\.test\/qualified, cached/) });
  });

  it('a CRL is kept until its nextUpdate, at most a day; then fetched again', async () => {
    let now = new Date('2026-06-01T10:00:00Z');
    const crl = await makeCrl(root, [], { thisUpdate: now }); // nextUpdate a week later
    const fetcher = new MemoryRevocationFetcher({ [URL_ROOT_CRL]: crl });
    const lookup = new OnlineRevocation({ fetcher, cache: new MemoryRevocationCache(), now: () => now });
    const subjects = [{ certificate: intermediate.der, issuer: root.der }];
    expect((await lookup.lookup(subjects)).crls).toHaveLength(1);
    now = new Date(now.getTime() + MAX_CACHE_MS - 60_000);
    const cached = await lookup.lookup(subjects);
    expect([...cached.origins.values()]).toEqual([{ url: URL_ROOT_CRL, cached: true }]);
    expect(fetcher.requests).toHaveLength(1);
    now = new Date(now.getTime() + 120_000);
    const refetched = await lookup.lookup(subjects);
    expect([...refetched.origins.values()]).toEqual([{ url: URL_ROOT_CRL, cached: false }]);
    expect(fetcher.requests).toHaveLength(2);
  });

  it('an OCSP answer is kept until its nextUpdate', async () => {
    let now = new Date();
    const next = new Date(now.getTime() + 3_600_000);
    const answer = await ocspWithNextUpdate(next);
    const fetcher = new MemoryRevocationFetcher({ [URL_OCSP]: answer });
    const lookup = new OnlineRevocation({ fetcher, cache: new MemoryRevocationCache(), now: () => now });
    const subjects = [{ certificate: signer.der, issuer: intermediate.der }];
    await lookup.lookup(subjects);
    now = new Date(next.getTime() - 60_000);
    await lookup.lookup(subjects);
    expect(fetcher.requests).toHaveLength(1);
    now = new Date(next.getTime() + 10 * 60_000);
    const stale = await lookup.lookup(subjects);
    // Fetched again, and the responder's answer is now stale: not used (the CRL is tried next).
    expect(fetcher.requests.filter((r) => r.kind === 'ocsp')).toHaveLength(2);
    expect(stale.ocsps).toHaveLength(0);
    expect([...stale.problems.values()].flat()).toEqual(expect.arrayContaining([{ url: URL_OCSP, cause: expect.stringMatching(/stale/) }, { url: URL_CRL, cause: 'ECONNREFUSED' }]));
  });

  it('a cache that fails is a miss, never the verdict\'s problem', async () => {
    const fetcher = new MemoryRevocationFetcher({ [URL_OCSP]: await makeOcsp(intermediate, signer, { good: true }), [URL_ROOT_CRL]: rootCrl });
    const broken = { get: () => Promise.reject(new Error('table down')), put: () => Promise.reject(new Error('table down')) };
    const { signature } = await verify(signed(), new OnlineRevocation({ fetcher, cache: broken }));
    expect(revocationOf(signature).outcome).toBe('pass');
  });
});

/** An issuer-signed good answer about the signer with a nextUpdate (the fixture's answers carry none). */
async function ocspWithNextUpdate(nextUpdate: Date): Promise<Uint8Array> {
  const der = await makeOcsp(intermediate, signer, { good: true });
  const basic = pkijs.BasicOCSPResponse.fromBER(der);
  basic.tbsResponseData.responses[0]!.nextUpdate = nextUpdate;
  basic.tbsResponseData.tbsView = new Uint8Array(0);
  await basic.sign(intermediate.privateKey, 'SHA-256');
  return new Uint8Array(basic.toSchema().toBER(false));
}
