/**
 * docs/api.md, "The signature report": besides each check's sentence, a signature's report states the facts an
 * auditor reads field by field (ETSI EN 319 102-1): the trust anchor and where its trust comes from, the revocation
 * status with the data that gave it (CRL or OCSP, configured, carried or fetched, when issued), the signature
 * timestamp, the qualified status and the trusted-list service behind it.
 */
import { PDFDocument } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryRevocationFetcher } from '../../../shared/adapters/memory/memory-revocation-cache.js';
import { SignatureReportView } from '../../../shared/api/schemas.js';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { SignatureExpectations, SignatureReport } from '../../../shared/signature/index.js';
import { OnlineRevocation } from '../../../shared/signature/online-revocation.js';
import { readTrustedList, type TrustedList } from '../../../shared/signature/trusted-list.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { ACME_SUBJECT, EKU, appendDss, appendSignatureField, issue, makeCrl, makeOcsp, makeTestPki, signCmsWith, signTrustedList, timeStampToken, trustedListXml, type Issued, type SignerSpec, type TestPki } from '../../fixtures/signing.js';

const DAY = 86_400_000;
const QC_COMPLIANCE = '0.4.0.1862.1.1';
const QC_SSCD = '0.4.0.1862.1.4';
const URL_OCSP = 'http://ocsp.test/qualified';
const SIGNER_SUBJECT = 'CN=Mario Rossi, serialNumber=TINIT-RSSMRA80A01F205X, 2.5.4.97=VATIT-01234567897, O=Acme Energia S.p.A., C=IT';
const CA_SUBJECT = 'CN=Test Qualified CA, O=Test Trust Services, C=IT';
const ROOT_SUBJECT = 'CN=Test Root, O=Test Trust Services, C=IT';

/** Whole seconds: CRLs and OCSP responses carry times to the second. */
const ago = (ms: number) => new Date(Math.floor((Date.now() - ms) / 1000) * 1000);

let pki: TestPki;
let pdf: Uint8Array;
let tsa: Issued;
let rogueTsa: Issued;
let qualifiedSigner: Issued;
let onlineSigner: Issued;
let trustedList: TrustedList;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  pdf = (await makeAttestation()).pdf;
  tsa = await issue({ subject: [['CN', 'Test TSA']], issuer: pki.intermediate, keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
  rogueTsa = await issue({ subject: [['CN', 'Rogue TSA']], keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
  qualifiedSigner = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: pki.intermediate, keyUsage: ['nonRepudiation'], qcStatements: [QC_COMPLIANCE, QC_SSCD] });
  const access = new pkijs.InfoAccess({ accessDescriptions: [new pkijs.AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.1', accessLocation: new pkijs.GeneralName({ type: 6, value: URL_OCSP }) })] });
  onlineSigner = await issue({
    subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY),
    issuer: pki.intermediate,
    keyUsage: ['nonRepudiation'],
    extensions: [new pkijs.Extension({ extnID: '1.3.6.1.5.5.7.1.1', critical: false, extnValue: access.toSchema().toBER(false) })],
  });
  const listSigner = await issue({ subject: [['C', 'IT'], ['CN', 'Test TSL Signer']], keyType: 'rsa', keyUsage: ['digitalSignature'] });
  const xml = trustedListXml([{ name: 'Test Qualified Certificates for eSignatures', type: 'CA/QC', status: 'granted', from: new Date(Date.now() - 1000 * DAY), certificates: [pki.intermediate] }]);
  trustedList = readTrustedList(await signTrustedList(xml, listSigner), [listSigner.certPem], 'IT_TSL.xml');
}, 60_000);

function expectations(over: Partial<SignatureExpectations> = {}): SignatureExpectations {
  return { trustAnchors: pki.anchors, tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date(), ...over };
}

const signed = (spec: Partial<SignerSpec> = {}, crls: Uint8Array[] = []) =>
  signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: ago(DAY), ...spec }], crls });

async function verify(cms: Uint8Array, over: Partial<SignatureExpectations> = {}): Promise<SignatureReport> {
  return (await examineAttestation(cms, expectations(over))).signature;
}

const only = (report: SignatureReport) => report.signatures![0]!;
const check = (report: SignatureReport, name: string) => only(report).checks.find((c) => c.name === name)!;

