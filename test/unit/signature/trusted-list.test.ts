/**
 * docs/configuration.md: ETSI TS 119 612 trusted lists, verified against their configured signer (xml-crypto) before
 * use; CA/QC services granted at the signing time (history included) anchor signatures, TSA/QTST services anchor
 * timestamps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import { PolicySchema } from '../../../shared/config.js';
import type { ListReport } from '../../../shared/list/model.js';
import type { SignatureExpectations } from '../../../shared/signature/index.js';
import { decideVerdict } from '../../../shared/verdict/policy.js';
import { TrustedListError, readTrustedList, type TrustedList } from '../../../shared/signature/trusted-list.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { ACME_SUBJECT, EKU, issue, makeTestPki, signCmsWith, signTrustedList, timeStampToken, trustedListXml, type Issued, type ListedService, type TestPki } from '../../fixtures/signing.js';

const DAY = 86_400_000;
let pki: TestPki;
let pdf: Uint8Array;
let listSigner: Issued;
let tsa: Issued;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  pdf = (await makeAttestation()).pdf;
  listSigner = await issue({ subject: [['C', 'IT'], ['O', 'Agenzia per l\'Italia Digitale'], ['CN', 'Test TSL Signer']], keyType: 'rsa', keyUsage: ['digitalSignature'] });
  tsa = await issue({ subject: [['CN', 'Listed TSA']], issuer: pki.intermediate, keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
}, 60_000);

async function list(services: ListedService[]): Promise<TrustedList> {
  return readTrustedList(await signTrustedList(trustedListXml(services), listSigner), [listSigner.certPem], 'IT_TSL.xml');
}

const qualifiedCa = (over: Partial<ListedService> = {}): ListedService => ({
  name: 'Test Qualified CA',
  type: 'CA/QC',
  status: 'granted',
  from: new Date(Date.now() - 1000 * DAY),
  certificates: [pki.intermediate],
  ...over,
});

function expectations(lists: TrustedList[]): SignatureExpectations {
  return { trustAnchors: [], trustedLists: lists, tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date() };
}

const signedAt = (time: Date, timestamp?: (v: Uint8Array) => Uint8Array) =>
  signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: time, ...(timestamp ? { timestamp } : {}) }] });

describe('reading a trusted list', () => {
  it('a list signed by its configured signer is read: territory and services', async () => {
    const read = await list([qualifiedCa()]);
    expect(read.territory).toBe('IT');
    expect(read.services).toEqual([expect.objectContaining({ name: 'Test Qualified CA', provider: 'Test Trust Services S.p.A.' })]);
    expect(read.services[0]!.periods[0]).toMatchObject({ type: 'http://uri.etsi.org/TrstSvc/Svctype/CA/QC', granted: true });
  });

  it('a list signed by someone else is refused', async () => {
    const other = await issue({ subject: [['CN', 'Someone Else']], keyType: 'rsa' });
    const xml = await signTrustedList(trustedListXml([qualifiedCa()]), other);
    expect(() => readTrustedList(xml, [listSigner.certPem], 'IT_TSL.xml')).toThrow(TrustedListError);
    expect(() => readTrustedList(xml, [listSigner.certPem], 'IT_TSL.xml')).toThrow(/IT_TSL.xml: the signature is not from a configured signer/);
  });

  it('a list changed after signing (a service added) is refused', async () => {
    const xml = await signTrustedList(trustedListXml([qualifiedCa()]), listSigner);
    const rogue = await issue({ subject: [['CN', 'Rogue CA']], ca: true, keyUsage: ['keyCertSign'] });
    const tampered = xml.replace('</tsl:TSPServices>', `${trustedListXml([qualifiedCa({ name: 'Rogue', certificates: [rogue] })]).match(/<tsl:TSPService>[\s\S]*<\/tsl:TSPService>/)![0]}</tsl:TSPServices>`);
    expect(tampered).not.toBe(xml);
    expect(() => readTrustedList(tampered, [listSigner.certPem])).toThrow(/not from a configured signer/);
  });

  it('an unsigned list and a document that is not a list are refused', async () => {
    expect(() => readTrustedList(trustedListXml([qualifiedCa()]), [listSigner.certPem])).toThrow(/carries 0 XML signatures/);
    expect(() => readTrustedList('<html/>', [listSigner.certPem])).toThrow(/not an ETSI TS 119 612 trusted list/);
  });
});

describe('trusted-list services as anchors', () => {
  it('a signer under a CA/QC service granted at the signing time chains, with no PEM anchor configured', async () => {
    const { signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY)), expectations([await list([qualifiedCa()])]));
    expect(signature.checks.find((c) => c.name === 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/trust anchor "Test Qualified CA"/) });
    expect(signature.valid).toBe(true);
  });

  it('the service history decides: granted when signed, withdrawn since, still trusted; signed after withdrawal, not', async () => {
    const withdrawnAt = new Date(Date.now() - 10 * DAY);
    const service = qualifiedCa({ status: 'withdrawn', from: withdrawnAt, history: [{ status: 'granted', from: new Date(Date.now() - 1000 * DAY) }] });
    const lists = [await list([service])];
    const { signature: before } = await examineAttestation(signedAt(new Date(Date.now() - 20 * DAY)), expectations(lists));
    expect(before.checks.find((c) => c.name === 'chain')?.outcome).toBe('pass');
    const { signature: after } = await examineAttestation(signedAt(new Date(Date.now() - DAY)), expectations(lists));
    expect(after.checks.find((c) => c.name === 'chain')?.outcome).toBe('fail');
  });

  it('a TSA/QTST service of the list makes a signature timestamp usable; a CA/QC listing alone does not trust a TSA outside it', async () => {
    const stamp = (v: Uint8Array) => timeStampToken(v, tsa, new Date(Date.now() - 3_600_000), [pki.intermediate]);
    const withTsa = [await list([qualifiedCa(), { name: 'Listed TSA', type: 'TSA/QTST', status: 'granted', from: new Date(Date.now() - 1000 * DAY), certificates: [tsa] }])];
    const { signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY), stamp), expectations(withTsa));
    expect(signature.checks.find((c) => c.name === 'timestamp')?.outcome).toBe('pass');
    expect(signature.signingTimeSource).toBe('timestamp');
    const { signature: caOnly } = await examineAttestation(signedAt(new Date(Date.now() - DAY), stamp), expectations([await list([qualifiedCa()])]));
    expect(caOnly.checks.find((c) => c.name === 'timestamp')?.outcome).toBe('fail');
    expect(caOnly.signingTimeSource).toBe('signed-attribute');
  });
});

describe('qualified electronic signatures (requireQualified)', () => {
  const QC_COMPLIANCE = '0.4.0.1862.1.1';
  const QC_SSCD = '0.4.0.1862.1.4';

  async function verdictCodes(signer: Issued, lists: TrustedList[], requireQualified: boolean, anchors: string[] = []) {
    const cms = signCmsWith({ content: pdf, signers: [{ signer, chain: [pki.intermediate], signingTime: new Date(Date.now() - DAY) }] });
    const { document, signature } = await examineAttestation(cms, { ...expectations(lists), trustAnchors: anchors });
    const listReport = { readable: true, sha256: 'a'.repeat(64), bytes: 1, encoding: 'utf-8', delimiter: ';', header: [], phoneColumn: 'telefono', dataRows: 1, releasedRows: 1, excluded: {}, samples: [] } as unknown as ListReport;
    const { findings } = decideVerdict({ intakeId: 'x', tenant: { vat: DEMO_TENANT_VAT }, policy: PolicySchema.parse({ requireQualified }), now: new Date(), list: listReport, attestation: document, signature });
    return { signature, codes: findings.filter((f) => f.code === 'signature_not_qualified').map((f) => [f.code, f.severity]) };
  }

  it('QcCompliance and QcSSCD under a granted CA/QC service: qualified, accepted under requireQualified', async () => {
    const signer = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: pki.intermediate, keyUsage: ['nonRepudiation'], qcStatements: [QC_COMPLIANCE, QC_SSCD] });
    const { signature, codes } = await verdictCodes(signer, [await list([qualifiedCa()])], true);
    expect(signature.checks.find((c) => c.name === 'qualified')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/A qualified electronic signature/) });
    expect(codes).toEqual([]);
  });

  it.each([
    ['no QC statements', [] as string[], true, /no QcCompliance statement.*no QcSSCD statement/],
    ['QcCompliance without QcSSCD', [QC_COMPLIANCE], true, /no QcSSCD statement/],
    ['QC statements, but the CA is trusted as a PEM anchor, not through a list', [QC_COMPLIANCE, QC_SSCD], false, /no CA\/QC service of a trusted list/],
  ])('%s: not qualified; rejected under requireQualified only', async (_name, statements, listed, detail) => {
    const signer = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: pki.intermediate, keyUsage: ['nonRepudiation'], qcStatements: statements });
    const lists = listed ? [await list([qualifiedCa()])] : [];
    const anchors = listed ? [] : pki.anchors;
    const required = await verdictCodes(signer, lists, true, anchors);
    expect(required.signature.checks.find((c) => c.name === 'qualified')).toMatchObject({ outcome: 'absent', detail: expect.stringMatching(detail) });
    expect(required.signature.valid).toBe(true);
    expect(required.codes).toEqual([['signature_not_qualified', 'reject']]);
    expect((await verdictCodes(signer, lists, false, anchors)).codes).toEqual([]);
  });
});
