/**
 * The validation report per signature in ETSI EN 319 102-1 terms (TOTAL-PASSED / INDETERMINATE / TOTAL-FAILED with
 * the sub-indication), as an auditor reads it beside EU DSS's report; the file's status is its worst signature's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { SignatureCheck, SignatureExpectations } from '../../../shared/signature/index.js';
import { indicationOf } from '../../../shared/signature/indication.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { ACME_SUBJECT, issue, makeCrl, makeTestPki, signCmsWith, type Issued, type SignerSpec, type TestPki } from '../../fixtures/signing.js';

const DAY = 86_400_000;
let pki: TestPki;
let pdf: Uint8Array;
let crls: Uint8Array[];
let stranger: Issued;
let strangerRoot: Issued;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  pdf = (await makeAttestation()).pdf;
  crls = [await makeCrl(pki.intermediate, []), await makeCrl(pki.root, [])];
  strangerRoot = await issue({ subject: [['CN', 'Nobody Trusts Me Root']], ca: true, keyUsage: ['keyCertSign'] });
  stranger = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: strangerRoot });
}, 60_000);

const expectations = (withCrls = true): SignatureExpectations => ({
  trustAnchors: pki.anchors,
  tenantVat: DEMO_TENANT_VAT,
  signatories: [DEMO_SIGNATORY],
  now: new Date(),
  crls: withCrls ? crls : [],
});
const good = (): SignerSpec => ({ signer: pki.signer, chain: [pki.intermediate], signingTime: new Date(Date.now() - DAY) });

describe('ETSI EN 319 102-1 indications', () => {
  it.each<[string, () => Promise<{ cms: Uint8Array; withCrls?: boolean }>, string, string | undefined]>([
    ['a good signature with revocation data', async () => ({ cms: signCmsWith({ content: pdf, signers: [good()] }) }), 'TOTAL-PASSED', undefined],
    ['a good signature without revocation data', async () => ({ cms: signCmsWith({ content: pdf, signers: [good()] }), withCrls: false }), 'INDETERMINATE', 'TRY_LATER'],
    ['a signature value altered', async () => ({ cms: signCmsWith({ content: pdf, signers: [{ ...good(), corrupt: true }] }) }), 'TOTAL-FAILED', 'SIG_CRYPTO_FAILURE'],
    ['the document altered', async () => {
      const cms = Buffer.from(signCmsWith({ content: pdf, signers: [good()] }));
      cms[cms.indexOf(Buffer.from(pdf.subarray(0, 32))) + 20]! ^= 1;
      return { cms: new Uint8Array(cms) };
    }, 'TOTAL-FAILED', 'HASH_FAILURE'],
    ['an untrusted signer', async () => ({ cms: signCmsWith({ content: pdf, signers: [{ signer: stranger, chain: [strangerRoot] }] }) }), 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'],
    ['a SHA-1 digest', async () => ({ cms: signCmsWith({ content: pdf, signers: [{ ...good(), hash: 'sha1' }] }) }), 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'],
    ['an encryption-only certificate', async () => {
      const enc = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: pki.intermediate, keyUsage: ['keyEncipherment'] });
      return { cms: signCmsWith({ content: pdf, signers: [{ ...good(), signer: enc }] }) };
    }, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'],
    ['an expired certificate', async () => {
      const old = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: pki.intermediate, notBefore: new Date(Date.now() - 90 * DAY), notAfter: new Date(Date.now() - 10 * DAY) });
      return { cms: signCmsWith({ content: pdf, signers: [{ ...good(), signer: old }] }) };
    }, 'INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'],
    ['a certificate revoked before signing', async () => {
      crls = [await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(Date.now() - 2 * DAY), reason: 4 }]), await makeCrl(pki.root, [])];
      return { cms: signCmsWith({ content: pdf, signers: [good()] }) };
    }, 'TOTAL-FAILED', 'REVOKED'],
  ])('%s', async (_name, make, indication, subIndication) => {
    const { cms, withCrls } = await make();
    const { signature } = await examineAttestation(cms, expectations(withCrls ?? true));
    expect(signature.signatures![0]).toMatchObject({ indication, ...(subIndication ? { subIndication } : {}) });
    expect(signature.indication).toBe(indication);
    if (!subIndication) expect(signature.subIndication).toBeUndefined();
  });

  it('a file is as good as its worst signature', async () => {
    crls = [await makeCrl(pki.intermediate, []), await makeCrl(pki.root, [])];
    const untrusted = signCmsWith({ content: pdf, signers: [good(), { signer: stranger, chain: [strangerRoot] }] });
    const broken = signCmsWith({ content: pdf, signers: [{ signer: stranger, chain: [strangerRoot] }, { ...good(), corrupt: true }] });
    const { signature: one } = await examineAttestation(untrusted, expectations());
    expect(one.signatures!.map((s) => s.indication)).toEqual(['TOTAL-PASSED', 'INDETERMINATE']);
    expect(one).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    const { signature: two } = await examineAttestation(broken, expectations());
    expect(two).toMatchObject({ indication: 'TOTAL-FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });
});

describe('a malformed byte range comes before the digest, as EU DSS checks it', () => {
  const check = (name: SignatureCheck['name'], outcome: SignatureCheck['outcome'], detail: string): SignatureCheck => ({ name, outcome, detail });
  const digestBroken = check('integrity', 'fail', 'The signed content was altered after signing: its SHA256 digest differs from the messageDigest attribute');

  it.each([
    'The signature does not cover the whole file: the two signed ranges overlap',
    "The signature does not cover the whole file: the unsigned gap (43200–81923) is not exactly the signature's /Contents (44033–81923)",
    'The signature does not cover the whole file: the signed ranges end at offset 9000, beyond the end of the file (8000 bytes)',
  ])('%s: FORMAT_FAILURE, though the digest is broken too', (detail) => {
    expect(indicationOf([digestBroken, check('coverage', 'fail', detail)])).toEqual({ indication: 'TOTAL-FAILED', subIndication: 'FORMAT_FAILURE' });
  });

  it('a well-formed byte range over altered bytes is a HASH_FAILURE', () => {
    const changedLater = check('coverage', 'fail', 'The signature does not cover the whole file: after the signed revision, object 8 (/XObject) was changed');
    expect(indicationOf([digestBroken, changedLater])).toEqual({ indication: 'TOTAL-FAILED', subIndication: 'HASH_FAILURE' });
  });
});