describe('the trust anchor and its source', () => {
  it('a signer under a trusted list\'s CA/QC service: the service, its territory and the path; a qualified signature, and the report says so', async () => {
    const report = await verify(signed({ signer: qualifiedSigner }), { trustAnchors: [], trustedLists: [trustedList] });

    expect(only(report).chain).toEqual({
      anchor: 'Test Qualified CA',
      source: 'trusted-list',
      service: 'Test Qualified Certificates for eSignatures',
      territory: 'IT',
      path: [SIGNER_SUBJECT, CA_SUBJECT],
    });
    expect(only(report).qualified).toEqual({ qualified: true, qcCompliance: true, qcSSCD: true, service: 'Test Qualified Certificates for eSignatures', territory: 'IT' });
    // The tenant's signature's facts are the file's, as its signer is.
    expect(report.chain).toEqual(only(report).chain);
    expect(report.qualified).toEqual(only(report).qualified);
    // The sentences stay as they were.
    expect(check(report, 'chain').detail).toMatch(/^The certificate chains to the trust anchor "Test Qualified CA" \(Mario Rossi → Test Qualified CA\)/);
    expect(check(report, 'qualified')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/issued under the trusted list's CA\/QC service "Test Qualified CA"/) });
  });

  it('a signer under a configured PEM anchor: the anchor, "configured", the path to it; not qualified, each QC statement said', async () => {
    const report = await verify(signed());

    expect(only(report).chain).toEqual({ anchor: 'Test Root', source: 'configured', path: [SIGNER_SUBJECT, CA_SUBJECT, ROOT_SUBJECT] });
    expect(only(report).qualified).toEqual({ qualified: false, qcCompliance: false, qcSSCD: false });
    expect(only(report).timestamp).toBeUndefined();
  });

  it('QC statements without a trusted list: declared, but not qualified', async () => {
    const report = await verify(signed({ signer: qualifiedSigner }));

    expect(only(report).qualified).toEqual({ qualified: false, qcCompliance: true, qcSSCD: true });
  });

  it('a chain that reaches no anchor states none, and revocation is unknown for the signer', async () => {
    const report = await verify(signed(), { trustAnchors: [rogueTsa.certPem] });

    expect(check(report, 'chain').outcome).toBe('fail');
    expect(only(report).chain).toBeUndefined();
    expect(only(report).revocation).toEqual({ status: 'unknown', certificate: 'Mario Rossi' });
  });
});

describe('the revocation status and the data that gave it', () => {
  it('no revocation data: unknown, naming the certificate and the CA whose data is missing', async () => {
    const report = await verify(signed());

    expect(only(report).revocation).toEqual({ status: 'unknown', certificate: 'Mario Rossi', issuer: 'Test Qualified CA' });
    expect(report.revocation).toEqual(only(report).revocation);
  });

  it('a configured CRL listing the signer (keyCompromise) before the signing time: revoked, when, why, which CRL', async () => {
    const issued = ago(0);
    const revokedAt = ago(2 * DAY);
    const crl = await makeCrl(pki.intermediate, [{ cert: pki.signer, date: revokedAt, reason: 1 }], { thisUpdate: issued });
    const report = await verify(signed(), { crls: [crl, await makeCrl(pki.root, [])] });

    expect(only(report).revocation).toEqual({
      status: 'revoked',
      certificate: 'Mario Rossi',
      issuer: 'Test Qualified CA',
      source: 'crl',
      origin: 'configured',
      issuedAt: issued.toISOString(),
      revokedAt: revokedAt.toISOString(),
      reason: 'keyCompromise',
    });
    expect(check(report, 'revocation')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^The certificate "Mario Rossi" was revoked on .* \(keyCompromise\), before the signing time .* \(CRL of "Test Qualified CA" issued /) });
  });

  it('a CRL carried in the signature: "embedded"; the intermediate CA revoked by the root is the certificate named', async () => {
    const embedded = [await makeCrl(pki.intermediate, []), await makeCrl(pki.root, [{ cert: pki.intermediate, date: ago(3 * DAY), reason: 2 }])];
    const report = await verify(signed({}, embedded));

    expect(only(report).revocation).toMatchObject({ status: 'revoked', certificate: 'Test Qualified CA', issuer: 'Test Root', source: 'crl', origin: 'embedded', reason: 'cACompromise' });
  });

  it('revoked after the signing time, superseded: good at the signing time, the later revocation stated', async () => {
    const revokedAt = ago(DAY - 3_600_000);
    const crl = await makeCrl(pki.intermediate, [{ cert: pki.signer, date: revokedAt, reason: 4 }]);
    const report = await verify(signed(), { crls: [crl, await makeCrl(pki.root, [])] });

    expect(check(report, 'revocation').outcome).toBe('pass');
    expect(only(report).revocation).toMatchObject({ status: 'good', certificate: 'Mario Rossi', source: 'crl', origin: 'configured', revokedAt: revokedAt.toISOString(), reason: 'superseded' });
  });

  it('a good OCSP response carried in the signature (revocation values): good, OCSP, embedded, when it was issued', async () => {
    const issued = ago(60_000);
    const ocsp = await makeOcsp(pki.intermediate, pki.signer, { good: true }, { thisUpdate: issued });
    const report = await verify(signed({ revocationOcsps: [ocsp] }), { crls: [await makeCrl(pki.root, [])] });

    expect(check(report, 'revocation').outcome).toBe('pass');
    expect(only(report).revocation).toEqual({ status: 'good', certificate: 'Mario Rossi', issuer: 'Test Qualified CA', source: 'ocsp', origin: 'embedded', issuedAt: issued.toISOString() });
  });

  it('an OCSP response in a PAdES /DSS: "embedded" too', async () => {
    const plain = await (await PDFDocument.load(pdf)).save({ useObjectStreams: false });
    const signedPdf = appendSignatureField(plain, {
      kind: 'signature',
      sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: ago(DAY) }] }),
    });
    const issued = ago(60_000);
    const ltv = appendDss(signedPdf, [], [await makeCrl(pki.root, [])], [await makeOcsp(pki.intermediate, pki.signer, { good: true }, { wrapped: true, thisUpdate: issued })]);
    const report = await verify(ltv);

    expect(only(report).type).toBe('PAdES');
    expect(only(report).revocation).toEqual({ status: 'good', certificate: 'Mario Rossi', issuer: 'Test Qualified CA', source: 'ocsp', origin: 'embedded', issuedAt: issued.toISOString() });
  });

  it('an OCSP response fetched online: "fetched" with the responder\'s URL', async () => {
    const fetcher = new MemoryRevocationFetcher({ [URL_OCSP]: await makeOcsp(pki.intermediate, onlineSigner, { good: true }, { wrapped: true }) });
    const report = await verify(signed({ signer: onlineSigner }), { crls: [await makeCrl(pki.root, [])], revocationLookup: new OnlineRevocation({ fetcher }) });

    expect(check(report, 'revocation').outcome).toBe('pass');
    expect(only(report).revocation).toMatchObject({ status: 'good', certificate: 'Mario Rossi', source: 'ocsp', origin: 'fetched', url: URL_OCSP });
  });
});

