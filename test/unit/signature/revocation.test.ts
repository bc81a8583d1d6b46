/**
 * docs/verdict-rules.md, docs/configuration.md: revocation from configured CRLs and from the revocation data a signature carries
 * (SignedData.crls, PAdES /DSS). Revoked at signing time rejects; a compromise counts whatever the claimed time;
 * unknown status is information, or a person's call under requireRevocationStatus.
 */
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { AttestationDocument } from '../../../shared/attestation/model.js';
import { PolicySchema } from '../../../shared/config.js';
import type { ListReport } from '../../../shared/list/model.js';
import type { SignatureExpectations, SignatureReport } from '../../../shared/signature/index.js';
import { decideVerdict } from '../../../shared/verdict/policy.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { EKU, appendDss, appendSignatureField, issue, makeCrl, makeOcsp, makeTestPki, signCmsWith, type TestPki } from '../../fixtures/signing.js';

const DAY = 86_400_000;
let pki: TestPki;
let pdf: Uint8Array;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  pdf = (await makeAttestation()).pdf;
}, 60_000);

const signedAt = (time: Date, crls: Uint8Array[] = []) =>
  signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: time }], crls });

function expectations(crls: Uint8Array[] = []): SignatureExpectations {
  return { trustAnchors: pki.anchors, tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date(), crls };
}

const revocationOf = (report: SignatureReport) => report.checks.find((c) => c.name === 'revocation')!;

function findings(document: AttestationDocument, signature: SignatureReport, requireRevocationStatus = false) {
  const list = { readable: true, sha256: 'a'.repeat(64), bytes: 1, encoding: 'utf-8', delimiter: ';', header: [], phoneColumn: 'telefono', dataRows: 1, releasedRows: 1, excluded: {}, samples: [] } as unknown as ListReport;
  const policy = PolicySchema.parse({ requireRevocationStatus });
  return decideVerdict({ intakeId: 'x', tenant: { vat: DEMO_TENANT_VAT }, policy, now: new Date(), list, attestation: document, signature })
    .findings.filter((f) => f.code === 'signature_revoked' || f.code === 'revocation_status_unknown')
    .map((f) => [f.code, f.severity]);
}

describe('revocation from CRLs', () => {
  it('a configured CRL of the issuer, issued after signing, not listing the signer: not revoked', async () => {
    const crl = await makeCrl(pki.intermediate, []);
    const rootCrl = await makeCrl(pki.root, []);
    const { document, signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY)), expectations([crl, rootCrl]));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Not revoked at the signing time.*Mario Rossi, Test Qualified CA/) });
    expect(signature.valid).toBe(true);
    expect(findings(document, signature)).toEqual([]);
  });

  it('no CRL: status unknown, an info finding; review under requireRevocationStatus', async () => {
    const { document, signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY)), expectations());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'absent', detail: expect.stringMatching(/no CRL or OCSP response of "Test Qualified CA" is available for "Mario Rossi"/) });
    expect(signature.valid).toBe(true);
    expect(findings(document, signature)).toEqual([['revocation_status_unknown', 'info']]);
    expect(findings(document, signature, true)).toEqual([['revocation_status_unknown', 'review']]);
  });

  it.each([
    ['revoked before the signing time (superseded)', -2 * DAY, 4, /revoked on .* \(superseded\), before the signing time/],
    ['revoked after the signing time for keyCompromise, no timestamp', 2 * 3_600_000, 1, /keyCompromise\): without a trusted timestamp before that date/],
    ['revoked after the signing time with no stated reason', 2 * 3_600_000, undefined, /no stated reason\): without a trusted timestamp/],
  ])('%s: rejected', async (_name, offset, reason, detail) => {
    const signingTime = new Date(Date.now() - DAY);
    const crl = await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(signingTime.getTime() + offset), reason }]);
    const { document, signature } = await examineAttestation(signedAt(signingTime), expectations([crl, await makeCrl(pki.root, [])]));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(detail) });
    expect(revocationOf(signature).detailIt).toMatch(/revocato il/);
    expect(signature.valid).toBe(false);
    expect(findings(document, signature)).toEqual([['signature_revoked', 'reject']]);
  });

  it('revoked after signing because superseded: the signature stands', async () => {
    const signingTime = new Date(Date.now() - DAY);
    const crl = await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(signingTime.getTime() + 3_600_000), reason: 4 }]);
    const { signature } = await examineAttestation(signedAt(signingTime), expectations([crl, await makeCrl(pki.root, [])]));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/revoked later, superseded/) });
  });

  it('an intermediate CA revoked by the root rejects', async () => {
    const crl = await makeCrl(pki.root, [{ cert: pki.intermediate, date: new Date(Date.now() - 3 * DAY), reason: 2 }]);
    const { signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY)), expectations([crl, await makeCrl(pki.intermediate, [])]));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/"Test Qualified CA" was revoked .*cACompromise/) });
  });

  it('a CRL in the issuer\'s name but signed with another key is ignored (the revocation it claims too)', async () => {
    const forger = await issue({ subject: [['CN', 'Forger']] });
    const forged = await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(Date.now() - 2 * DAY), reason: 1 }], { signingKey: forger.privateKey });
    const { signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY)), expectations([forged]));
    expect(revocationOf(signature).outcome).toBe('absent');
  });

  it('a CRL issued before the signing time does not establish the status', async () => {
    const old = await makeCrl(pki.intermediate, [], { thisUpdate: new Date(Date.now() - 3 * DAY) });
    const { signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY)), expectations([old, await makeCrl(pki.root, [])]));
    expect(revocationOf(signature)).toMatchObject({ outcome: 'absent', detail: expect.stringMatching(/predates the signing time/) });
  });
});

