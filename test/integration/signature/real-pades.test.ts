/**
 * Real PAdES files, not made by this project: ETSI plugtests samples (Microsec, B-Trust, SecCommerce), national eID
 * and qualified-card signatures (Belgium and its foreigner card, Costa Rica, a German TeleSec card signing plain
 * ECDSA), long-term validation updates and document timestamps, and the attacks EU DSS keeps to test itself
 * (overlapping byte ranges, shadow attacks hiding and replacing content, an annotation added after signing, a byte
 * range past the end of the file, a file that sends naive parsers round in circles, a CMS without signed attributes, a
 * badly encoded CMS), all from EU DSS's own test resources (test/fixtures/real/README.md). Each file is verified with its own root as trust anchor where the
 * chain matters, at a time its certificates were valid. Each expectation is what EU DSS decides for the same file
 * (integrity, byte range, modifications after signing, signatures and timestamps found), except where Filiera's
 * rules differ on purpose (docs/verdict-rules.md), said at the case.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { SignatureCheck, SignatureReport } from '../../../shared/signature/index.js';

const REAL = new URL('../../fixtures/real/', import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(`pades/${name}`, REAL)));
const anchor = (name: string) => readFileSync(new URL(name.includes('/') ? name : `pades/${name}`, REAL), 'utf8');

async function verify(file: string, anchors: string[], now: string): Promise<SignatureReport> {
  const { document, signature } = await examineAttestation(bytes(file), {
    trustAnchors: anchors.map(anchor),
    tenantVat: 'IT01234567897',
    signatories: [],
    now: new Date(now),
  });
  expect(document.kind).toBe('pades-pdf');
  expect(signature.present).toBe(true);
  return signature;
}

const check = (checks: SignatureCheck[], name: SignatureCheck['name']) => checks.find((c) => c.name === name);
const outcomes = (checks: SignatureCheck[]) => Object.fromEntries(checks.map((c) => [c.name, c.outcome]));

describe('vendor PAdES, each with its own root as anchor', () => {
  it('Microsec e-Szigno (Hungary, plugtests): verifies and chains; its signature timestamp chains through the TSA CA the signature carries', async () => {
    const signature = await verify('Signature-P-HU_MIC-1.pdf', ['cades/microsec-e-szigno-root-ca-2009.pem', 'e-szigno-root-ca-2017.pem'], '2019-11-05T00:00:00Z');
    const checks = signature.checks;
    // DSS (DSS2116WithPAdESTest): intact and valid, no modification of the PDF.
    expect(check(checks, 'integrity')?.outcome).toBe('pass');
    expect(check(checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: 'The signature covers every byte of the file (60329 bytes) except its own /Contents' });
    expect(check(checks, 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Qualified e-Szigno CA 2009 → Microsec e-Szigno Root CA 2009/) });
    expect(check(checks, 'timestamp')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/by "e-Szigno Qualified TSA 2019 02" verifies and chains/) });
    expect([signature.signingTime, signature.signingTimeSource]).toEqual(['2019-11-04T14:59:40.000Z', 'timestamp']);
    // Its revocation data travels in Adobe's revocation archive (a signed attribute): read, but gathered before the
    // timestamp that fixes the signing time, so it does not establish the status then (docs/verdict-rules.md).
    expect(check(checks, 'revocation')).toMatchObject({ outcome: 'absent', detail: expect.stringMatching(/revocation data of "Qualified e-Szigno CA 2009" for "Géczi Zoltán Csaba" predates the signing time/) });
    expect([signature.indication, signature.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
  });

  it('B-Trust (Bulgaria, plugtests): intact and covering the file; its certificate and timestamp use SHA-1, which Filiera refuses', async () => {
    const signature = await verify('Signature-P-BG_BOR-1.pdf', ['b-trust-root-ca.pem'], '2014-11-10T00:00:00Z');
    const checks = signature.checks;
    // No DSS test asserts on this file; the signature itself (RSA, SHA-512) is intact and covers every byte.
    expect(check(checks, 'integrity')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/RSA PKCS#1 v1\.5 with SHA512 signature verifies/) });
    expect(check(checks, 'coverage')?.outcome).toBe('pass');
    // ETSI TS 119 312 today: a certificate signed with SHA-1 does not chain, a SHA-1 timestamp imprint is not used.
    expect(check(checks, 'chain')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/"Valentin Tsvetanov Ivanov" is signed with SHA1, which is not accepted/) });
    expect(check(checks, 'timestamp')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/imprints with sha1, which is not accepted/) });
    expect([signature.signingTime, signature.signingTimeSource]).toEqual(['2014-11-07T12:18:47.000Z', 'signed-attribute']);
    expect([signature.indication, signature.subIndication]).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
  });

  it('SecCommerce (Germany, plugtests): an RSA-PSS signature, /DSS and a document timestamp added after it; the rewritten page resources are the same', async () => {
    const signature = await verify('Signature-P-DE_SCI-4.pdf', ['bundesnetzagentur-14r-ca-1.pem'], '2016-04-01T00:00:00Z');
    const checks = signature.checks;
    // DSS (PAdESWithOcspFromDssRevisionTest): one signature, two /DSS revisions, a signature timestamp and a document
    // timestamp, T and A levels valid, no modification. The document-timestamp revision points the page's /Resources
    // to a new object with the same content, which Filiera used to reject.
    expect(signature.signatures).toHaveLength(1);
    expect(check(checks, 'integrity')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/^The RSA-PSS with SHA256 signature verifies/) });
    expect(check(checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/what was added after it is only validation data \(\/DSS\), 1 document timestamp\(s\)$/) });
    expect(check(checks, 'timestamp')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/by "AuthentiDate Timestamp Authority C064 1:PN" verifies and chains/) });
    expect([signature.signingTime, signature.signingTimeSource]).toEqual(['2016-03-31T15:27:37.300Z', 'timestamp']);
    expect(signature.documentTimestamps).toEqual([
      expect.objectContaining({ index: 1, valid: true, trusted: true, time: '2016-03-31T15:33:12.600Z', authority: 'AuthentiDate Timestamp Authority C058 1:PN' }),
    ]);
    // D-TRUST's root is neither in the file nor configured here: the signer does not chain.
    expect(check(checks, 'chain')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/no trusted certificate issued "D-TRUST Qualified Root CA 3 2014:PN"/) });
    expect([signature.indication, signature.subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
  });

  it('a TeleSec qualified card (Germany) signing plain ECDSA on brainpoolP256r1 verifies and chains', async () => {
    const signature = await verify('TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf', ['telesec-qualified-root-ca-1.pem'], '2018-03-20T00:00:00Z');
    const checks = signature.checks;
    // DSS (PAdESWithPlainECDSACryptoValidationTest): PLAIN_ECDSA, intact and valid at B level. Filiera reported
    // the algorithm unsupported.
    expect(check(checks, 'integrity')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/^The plain ECDSA with SHA256 signature verifies with the signer's public key \(EC brainpoolP256r1\)/) });
    expect(check(checks, 'coverage')?.outcome).toBe('pass');
    expect(check(checks, 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/TeleSec PKS eIDAS QES CA 1 → TeleSec qualified Root CA 1/) });
    expect(check(checks, 'validity')?.outcome).toBe('pass');
    expect([signature.indication, signature.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
  });

  it('a Belgian eID PAdES-LT (Universign timestamp, OCSP in /DSS): every check of the signature passes', async () => {
    const signature = await verify('belgian_pki_multiple_ocsps_lt.pdf', ['belgium-root-ca4.pem', 'universign-primary-ca-hardware.pem'], '2021-07-15T09:14:40Z');
    const checks = signature.checks;
    // DSS (DSS2513LTTest, trusting Belgium Root CA4 and Universign): valid, no modification.
    expect(check(checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/only validation data \(\/DSS\)$/) });
    expect(check(checks, 'revocation')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Patrick Kremer \(Signature\) \(OCSP\), Citizen CA \(OCSP\)/) });
    expect(check(checks, 'timestamp')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/"Universign Timestamping Unit 027"/) });
    expect(outcomes(checks)).toMatchObject({ integrity: 'pass', chain: 'pass', validity: 'pass', key_usage: 'pass', signing_time: 'pass', signing_certificate: 'pass' });
    expect(signature.indication).toBe('TOTAL-PASSED');
    // Not this tenant's signer: Filiera's own rule, beyond what DSS checks.
    expect(check(checks, 'identity')?.outcome).toBe('fail');
  });

  it('Costa Rica (SINPE) PAdES-LT: the timestamp chains through the CA the /DSS carries, and backs the signing time after the certificate expired', async () => {
    const at = (now: string) => verify('doc-firmado-LT.pdf', ['costa-rica-ca-raiz-nacional-v2.pem'], now);
    const signature = await at('2018-09-20T00:00:00Z');
    const checks = signature.checks;
    // DSS (DSS1469LTTest, trusting CA RAIZ NACIONAL - COSTA RICA v2): PAdES-BASELINE-LT, the timestamp's chain of 3.
    expect(check(checks, 'integrity')?.outcome).toBe('pass');
    expect(check(checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/only validation data \(\/DSS\)$/) });
    expect(check(checks, 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/CA SINPE - PERSONA FISICA v2 → CA POLITICA PERSONA FISICA - COSTA RICA v2 → CA RAIZ NACIONAL - COSTA RICA v2/) });
    expect(check(checks, 'timestamp')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/by "TSA SINPE v2" verifies and chains/) });
    expect([signature.signingTime, signature.signingTimeSource]).toEqual(['2018-09-15T22:10:37.000Z', 'timestamp']);
    // The /DSS CRLs were issued in July, before the signature: Filiera does not take them as the status at signing
    // time, where DSS accepts the file as LT.
    expect(check(checks, 'revocation')).toMatchObject({ outcome: 'absent', detail: expect.stringMatching(/predates the signing time/) });
    expect([signature.indication, signature.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);

    // Two years after the signer's certificate expired (2021-02-16), the trusted timestamp still dates the signature.
    const later = await at('2023-06-01T00:00:00Z');
    expect(check(later.checks, 'validity')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/was valid at the signing time 2018-09-15T22:10:37\.000Z/) });
  });

  it('Costa Rica, signed twice with document timestamps after each: both signatures and both timestamps verify, nothing else was added', async () => {
    const signature = await verify('muestra-firmado-firmado.pdf', ['costa-rica-ca-raiz-nacional-v2.pem'], '2021-09-25T00:00:00Z');
    const [first, second] = signature.signatures ?? [];
    // DSS (DSS2574Test): no modification detected for either signature.
    expect(signature.signatures).toHaveLength(2);
    expect(check(first!.checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/only validation data \(\/DSS\), 2 document timestamp\(s\), 1 further signature\(s\), each verified on its own$/) });
    expect(check(second!.checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/only validation data \(\/DSS\), 1 document timestamp\(s\)$/) });
    for (const s of [first!, second!]) expect(outcomes(s.checks)).toMatchObject({ integrity: 'pass', chain: 'pass', timestamp: 'pass', validity: 'pass' });
    expect(signature.documentTimestamps).toEqual([
      expect.objectContaining({ index: 1, valid: true, trusted: true, time: '2021-09-20T18:00:17.000Z', authority: 'TSA SINPE v2' }),
      expect.objectContaining({ index: 2, valid: true, trusted: true, time: '2021-09-20T18:00:44.000Z', authority: 'TSA SINPE v2' }),
    ]);
  });

  it('a Belgian signature extended with /DSS (streams filtered [/FlateDecode]) and a raised /Version: its OCSP responses are read, nothing else changed', async () => {
    const signature = await verify('pdf-with-vri-timestamp.pdf', ['belgium-root-ca4.pem'], '2022-08-03T00:00:00Z');
    const checks = signature.checks;
    // DSS (PAdESWithVRITimeStampTest): B-level valid, a /VRI timestamp that verifies, no modification. Filiera read
    // the catalog's new /Version as a forbidden change and dropped the /DSS streams whose /Filter is an array.
    expect(check(checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/only validation data \(\/DSS\)$/) });
    expect(outcomes(checks)).toMatchObject({ integrity: 'pass', chain: 'pass', validity: 'pass' });
    // The /DSS OCSP responses (2022-08-02) are found and judged at the signing time the dictionary's /M claims (PAdES
    // puts it there, not in the CMS): not revoked then, as DSS finds.
    expect(check(checks, 'revocation')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/^Not revoked at the signing time .*Patrick Kremer \(Signature\) \(OCSP\), Citizen CA \(OCSP\)/) });
    expect(signature.signingTimeSource).toBe('signed-attribute');
    expect(signature.indication).toBe('TOTAL-PASSED');
    // A /VRI /TS timestamps validation data, not the document: it is not a document timestamp.
    expect(signature.documentTimestamps).toBeUndefined();
  });

  it('a Belgian foreigner eID signature whose /Contents (over 64 KB of hex) comes before its /ByteRange is read and verifies', async () => {
    const signature = await verify('PAdESWithCrossCertificateOCSP.pdf', ['belgium-root-ca4.pem'], '2020-02-19T00:00:00Z');
    const checks = signature.checks;
    // DSS (PAdESWithCrossCertificateOCSPsTest): intact and valid, no modification, two OCSP responses signed by
    // cross-certified responders. Filiera looked for the dictionary's header only 64 KB back from /ByteRange and
    // reported "no /Contents".
    expect(check(checks, 'integrity')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/^The RSA PKCS#1 v1\.5 with SHA256 signature verifies/) });
    expect(check(checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: 'The signature covers every byte of the file (135368 bytes) except its own /Contents' });
    expect(check(checks, 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Foreigner CA → Belgium Root CA4/) });
    // Its signature timestamp signs with SHA-1 (ETSI TS 119 312: not used), so the signing time is the dictionary's /M;
    // the /DSS OCSP responses of the signing day say not revoked then, as DSS finds.
    expect(check(checks, 'timestamp')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/SHA1, which is not accepted/) });
    expect(check(checks, 'revocation')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/Mohsen Behzad Karimi \(Signature\) \(OCSP\), Foreigner CA \(OCSP\)/) });
    expect(signature.signingTimeSource).toBe('signed-attribute');
  });

  it('a document timestamped first and signed after: one signature covering the whole file, one document timestamp', async () => {
    const signature = await verify('timestamped_and_signed.pdf', ['belgium-root-ca4.pem'], '2020-12-01T00:00:00Z');
    // DSS (TimestampedAndSignedTest): PAdES-BASELINE-B, one document timestamp, no timestamp on the signature.
    expect(signature.signatures).toHaveLength(1);
    expect(check(signature.checks, 'coverage')).toMatchObject({ outcome: 'pass', detail: 'The signature covers every byte of the file (71387 bytes) except its own /Contents' });
    expect(outcomes(signature.checks)).toMatchObject({ integrity: 'pass', chain: 'pass', timestamp: 'absent' });
    // GlobalSign's AATL root is not configured: the timestamp verifies but its time is not used.
    expect(signature.documentTimestamps).toEqual([expect.objectContaining({ index: 1, valid: true, trusted: false, time: '2020-11-25T14:37:21.000Z' })]);
  });
});

describe('attacks and broken files EU DSS keeps', () => {
  it('two signatures, the second with a byte range overlapping the first: the first verifies, the second fails, the file fails', async () => {
    const signature = await verify('pdf-byterange-overlap.pdf', ['nowina-pki-test-root-ca-2019.pem'], '2020-06-01T00:00:00Z');
    const [first, second] = signature.signatures ?? [];
    // DSS (DSS2451Test): one signature valid, one TOTAL_FAILED/FORMAT_FAILURE with an invalid byte range.
    expect(signature.signatures).toHaveLength(2);
    expect(outcomes(first!.checks)).toMatchObject({ integrity: 'pass', coverage: 'pass', chain: 'pass' });
    expect(first!.indication).not.toBe('TOTAL-FAILED');
    expect(check(second!.checks, 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/the unsigned gap \(43200–81923\) is not exactly the signature's \/Contents \(44033–81923\)/) });
    // Filiera also finds the digest broken; like DSS it names the byte range first: FORMAT_FAILURE.
    expect(check(second!.checks, 'integrity')?.outcome).toBe('fail');
    expect([second!.indication, second!.subIndication]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
    expect(signature.indication).toBe('TOTAL-FAILED');
    expect(signature.valid).toBe(false);
  });

  it('annotations (and a name tree) added after signing reject', async () => {
    const signature = await verify('pades-signed-annot-added.pdf', [], '2024-05-01T00:00:00Z');
    // DSS (PAdESLevelBWithAnnotAddedTest): annotation, extension and form-fill changes, no undefined change; the
    // signature stays valid. Filiera differs on purpose: after signing only validation data, document timestamps and
    // further signatures may be added (docs/verdict-rules.md).
    expect(check(signature.checks, 'integrity')?.outcome).toBe('pass');
    expect(check(signature.checks, 'coverage')).toMatchObject({
      outcome: 'fail',
      detail: expect.stringMatching(/changed the document catalog \(\/Names\); an update after signing added 2 annotation\(s\) to page 56 0 R that are not signature fields \(89 0 R, 90 0 R\)$/),
    });
    expect([signature.indication, signature.subIndication]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
  });

  it.each([
    ['hide.pdf', /changed object 8 0 R \(\/XObject\), which is neither validation data nor a signature/],
    ['replace.pdf', /changed object 26 0 R \(\/Annot\), which is neither validation data nor a signature/],
  ])('shadow attack %s (DSS-2236): the content swapped after signing rejects though the signer is trusted', async (file, change) => {
    const signature = await verify(file, ['dss-2236-self-signed.pem'], '2020-11-17T00:00:00Z');
    // DSS (DSS2236HideTest, DSS2236ReplaceTest): object modifications and undefined changes detected; no
    // signing-certificate reference.
    expect(check(signature.checks, 'integrity')?.outcome).toBe('pass');
    expect(check(signature.checks, 'chain')?.outcome).toBe('pass');
    expect(check(signature.checks, 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(change) });
    expect(check(signature.checks, 'signing_certificate')?.outcome).toBe('absent');
    expect([signature.indication, signature.subIndication]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
    expect(signature.valid).toBe(false);
  });

  it('a byte range that ends past the end of the file fails', async () => {
    const signature = await verify('pdf-eof.pdf', [], '2024-09-11T00:00:00Z');
    // DSS (PAdESWithEofSignatureTest): not intact, byte range invalid.
    expect(check(signature.checks, 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/the signed ranges end at offset 79188, beyond the end of the file \(79187 bytes\)/) });
    expect(check(signature.checks, 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/points outside the file/) });
    expect([signature.indication, signature.subIndication]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
  });

  it('a file built to loop a PDF parser is answered, not hung on (a hang fails this test)', { timeout: 30_000 }, async () => {
    const signature = await verify('pades_infinite_loop.pdf', [], '2020-01-01T00:00:00Z');
    // DSS (PAdESInfiniteLoopTest): answers within 3 s. Its byte range points past the end of the file.
    expect(signature.signatures).toHaveLength(1);
    expect(check(signature.checks, 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/beyond the end of the file \(29469 bytes\)/) });
    expect(signature.indication).toBe('TOTAL-FAILED');
  });

  it('a PKCS#7 signature without signed attributes over SHA-1 is refused for SHA-1, not reported malformed', async () => {
    const signature = await verify('pkcs7-no-message-digest.pdf', [], '2019-06-01T00:00:00Z');
    // DSS (PdfPkcs7SubFilterValidAndInvalidTest): adbe.pkcs7.detached, intact by its content digest, PDF_NOT_ETSI,
    // no signing-certificate reference. Filiera differs on purpose: ETSI TS 119 312 refuses SHA-1.
    expect(check(signature.checks, 'coverage')?.outcome).toBe('pass');
    expect(check(signature.checks, 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/digest algorithm SHA1, which is not accepted/) });
    expect(check(signature.checks, 'signing_certificate')?.outcome).toBe('absent');
    expect([signature.indication, signature.subIndication]).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
  });

  it('a badly encoded CMS is a signature that fails, not an unsigned PDF', async () => {
    const signature = await verify('BadEncodedCMS.pdf', [], '2016-04-19T00:00:00Z');
    // DSS (BadEncodedCMSTest): NO_SIGNATURE_FOUND. Filiera differs on purpose: the PDF has a signature dictionary,
    // and one it cannot verify rejects the file rather than sending it to review as unsigned.
    expect(signature.signatures).toHaveLength(1);
    expect(check(signature.checks, 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/certificate is not included/) });
    expect(signature.valid).toBe(false);
  });
});
