/**
 * Cross-checks with tools we did not write: OpenSSL's `cms -verify` for CAdES, poppler's `pdfsig` for PAdES.
 * Our engine must agree with them on the signature itself and, for PAdES, on whole-document coverage.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import { makeAttestation, type MakeAttestationOptions } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki } from '../../fixtures/pki.js';

// The PKI is made once (openssl, a few seconds on a busy machine): not inside the first test's time budget.
beforeAll(async () => {
  await makePki();
});

const run = promisify(execFile);

async function ours(bytes: Uint8Array) {
  const pki = await makePki();
  const { signature } = await examineAttestation(bytes, {
    trustAnchors: pki.trustAnchors,
    tenantVat: DEMO_TENANT_VAT,
    signatories: [DEMO_SIGNATORY],
    now: new Date(),
  });
  return Object.fromEntries(signature.checks.map((c) => [c.name, c.outcome]));
}

async function opensslVerifies(path: string, inform: 'DER' | 'PEM'): Promise<boolean> {
  const pki = await makePki();
  try {
    const { stderr } = await run('openssl', ['cms', '-verify', '-binary', '-inform', inform, '-in', path, '-CAfile', pki.rootCaPath, '-purpose', 'any', '-out', '/dev/null']);
    return /Verification successful/.test(stderr);
  } catch {
    return false;
  }
}

describe('CAdES: our engine agrees with openssl cms -verify', () => {
  it.each<[string, MakeAttestationOptions, boolean]>([
    ['made by openssl cms -sign -cades', { signing: 'cades-der', engine: 'openssl' }, true],
    ['made by openssl, a flipped byte in the PDF', { signing: 'cades-der', engine: 'openssl', flipByte: 'content' }, false],
    ['made by openssl, a flipped byte in the signature', { signing: 'cades-der', engine: 'openssl', flipByte: 'signature' }, false],
    ['made by our pkijs signer, RSA', { signing: 'cades-der' }, true],
    ['made by our pkijs signer, RSA-PSS', { signing: 'cades-der', rsaScheme: 'pss' }, true],
    ['made by our pkijs signer, ECDSA', { signing: 'cades-der', signer: 'laura' }, true],
    ['made by our pkijs signer, a flipped byte in the PDF', { signing: 'cades-der', flipByte: 'content' }, false],
    ['signed under a CA openssl is not told to trust', { signing: 'cades-der', engine: 'openssl', signer: 'untrusted' }, false],
  ])('%s', async (_name, options, valid) => {
    // Prepare
    const made = await makeAttestation(options);
    // Act
    const theirs = await opensslVerifies(made.path, 'DER');
    const mine = await ours(made.bytes);
    // Assess: openssl checks integrity and chain together, so compare with both of ours
    expect(theirs).toBe(valid);
    expect(mine.integrity === 'pass' && mine.chain === 'pass').toBe(valid);
  });
});

interface PdfsigView {
  signatureValid: boolean;
  totalDocumentSigned: boolean;
}

async function pdfsig(path: string): Promise<PdfsigView> {
  // pdfsig exits non-zero when a signature is not valid (or its certificate not trusted): read its output regardless.
  const output = await run('pdfsig', [path]).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  return {
    signatureValid: /Signature Validation: Signature is Valid\./.test(output),
    totalDocumentSigned: /Total document signed/.test(output) && !/Not total document signed/.test(output),
  };
}

describe('PAdES: our engine agrees with poppler pdfsig', () => {
  it.each<[string, MakeAttestationOptions, PdfsigView]>([
    ['signed, RSA, adbe.pkcs7.detached', { signing: 'pades' }, { signatureValid: true, totalDocumentSigned: true }],
    ['signed, ECDSA, ETSI.CAdES.detached', { signing: 'pades', signer: 'laura', subFilter: 'ETSI.CAdES.detached' }, { signatureValid: true, totalDocumentSigned: true }],
    ['bytes appended after signing', { signing: 'pades', appendAfterSigning: true }, { signatureValid: true, totalDocumentSigned: false }],
    ['a flipped byte in the signed range', { signing: 'pades', flipByte: 'content' }, { signatureValid: false, totalDocumentSigned: true }],
    ['a flipped byte in the signature value', { signing: 'pades', flipByte: 'signature' }, { signatureValid: false, totalDocumentSigned: true }],
  ])('%s', async (_name, options, expected) => {
    // Prepare
    const made = await makeAttestation(options);
    // Act
    const theirs = await pdfsig(made.path);
    const mine = await ours(made.bytes);
    // Assess: pdfsig's signature line matches our integrity check, its coverage line our coverage check
    expect(theirs).toEqual(expected);
    expect(mine.integrity === 'pass').toBe(theirs.signatureValid);
    expect(mine.coverage === 'pass').toBe(theirs.totalDocumentSigned);
  });
});
