/**
 * Signatures as other vendors make them, found on EU DSS's real files (test/integration/signature/real-pades.test.ts)
 * and rebuilt here from the project's own test PKI: a plain ECDSA value (BSI TR-03111, r and s side by side, as German
 * qualified signature cards sign), and a signature timestamp whose token carries only the authority's certificate,
 * its CA travelling in the signature (Microsec) or the PDF's /DSS (Costa Rica's SINPE).
 */
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { SignatureExpectations, SignatureReport } from '../../../shared/signature/index.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { EKU, issue, makeTestPki, signCmsWith, timeStampToken, type Issued, type TestPki } from '../../fixtures/signing.js';

const PLAIN_ECDSA_SHA256 = '0.4.0.127.0.7.1.1.4.1.3';
let pki: TestPki;
let pdf: Uint8Array;
let tsa: Issued;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  pdf = (await makeAttestation()).pdf;
  tsa = await issue({ subject: [['CN', 'Test TSA']], issuer: pki.intermediate, keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
}, 60_000);

const expectations = (): SignatureExpectations => ({ trustAnchors: pki.anchors, tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date() });
const check = (report: SignatureReport, name: string) => report.checks.find((c) => c.name === name)!;

/** The fixture's CAdES with its one SignerInfo re-signed by `resign` under the algorithm `oid`. */
function resigned(cms: Uint8Array, oid: string, resign: (signedAttrs: Uint8Array) => Uint8Array): Uint8Array {
  const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(cms).result });
  const signedData = new pkijs.SignedData({ schema: info.content });
  const signer = signedData.signerInfos[0]!;
  signer.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: oid });
  signer.signature = new asn1js.OctetString({ valueHex: resign(new Uint8Array(signer.signedAttrs!.encodedValue)) });
  return new Uint8Array(new pkijs.ContentInfo({ contentType: info.contentType, content: signedData.toSchema(true) }).toSchema().toBER());
}

describe('plain ECDSA (BSI TR-03111)', () => {
  const signed = () => signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate] }] });

  it('a value of r and s side by side under the plain-ECDSA identifier verifies', async () => {
    expect(pki.signer.keyType).toBe('ec');
    const key = createPrivateKey(pki.signer.keyPem);
    const plain = resigned(signed(), PLAIN_ECDSA_SHA256, (attrs) => cryptoSign('sha256', attrs, { key, dsaEncoding: 'ieee-p1363' }));
    const { signature } = await examineAttestation(plain, expectations());
    expect(check(signature, 'integrity')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/^The plain ECDSA with SHA256 signature verifies/) });
    expect(signature.valid).toBe(true);
  });

  it('a DER value labelled plain does not verify, nor does a plain value altered', async () => {
    const key = createPrivateKey(pki.signer.keyPem);
    const mislabelled = resigned(signed(), PLAIN_ECDSA_SHA256, (attrs) => cryptoSign('sha256', attrs, { key, dsaEncoding: 'der' }));
    const altered = resigned(signed(), PLAIN_ECDSA_SHA256, (attrs) => {
      const value = cryptoSign('sha256', attrs, { key, dsaEncoding: 'ieee-p1363' });
      value[5]! ^= 1;
      return value;
    });
    for (const cms of [mislabelled, altered]) {
      const { signature } = await examineAttestation(cms, expectations());
      expect(check(signature, 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/does not verify with the signer's public key \(plain ECDSA with SHA256\)/) });
      expect(signature.valid).toBe(false);
    }
  });
});

describe("a signature timestamp whose authority's CA travels outside the token", () => {
  const stamped = (tokenChain: Issued[], signatureChain: Issued[]) =>
    signCmsWith({
      content: pdf,
      signers: [{ signer: pki.signer, chain: signatureChain, timestamp: (value) => timeStampToken(value, tsa, new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000), tokenChain) }],
    });

  it('chains through the CA certificate the signature carries: the timestamp is used', async () => {
    const { signature } = await examineAttestation(stamped([], [pki.intermediate]), expectations());
    expect(check(signature, 'timestamp')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/by "Test TSA" verifies and chains to a trust anchor/) });
    expect(signature.signingTimeSource).toBe('timestamp');
  });

  it('without that CA anywhere in the file the authority is not trusted and the timestamp is not used', async () => {
    const stranger = await issue({ subject: [['CN', 'Stranger CA']], ca: true, keyUsage: ['keyCertSign'] });
    const { signature } = await examineAttestation(stamped([], [stranger]), expectations());
    expect(check(signature, 'timestamp')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/its authority is not trusted/) });
    expect(signature.signingTimeSource).not.toBe('timestamp');
  });
});
