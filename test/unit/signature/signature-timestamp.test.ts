/**
 * docs/verdict-rules.md: an RFC 3161 signature timestamp verified against a trusted time-stamping authority gives the
 * signing time (a key that expired or was compromised cannot back-date a signature); one that does not verify or
 * comes from an untrusted authority is not used, the claimed time stands, with an info finding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { AttestationDocument } from '../../../shared/attestation/model.js';
import { PolicySchema } from '../../../shared/config.js';
import type { ListReport } from '../../../shared/list/model.js';
import type { SignatureExpectations, SignatureReport } from '../../../shared/signature/index.js';
import { decideVerdict } from '../../../shared/verdict/policy.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { ACME_SUBJECT, EKU, issue, makeCrl, makeTestPki, signCmsWith, timeStampToken, type Issued, type TestPki } from '../../fixtures/signing.js';

const DAY = 86_400_000;
let pki: TestPki;
let pdf: Uint8Array;
let tsa: Issued;
let notTsa: Issued;
let rogueTsa: Issued;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  pdf = (await makeAttestation()).pdf;
  tsa = await issue({ subject: [['CN', 'Test TSA']], issuer: pki.intermediate, keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
  notTsa = await issue({ subject: [['CN', 'Not A TSA']], issuer: pki.intermediate, keyUsage: ['digitalSignature'] });
  rogueTsa = await issue({ subject: [['CN', 'Rogue TSA']], keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
}, 60_000);

const expectations = (crls: Uint8Array[] = []): SignatureExpectations => ({
  trustAnchors: pki.anchors,
  tenantVat: DEMO_TENANT_VAT,
  signatories: [DEMO_SIGNATORY],
  now: new Date(),
  crls,
});

function stamped(options: { signer?: Issued; claimed: Date; genTime: Date; by?: Issued; imprint?: 'match' | 'other' }) {
  const by = options.by ?? tsa;
  return signCmsWith({
    content: pdf,
    signers: [
      {
        signer: options.signer ?? pki.signer,
        chain: [pki.intermediate],
        signingTime: options.claimed,
        timestamp: (value) => timeStampToken(options.imprint === 'other' ? new Uint8Array([9, 9, 9]) : value, by, options.genTime, [pki.intermediate]),
      },
    ],
  });
}

const check = (report: SignatureReport, name: string) => report.checks.find((c) => c.name === name)!;

function infoCodes(document: AttestationDocument, signature: SignatureReport) {
  const list = { readable: true, sha256: 'a'.repeat(64), bytes: 1, encoding: 'utf-8', delimiter: ';', header: [], phoneColumn: 'telefono', dataRows: 1, releasedRows: 1, excluded: {}, samples: [] } as unknown as ListReport;
  return decideVerdict({ intakeId: 'x', tenant: { vat: DEMO_TENANT_VAT }, policy: PolicySchema.parse({}), now: new Date(), list, attestation: document, signature })
    .findings.filter((f) => f.code === 'signing_time_claimed' || f.code === 'signature_timestamp_unused')
    .map((f) => [f.code, f.severity]);
}

describe('signature timestamps', () => {
  it('a trusted timestamp gives the signing time; no "claimed time" finding', async () => {
    const genTime = new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);
    const { document, signature } = await examineAttestation(stamped({ claimed: new Date(Date.now() - 2 * DAY), genTime }), expectations());
    expect(check(signature, 'timestamp')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/by "Test TSA" verifies and chains to a trust anchor/) });
    expect(signature.signingTime).toBe(genTime.toISOString());
    expect(signature.signingTimeSource).toBe('timestamp');
    expect(signature.valid).toBe(true);
    expect(infoCodes(document, signature)).toEqual([]);
  });

  it('a key that had expired cannot back-date: the claimed time is within validity, the timestamp is not', async () => {
    const expired = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: pki.intermediate, notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - DAY) });
    const claimed = new Date(Date.now() - 3 * DAY);
    const plain = signCmsWith({ content: pdf, signers: [{ signer: expired, chain: [pki.intermediate], signingTime: claimed }] });
    const { signature: believed } = await examineAttestation(plain, expectations());
    expect(check(believed, 'validity').outcome).toBe('pass');
    const { signature } = await examineAttestation(stamped({ signer: expired, claimed, genTime: new Date(Date.now() - 60_000) }), expectations());
    expect(check(signature, 'validity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/had expired at the signing time/) });
  });

  it('a compromise revoked after a trusted timestamp does not reach back; without the timestamp it does', async () => {
    const genTime = new Date(Date.now() - 2 * DAY);
    const crls = [await makeCrl(pki.intermediate, [{ cert: pki.signer, date: new Date(Date.now() - DAY), reason: 1 }]), await makeCrl(pki.root, [])];
    const { signature } = await examineAttestation(stamped({ claimed: genTime, genTime }), expectations(crls));
    expect(check(signature, 'revocation').outcome).toBe('pass');
    const plain = signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: genTime }] });
    const { signature: claimedOnly } = await examineAttestation(plain, expectations(crls));
    expect(check(claimedOnly, 'revocation').outcome).toBe('fail');
  });

  it.each([
    ['from an authority that is not trusted', { by: 'rogue' }, /authority is not trusted/],
    ['from a certificate that is not a time-stamping authority\'s', { by: 'notTsa' }, /no timeStamping extended key usage/],
    ['over other bytes than the signature value', { imprint: 'other' }, /does not verify and is not used: The timestamp’s message imprint does not match/],
  ] as const)('a timestamp %s is not used: the claimed time stands, with an info finding', async (_name, variant, detail) => {
    const claimed = new Date(Math.floor((Date.now() - 2 * DAY) / 1000) * 1000);
    const by = 'by' in variant ? (variant.by === 'rogue' ? rogueTsa : notTsa) : tsa;
    const imprint = 'imprint' in variant ? variant.imprint : 'match';
    const { document, signature } = await examineAttestation(stamped({ claimed, genTime: new Date(Date.now() - DAY), by, imprint }), expectations());
    expect(check(signature, 'timestamp')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(detail) });
    expect(signature.signingTime).toBe(claimed.toISOString());
    expect(signature.signingTimeSource).toBe('signed-attribute');
    expect(signature.valid).toBe(true);
    expect(infoCodes(document, signature)).toEqual([
      ['signature_timestamp_unused', 'info'],
      ['signing_time_claimed', 'info'],
    ]);
  });

  it('a timestamp in the future is a signing time in the future', async () => {
    const { signature } = await examineAttestation(stamped({ claimed: new Date(), genTime: new Date(Date.now() + 2 * DAY) }), expectations());
    expect(check(signature, 'signing_time')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^The timestamped signing time/) });
  });
});

describe("the time-stamping authority's own revocation", () => {
  it('an authority revoked before it stamped vouches for no time: the claimed time stands', async () => {
    const genTime = new Date(Date.now() - 2 * DAY);
    const claimed = new Date(Date.now() - 2 * DAY - 60_000);
    const crls = [await makeCrl(pki.intermediate, [{ cert: tsa, date: new Date(Date.now() - 3 * DAY), reason: 4 }]), await makeCrl(pki.root, [])];
    const { signature } = await examineAttestation(stamped({ claimed, genTime }), expectations(crls));
    expect(check(signature, 'timestamp')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/by "Test TSA" verifies, but its authority's certificate was revoked/) });
    expect(signature.signingTimeSource).toBe('signed-attribute');
    expect(signature.timestamp).toMatchObject({ authority: 'Test TSA', trusted: false, verified: true });
  });

  it('a keyCompromise after the stamp counts too: a compromised key could have back-dated it', async () => {
    const genTime = new Date(Date.now() - 2 * DAY);
    const crls = [await makeCrl(pki.intermediate, [{ cert: tsa, date: new Date(Date.now() - DAY), reason: 1 }]), await makeCrl(pki.root, [])];
    const { signature } = await examineAttestation(stamped({ claimed: genTime, genTime }), expectations(crls));
    expect(check(signature, 'timestamp').outcome).toBe('fail');
  });

  it('superseded after the stamp, or listed by no CRL: the timestamp gives the signing time', async () => {
    const genTime = new Date(Date.now() - 2 * DAY);
    genTime.setMilliseconds(0);
    const superseded = [await makeCrl(pki.intermediate, [{ cert: tsa, date: new Date(Date.now() - DAY), reason: 4 }]), await makeCrl(pki.root, [])];
    for (const crls of [superseded, [await makeCrl(pki.intermediate, []), await makeCrl(pki.root, [])]]) {
      const { signature } = await examineAttestation(stamped({ claimed: genTime, genTime }), expectations(crls));
      expect(check(signature, 'timestamp').outcome).toBe('pass');
      expect([signature.signingTimeSource, signature.signingTime]).toEqual(['timestamp', genTime.toISOString()]);
    }
  });
});
