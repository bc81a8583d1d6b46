import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation, readAttestation } from '../../../shared/attestation/index.js';
import { verifySignature, type SignatureCheck, type SignatureExpectations } from '../../../shared/signature/index.js';
import { makeAttestation, type MakeAttestationOptions } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki } from '../../fixtures/pki.js';

// The PKI is made once (openssl, a few seconds on a busy machine): not inside the first test's time budget.
beforeAll(async () => {
  await makePki();
});

async function expectations(overrides: Partial<SignatureExpectations> = {}): Promise<SignatureExpectations> {
  const pki = await makePki();
  return { trustAnchors: pki.trustAnchors, tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date(), ...overrides };
}

function outcomes(checks: SignatureCheck[]): Record<string, string> {
  return Object.fromEntries(checks.map((c) => [c.name, c.outcome]));
}

const ALL_PASS = { integrity: 'pass', chain: 'pass', validity: 'pass', key_usage: 'pass', signing_time: 'pass', signing_certificate: 'pass', identity: 'pass' };

describe('verifySignature: signatures that verify', () => {
  it.each<[string, MakeAttestationOptions]>([
    ['CAdES DER, RSA PKCS#1 v1.5', { signing: 'cades-der' }],
    ['CAdES base64, ECDSA P-256', { signing: 'cades-base64', signer: 'laura' }],
    ['CAdES DER, RSA-PSS SHA-384', { signing: 'cades-der', rsaScheme: 'pss', hash: 'sha384' }],
    ['CAdES DER made by openssl cms -sign -cades', { signing: 'cades-der', engine: 'openssl' }],
    ['CAdES without ESS attribute', { signing: 'cades-der', ess: 'none' }],
    ['PAdES adbe.pkcs7.detached, RSA', { signing: 'pades' }],
    ['PAdES ETSI.CAdES.detached, ECDSA SHA-512', { signing: 'pades', signer: 'laura', subFilter: 'ETSI.CAdES.detached', hash: 'sha512' }],
    ['PAdES by a registered signatory with a personal certificate', { signing: 'pades', signer: 'personal' }],
  ])('%s', async (_name, options) => {
    // Prepare
    const made = await makeAttestation(options);
    // Act
    const { document, signature } = await examineAttestation(made.bytes, await expectations());
    // Assess
    expect(document.readError).toBeUndefined();
    expect(signature.present).toBe(true);
    expect(outcomes(signature.checks)).toMatchObject({
      ...ALL_PASS,
      signing_certificate: options.ess === 'none' ? 'absent' : 'pass',
      coverage: options.signing === 'pades' ? 'pass' : 'not_applicable',
    });
    expect(signature.valid).toBe(true);
    expect(signature.signer?.serialNumber).toBe(options.signer === 'laura' ? 'TINIT-BNCLRA85M41H501Q' : `TINIT-${DEMO_SIGNATORY}`);
    expect(signature.signingTimeSource).toBe('signed-attribute');
    expect(signature.notes.join(' ')).toMatch(/no RFC 3161 timestamp: the signing time is the signer’s own claim/i);
  });

  it('fills the signer from the subject attributes, by OID', async () => {
    const { signature } = await examineAttestation((await makeAttestation({ signing: 'pades' })).bytes, await expectations());
    expect(signature.type).toBe('PAdES');
    expect(signature.signer).toMatchObject({
      commonName: 'Mario Rossi',
      organizationIdentifier: `VATIT-${DEMO_TENANT_VAT}`,
      serialNumber: `TINIT-${DEMO_SIGNATORY}`,
      organizationName: 'Acme Energia S.p.A.',
    });
    expect(signature.signer?.subject).toBe(
      `CN=Mario Rossi, surname=Rossi, givenName=Mario, serialNumber=TINIT-${DEMO_SIGNATORY}, 2.5.4.97=VATIT-${DEMO_TENANT_VAT}, O=Acme Energia S.p.A., C=IT`,
    );
    expect(signature.signer?.issuer).toBe('CN=Filiera Test Qualified CA, O=Filiera Test Trust Services, C=IT');
    expect(signature.signer?.certificateSerial).toMatch(/^[0-9A-F]+$/);
  });

  it('identity by signatory tax code, case-insensitive, when the organization is another one', async () => {
    const { signature } = await examineAttestation(
      (await makeAttestation({ signing: 'cades-der', signer: 'otherCompany' })).bytes,
      await expectations({ signatories: ['vrdgpp75c15h501r'] }),
    );
    expect(outcomes(signature.checks).identity).toBe('pass');
  });

  it('accepts the tenant VAT with the IT prefix', async () => {
    const { signature } = await examineAttestation((await makeAttestation({ signing: 'cades-der', signer: 'laura' })).bytes, await expectations({ tenantVat: 'IT01234567897' }));
    expect(signature.valid).toBe(true);
  });

  it('without a signing time, validity is checked at processing time and the note says so', async () => {
    const now = new Date();
    const { signature } = await examineAttestation((await makeAttestation({ signing: 'pades', signingTime: null })).bytes, await expectations({ now }));
    expect(signature.signingTimeSource).toBe('none');
    expect(signature.signingTime).toBeUndefined();
    expect(outcomes(signature.checks).validity).toBe('pass');
    expect(signature.notes.join(' ')).toContain(`checked at the time of processing (${now.toISOString()})`);
  });

  it('reports the claimed signing time', async () => {
    const signingTime = new Date('2026-01-15T10:00:00Z');
    const { signature } = await examineAttestation((await makeAttestation({ signing: 'cades-der', signingTime })).bytes, await expectations());
    expect(signature.signingTime).toBe('2026-01-15T10:00:00.000Z');
  });
});