describe('revocation data carried by the signature', () => {
  it('CRLs embedded in the CAdES SignedData are used without configuration', async () => {
    const embedded = [await makeCrl(pki.intermediate, []), await makeCrl(pki.root, [])];
    const { signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY), embedded), expectations());
    expect(revocationOf(signature).outcome).toBe('pass');
  });

  it('CRLs in the CAdES revocation-values attribute are used; one listing the signer rejects', async () => {
    const cms = (crls: Uint8Array[]) =>
      signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: new Date(Date.now() - DAY), revocationValues: crls }] });
    const { signature } = await examineAttestation(cms([await makeCrl(pki.intermediate, []), await makeCrl(pki.root, [])]), expectations());
    expect(revocationOf(signature).outcome).toBe('pass');
    const revoked = await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(Date.now() - 2 * DAY), reason: 1 }]);
    const { signature: rejected } = await examineAttestation(cms([revoked]), expectations());
    expect(revocationOf(rejected).outcome).toBe('fail');
  });

  it("Adobe's revocation archive (a signed attribute, as Acrobat signs): its CRLs and OCSP responses are used; one listing the signer rejects", async () => {
    const signingTime = new Date(Date.now() - DAY);
    const cms = (archive: { crls?: Uint8Array[]; ocsps?: Uint8Array[] }) =>
      signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime, adobeArchive: archive }] });
    // Acrobat gathers the data before it signs: an archive made at signing time, fresh ones checked after it.
    const goodOcsp = await makeOcsp(pki.intermediate, pki.signer, { good: true }, { wrapped: true, thisUpdate: new Date(signingTime.getTime() + 60_000) });
    const { signature } = await examineAttestation(cms({ crls: [await makeCrl(pki.root, [])], ocsps: [goodOcsp] }), expectations());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Mario Rossi \(OCSP\)/) });
    const revoked = await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(Date.now() - 2 * DAY), reason: 1 }]);
    const { signature: rejected } = await examineAttestation(cms({ crls: [revoked] }), expectations());
    expect(revocationOf(rejected).outcome).toBe('fail');
    // The archive is a signed attribute: taking it out breaks the signature, so it cannot be swapped after signing.
    const { signature: bare } = await examineAttestation(signedAt(signingTime), expectations());
    expect(revocationOf(bare).outcome).toBe('absent');
  });

  it('an embedded CRL that lists the signer rejects', async () => {
    const embedded = [await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(Date.now() - 2 * DAY), reason: 1 }])];
    const { signature } = await examineAttestation(signedAt(new Date(Date.now() - DAY), embedded), expectations());
    expect(revocationOf(signature).outcome).toBe('fail');
  });

  it('CRLs in a PAdES /DSS are used', async () => {
    // A PDF with a classic cross-reference table, as the field writer expects.
    const plain = await (await PDFDocument.load((await makeAttestation()).pdf)).save({ useObjectStreams: false });
    const signed = appendSignatureField(plain, {
      kind: 'signature',
      sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: new Date(Date.now() - DAY) }] }),
    });
    const ltv = appendDss(signed, [], [await makeCrl(pki.intermediate, []), await makeCrl(pki.root, [])]);
    const { signature: without } = await examineAttestation(signed, expectations());
    const { signature } = await examineAttestation(ltv, expectations());
    expect(revocationOf(without).outcome).toBe('absent');
    expect(revocationOf(signature).outcome).toBe('pass');
    expect(signature.valid).toBe(true);
  });
});