describe('the signature timestamp', () => {
  it('a verified timestamp of a trusted authority: its time and authority, trusted and verified', async () => {
    const genTime = ago(DAY - 60_000);
    const report = await verify(signed({ timestamp: (value) => timeStampToken(value, tsa, genTime, [pki.intermediate]) }));

    expect(only(report).timestamp).toEqual({ time: genTime.toISOString(), authority: 'Test TSA', trusted: true, verified: true });
    expect(only(report).signingTimeSource).toBe('timestamp');
    expect(report.timestamp).toEqual(only(report).timestamp);
  });

  it('a timestamp of an authority that chains to no anchor: verified, not trusted', async () => {
    const genTime = ago(DAY - 60_000);
    const report = await verify(signed({ timestamp: (value) => timeStampToken(value, rogueTsa, genTime) }));

    expect(only(report).timestamp).toEqual({ time: genTime.toISOString(), authority: 'Rogue TSA', trusted: false, verified: true });
    expect(only(report).signingTimeSource).toBe('signed-attribute');
  });
});

describe("the file's facts", () => {
  it("are the tenant's signature's, not the first signer's", async () => {
    const other = await issue({ subject: [['C', 'IT'], ['CN', 'Ugo Ignoto']], issuer: pki.intermediate, keyUsage: ['nonRepudiation'] });
    const genTime = ago(DAY - 60_000);
    const cms = signCmsWith({
      content: pdf,
      signers: [
        { signer: other, chain: [pki.intermediate], signingTime: ago(DAY), timestamp: (value) => timeStampToken(value, tsa, genTime, [pki.intermediate]) },
        { signer: pki.signer, chain: [pki.intermediate], signingTime: ago(DAY) },
      ],
    });
    const report = await verify(cms);

    expect(report.signatures!.map((s) => [s.identifiesTenant, s.timestamp?.authority])).toEqual([
      [false, 'Test TSA'],
      [true, undefined],
    ]);
    expect(report.timestamp).toBeUndefined();
    expect(report.chain).toEqual(report.signatures![1]!.chain);
    expect(report.revocation).toEqual({ status: 'unknown', certificate: 'Mario Rossi', issuer: 'Test Qualified CA' });
  });
});

describe('the report as the API shows it', () => {
  it('keeps every fact through the signature report schema (docs/api.md)', async () => {
    const crl = await makeCrl(pki.intermediate, []);
    const report = await verify(signed({ signer: qualifiedSigner, timestamp: (value) => timeStampToken(value, tsa, ago(DAY), [pki.intermediate]) }, [crl]), {
      trustedLists: [trustedList],
      crls: [await makeCrl(pki.root, [])],
    });

    const view = SignatureReportView.parse(JSON.parse(JSON.stringify(report)));

    for (const key of ['chain', 'revocation', 'timestamp', 'qualified'] as const) {
      expect(view[key]).toBeDefined();
      expect(view[key]).toEqual(report[key]);
      expect(view.signatures![0]![key]).toEqual(only(report)[key]);
    }
  });
});