describe('verifySignature: each way a signature fails', () => {
  it.each<[string, MakeAttestationOptions, Partial<SignatureExpectations>, string, RegExp]>([
    ['CAdES, a flipped byte in the signed PDF', { signing: 'cades-der', flipByte: 'content' }, {}, 'integrity', /altered after signing/],
    ['CAdES, a flipped byte in the signature value', { signing: 'cades-der', flipByte: 'signature' }, {}, 'integrity', /does not verify/],
    ['CAdES base64 (openssl), a flipped byte in the PDF', { signing: 'cades-base64', engine: 'openssl', flipByte: 'content' }, {}, 'integrity', /altered after signing/],
    ['PAdES, a flipped byte in the signed range', { signing: 'pades', flipByte: 'content' }, {}, 'integrity', /altered after signing/],
    ['PAdES, a flipped byte in the signature value', { signing: 'pades', flipByte: 'signature' }, {}, 'integrity', /does not verify/],
    ['PAdES, content appended after signing', { signing: 'pades', appendAfterSigning: true }, {}, 'coverage', /added after signing and are not signed/],
    ['a CA that is not a trust anchor', { signing: 'cades-der', signer: 'untrusted' }, {}, 'chain', /does not chain to a configured trust anchor/],
    ['no trust anchor configured', { signing: 'pades' }, { trustAnchors: [] }, 'chain', /No trust anchor/],
    ['a trust anchor that is not PEM', { signing: 'pades' }, { trustAnchors: ['not a certificate'] }, 'chain', /No trust anchor/],
    ['an expired certificate', { signing: 'pades', signer: 'expired' }, {}, 'validity', /had expired at the signing time/],
    ['a signing time before the certificate', { signing: 'cades-der', signingTime: new Date(Date.now() - 500 * 86_400_000) }, {}, 'validity', /not yet valid/],
    ['another company’s signer', { signing: 'pades', signer: 'otherCompany' }, {}, 'identity', /does not identify the tenant.*VATIT-98765432103/],
    ['the tenant’s signer, but another tenant expected', { signing: 'cades-der', signer: 'laura' }, { tenantVat: '11111111115' }, 'identity', /expected organizationIdentifier VATIT-11111111115/],
    ['an ESS signing-certificate-v2 naming another certificate (CAdES)', { signing: 'cades-der', ess: 'mismatch' }, {}, 'signing_certificate', /names a different certificate/],
    ['an ESS signing-certificate-v2 naming another certificate (PAdES)', { signing: 'pades', ess: 'mismatch' }, {}, 'signing_certificate', /names a different certificate/],
  ])('%s -> %s fails', async (_name, options, overrides, failing, detail) => {
    // Prepare
    const made = await makeAttestation(options);
    // Act
    const { signature } = await examineAttestation(made.bytes, await expectations(overrides));
    // Assess: that check fails with a sentence, and the signature is not valid
    const check = signature.checks.find((c) => c.name === failing);
    expect(check?.outcome, JSON.stringify(signature.checks)).toBe('fail');
    expect(check?.detail).toMatch(detail);
    expect(signature.valid).toBe(false);
    // The failure is specific: the other checks that could be evaluated did not fail for no reason. (The test root
    // is made today: a signing time 500 days ago also predates the anchor, whose own validity counts too.)
    const others = signature.checks.filter((c) => c.name !== failing && c.outcome === 'fail').map((c) => c.name);
    expect(others).toEqual(failing === 'validity' && options.signingTime ? ['chain'] : []);
  });

  it('appended content leaves the signature itself intact: only coverage catches it', async () => {
    const { signature } = await examineAttestation((await makeAttestation({ signing: 'pades', appendAfterSigning: true })).bytes, await expectations());
    expect(outcomes(signature.checks)).toMatchObject({ integrity: 'pass', coverage: 'fail' });
  });

  it.each([
    ['empty CMS', new Uint8Array(0)],
    ['random bytes', Uint8Array.from({ length: 100 }, (_, i) => (i * 13) % 256)],
    ['a DER SEQUENCE of nothing', Uint8Array.of(0x30, 0x00)],
  ])('a malformed CAdES CMS (%s) is an integrity failure with a sentence', async (_name, cms) => {
    const report = await verifySignature({ type: 'CAdES', cms, content: null, fileLength: cms.length }, await expectations());
    expect(report.valid).toBe(false);
    expect(report.checks.find((c) => c.name === 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/malformed|empty/) });
  });

  it('a PAdES /Contents of zeros, or a byte range outside the file, is a failure, not a crash', async () => {
    const made = await makeAttestation({ signing: 'pades' });
    const { signed } = await readAttestation(made.bytes);
    if (signed?.type !== 'PAdES') throw new Error('expected PAdES evidence');
    const field = signed.signatures![0]!;
    const zeros = await verifySignature(
      { ...signed, signatures: [{ ...field, cms: new Uint8Array(0), problem: 'The signature’s /Contents does not hold a CMS structure (empty or unreadable).' }] },
      await expectations(),
    );
    expect(zeros.checks.find((c) => c.name === 'integrity')?.outcome).toBe('fail');
    const outside = await verifySignature({ ...signed, signatures: [{ ...field, byteRange: [0, 10, 20, made.bytes.length * 2] }] }, await expectations());
    expect(outcomes(outside.checks)).toMatchObject({ integrity: 'fail', coverage: 'fail' });
    const shifted = await verifySignature(
      { ...signed, signatures: [{ ...field, byteRange: [0, signed.byteRange![1]! - 1, signed.byteRange![2]!, signed.byteRange![3]!] }] },
      await expectations(),
    );
    expect(outcomes(shifted.checks)).toMatchObject({ integrity: 'fail', coverage: 'fail' });
  });

  it('unsigned PDFs and scans carry no signature', async () => {
    const { signature } = await examineAttestation((await makeAttestation()).bytes, await expectations());
    expect(signature).toMatchObject({ present: false, valid: false, checks: [] });
  });
});