describe('OCSP responses carried by the signature', () => {
  const signedWith = async (ocsps: Uint8Array[]) =>
    signCmsWith({
      content: pdf,
      signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: new Date(Date.now() - DAY), revocationValues: [await makeCrl(pki.root, [])], revocationOcsps: ocsps }],
    });

  it('a good OCSP answer from the issuer, after the signing time: not revoked', async () => {
    const { signature } = await examineAttestation(await signedWith([await makeOcsp(pki.intermediate, pki.signer, { good: true })]), expectations());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Mario Rossi \(OCSP\)/) });
  });

  it('a good answer from a responder the issuer delegated (id-kp-OCSPSigning) counts; one from anyone else does not', async () => {
    const responder = await issue({ subject: [['CN', 'Test OCSP Responder']], issuer: pki.intermediate, keyUsage: ['digitalSignature'], eku: ['1.3.6.1.5.5.7.3.9'] });
    const { signature } = await examineAttestation(await signedWith([await makeOcsp(pki.intermediate, pki.signer, { good: true }, { responder })]), expectations());
    expect(revocationOf(signature).outcome).toBe('pass');
    const notDelegated = await issue({ subject: [['CN', 'Some Server']], issuer: pki.intermediate, keyUsage: ['digitalSignature'], eku: [EKU.serverAuth] });
    const { signature: ignored } = await examineAttestation(await signedWith([await makeOcsp(pki.intermediate, pki.signer, { good: true }, { responder: notDelegated })]), expectations());
    expect(revocationOf(ignored).outcome).toBe('absent');
  });

  it('a revoked answer (keyCompromise before signing) rejects', async () => {
    const ocsp = await makeOcsp(pki.intermediate, pki.signer, { revoked: new Date(Date.now() - 2 * DAY), reason: 1 });
    const { signature } = await examineAttestation(await signedWith([ocsp]), expectations());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/revoked on .*keyCompromise.*OCSP response/) });
  });

  it('an answer older than the signing time does not establish the status', async () => {
    const ocsp = await makeOcsp(pki.intermediate, pki.signer, { good: true }, { thisUpdate: new Date(Date.now() - 3 * DAY) });
    const { signature } = await examineAttestation(await signedWith([ocsp]), expectations());
    expect(revocationOf(signature)).toMatchObject({ outcome: 'absent', detail: expect.stringMatching(/predates the signing time/) });
  });

  it('OCSP responses (OCSPResponse) in a PAdES /DSS are used', async () => {
    const plain = await (await PDFDocument.load((await makeAttestation()).pdf)).save({ useObjectStreams: false });
    const signed = appendSignatureField(plain, {
      kind: 'signature',
      sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: new Date(Date.now() - DAY) }] }),
    });
    const ltv = appendDss(signed, [], [await makeCrl(pki.root, [])], [await makeOcsp(pki.intermediate, pki.signer, { good: true }, { wrapped: true })]);
    const { signature } = await examineAttestation(ltv, expectations());
    expect(revocationOf(signature).outcome).toBe('pass');
    expect(signature.valid).toBe(true);
  });
});
