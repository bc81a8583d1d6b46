/**
 * Real files, not made by this project: the EU list of lists and AgID's Italian trusted list as published in
 * September 2023, and CAdES signatures from several vendors (an ArubaPEC qualified certificate, the ETSI plugtests'
 * Czech, Hungarian and German implementations, a Japanese countersignature sample), all from EU DSS's own test
 * resources (test/fixtures/real/README.md). Each expectation is what EU DSS decides for the same file, except where
 * Filiera's rules differ on purpose (docs/verdict-rules.md), said at the case.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { SignatureCheck } from '../../../shared/signature/index.js';
import { readTrustedLists, type TrustedList } from '../../../shared/signature/trusted-list.js';

const REAL = new URL('../../fixtures/real/', import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, REAL)));
const text = (name: string) => readFileSync(new URL(name, REAL), 'utf8');
const gunzipped = (name: string) => gunzipSync(readFileSync(new URL(name, REAL))).toString('utf8');

let italy: TrustedList;
let lotl: TrustedList;

beforeAll(() => {
  [lotl, italy] = readTrustedLists([
    { xml: gunzipped('trusted-lists/eu-lotl-2023-09-27.xml.gz'), signerPems: [text('trusted-lists/european-commission-lotl-signer.pem')], source: 'eu-lotl.xml' },
    { xml: gunzipped('trusted-lists/IT_TSL-2023-09-26.xml.gz'), signerPems: null, source: 'IT_TSL.xml' },
  ]) as [TrustedList, TrustedList];
});

const check = (checks: SignatureCheck[], name: SignatureCheck['name']) => checks.find((c) => c.name === name);

describe('the published trusted lists', () => {
  it('the EU LOTL verifies with the Commission certificate, XAdES signed properties and all, and points to every member state', () => {
    expect(lotl.territory).toBe('EU');
    expect(lotl.type).toBe('http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists');
    const territories = new Set(lotl.pointers.map((p) => p.territory));
    for (const t of ['IT', 'DE', 'FR', 'ES', 'AT', 'HU', 'CZ']) expect(territories).toContain(t);
  });

  it("AgID's list verifies through the LOTL's pointer, not through a configured signer, and lists the Italian QTSPs", () => {
    expect(italy.territory).toBe('IT');
    expect(italy.issued).toBe('2023-09-26T01:00:00Z');
    const providers = new Set(italy.services.map((s) => s.provider));
    for (const p of ['Aruba Posta Elettronica Certificata S.p.A.', 'InfoCert S.p.A.', 'Namirial S.p.A.', 'Actalis S.p.A.']) expect(providers).toContain(p);
    expect(italy.services.length).toBeGreaterThan(400);
  });
});

describe('an ArubaPEC qualified signature (.txt.p7m, DSS-667), DER and BER with reordered signed attributes', () => {
  it.each(['DER_reordered_prova.txt.p7m', 'BER_reordered_prova.txt.p7m'])('%s: chains through the Italian list, qualified, but RSA 1024 is refused', async (file) => {
    const { signature } = await examineAttestation(bytes(`cades/${file}`), {
      trustAnchors: [],
      trustedLists: [italy],
      tenantVat: 'IT01234567897',
      signatories: [],
      now: new Date('2015-03-20T00:00:00Z'),
    });
    const checks = signature.checks;
    // The signed attributes verify over their bytes as encoded (DSS-667): what fails is the key size alone.
    expect(check(checks, 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/RSA 1024 bits\) is too weak/) });
    expect(check(checks, 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/trust anchor "ArubaPEC S\.p\.A\. NG CA 3"/) });
    expect(check(checks, 'qualified')?.outcome).toBe('pass');
    expect(check(checks, 'signing_certificate')?.outcome).toBe('pass');
    expect(signature.signingTime).toBe('2015-03-16T12:58:04.000Z');
    // ETSI TS 119 312 refuses RSA 1024 today; EU DSS answers INDETERMINATE (cryptographic constraints, no proof of
    // existence before the algorithm's expiry) for the same file.
    expect(signature.valid).toBe(false);
    expect([signature.indication, signature.subIndication]).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
  });
});

describe('ETSI plugtests CAdES from other vendors, with their own roots as anchors', () => {
  it('Czech Post (PostSignum), BER with embedded CRLs pkijs cannot read whole: verifies, revocation from the embedded CRLs', async () => {
    const { signature } = await examineAttestation(bytes('cades/Signature-C-CZ_SIX-1.p7m'), {
      trustAnchors: [text('cades/postsignum-root-qca-2.pem')],
      tenantVat: 'IT01234567897',
      signatories: [],
      now: new Date('2012-05-01T00:00:00Z'),
    });
    expect(check(signature.checks, 'integrity')?.outcome).toBe('pass');
    expect(check(signature.checks, 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/PostSignum Qualified CA 2 → PostSignum Root QCA 2/) });
    expect(check(signature.checks, 'revocation')?.outcome).toBe('pass');
    expect(signature.indication).toBe('TOTAL-PASSED');
    // Not this tenant's signer: Filiera's own rule, beyond what DSS checks.
    expect(check(signature.checks, 'identity')?.outcome).toBe('fail');
  });

  it('Microsec e-Szigno (Hungary): verifies and chains; without revocation data the status is unknown, not revoked', async () => {
    const { signature } = await examineAttestation(bytes('cades/Signature-C-HU_MIC-1.p7m'), {
      trustAnchors: [text('cades/microsec-e-szigno-root-ca-2009.pem')],
      tenantVat: 'IT01234567897',
      signatories: [],
      now: new Date('2019-11-05T00:00:00Z'),
    });
    expect(check(signature.checks, 'integrity')?.outcome).toBe('pass');
    expect(check(signature.checks, 'chain')?.outcome).toBe('pass');
    expect(check(signature.checks, 'revocation')?.outcome).toBe('absent');
    expect(signature.indication).toBe('INDETERMINATE');
  });

  it('secrypt (Germany): a signature timestamp wrapped in an OCTET STRING is not read as one; the claimed time stands', async () => {
    const { signature } = await examineAttestation(bytes('cades/Signature-C-DE_CRY-3.p7m'), {
      trustAnchors: [],
      tenantVat: 'IT01234567897',
      signatories: [],
      now: new Date('2014-11-14T00:00:00Z'),
    });
    expect(check(signature.checks, 'integrity')?.outcome).toBe('pass');
    expect(check(signature.checks, 'timestamp')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/malformed and not used/) });
    expect(signature.signingTimeSource).toBe('signed-attribute');
    expect(signature.signingTime).toBe('2014-11-13T10:34:20.000Z');
  });

  it('a countersigned file (ECOM, Japan): both signers are reported, and SHA-1 fails each', async () => {
    const { signature } = await examineAttestation(bytes('cades/counterSig.p7m'), {
      trustAnchors: [],
      tenantVat: 'IT01234567897',
      signatories: [],
      now: new Date('2023-10-01T00:00:00Z'),
    });
    const signers = signature.signatures ?? [];
    expect(signers.map((s) => s.signer?.subject)).toEqual([
      expect.stringMatching(/CN=EST-COUNTER-SIGNATURE1-OK-EE,/),
      expect.stringMatching(/CN=EST-COUNTER-SIGNATURE1-OK-EE2,/),
    ]);
    for (const s of signers) expect(check(s.checks, 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/SHA1, which is not accepted/) });
    expect(signature.valid).toBe(false);
  });
});
