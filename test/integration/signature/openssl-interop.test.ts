/**
 * Signatures made by tools we did not write, checked by tools we did not write (docs/attestation-format.md, docs/verdict-rules.md): SHA3
 * CAdES made by `openssl cms`, a long-term CAdES carrying a CRL of thousands of entries made by `openssl ca
 * -gencrl`, RFC 3161 document timestamps made by `openssl ts` on a PAdES, and poppler's pdfsig on PDFs with several
 * signatures. Our integrity result must agree with `openssl cms -verify -noverify`, `openssl ts -verify` and pdfsig.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import { childrenOf, readTlv } from '../../../shared/signature/cms.js';
import type { SignatureExpectations } from '../../../shared/signature/index.js';
import { makeAttestation, writeFixture } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki, type Pki } from '../../fixtures/pki.js';
import { ACME_SUBJECT, appendDss, appendSignatureField, issue, makeTestPki, signCmsWith, timeStampToken, type TestPki } from '../../fixtures/signing.js';

const run = promisify(execFile);
let pki: Pki;
let dir: string;
let pdfPath: string;

beforeAll(async () => {
  pki = await makePki();
  dir = await mkdtemp(join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-sig-interop-'));
  pdfPath = await writeFixture((await makeAttestation()).pdf, 'attestation.pdf');
});

function expectations(extra: string[] = []): SignatureExpectations {
  return { trustAnchors: [...pki.trustAnchors, ...extra], tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date() };
}

async function opensslIntegrity(path: string): Promise<boolean> {
  try {
    const { stderr } = await run('openssl', ['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', path, '-out', '/dev/null']);
    return /Verification successful/.test(stderr);
  } catch {
    return false;
  }
}

async function opensslSign(md: string): Promise<string> {
  const mario = pki.signers.mario;
  const out = join(dir, `signed-${md}.p7m`);
  await run('openssl', ['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-md', md, '-in', pdfPath, '-signer', mario.certPath, '-inkey', mario.keyPath, '-certfile', mario.chainPath, '-out', out]);
  return out;
}

function header(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

/** SignedData.crls [1] added after the certificates, byte-wise: unsigned long-term validation data. */
function withCrl(cms: Uint8Array, crl: Uint8Array): Uint8Array {
  const info = readTlv(cms, 0)!;
  const [oid, explicit] = childrenOf(cms, info)!;
  const sd = readTlv(cms, explicit!.valueStart, explicit!.end)!;
  const fields = childrenOf(cms, sd)!;
  const parts: Buffer[] = [];
  for (const f of fields) {
    parts.push(Buffer.from(cms.subarray(f.start, f.end)));
    if (f.tag === 0xa0) parts.push(Buffer.concat([header(0xa1, crl.length), Buffer.from(crl)]));
  }
  const sdBody = Buffer.concat(parts);
  const sdDer = Buffer.concat([header(0x30, sdBody.length), sdBody]);
  const explicitDer = Buffer.concat([header(0xa0, sdDer.length), sdDer]);
  const body = Buffer.concat([Buffer.from(cms.subarray(oid!.start, oid!.end)), explicitDer]);
  return new Uint8Array(Buffer.concat([header(0x30, body.length), body]));
}

/** A CRL of `entries` revoked serials, issued by the test root with `openssl ca -gencrl`. */
async function bigCrl(entries: number): Promise<Uint8Array> {
  const ca = join(dir, `crl-ca-${entries}`);
  await run('mkdir', ['-p', ca]);
  const lines = Array.from({ length: entries }, (_, i) => `R\t300101000000Z\t250101000000Z,keyCompromise\t${(0x100000 + i).toString(16).toUpperCase()}\tunknown\t/CN=Revoked ${i}`);
  await writeFile(join(ca, 'index.txt'), `${lines.join('\n')}\n`);
  await writeFile(join(ca, 'crlnumber'), '01\n');
  await writeFile(
    join(ca, 'ca.cnf'),
    ['[ ca ]', 'default_ca = CA_default', '[ CA_default ]', `database = ${join(ca, 'index.txt')}`, `crlnumber = ${join(ca, 'crlnumber')}`, 'default_md = sha256', 'default_crl_days = 30'].join('\n'),
  );
  const out = join(ca, 'big.crl');
  await run('openssl', ['ca', '-gencrl', '-config', join(ca, 'ca.cnf'), '-cert', pki.rootCaPath, '-keyfile', join(pki.dir, 'root.key'), '-out', out]);
  await run('openssl', ['crl', '-in', out, '-outform', 'DER', '-out', `${out}.der`]);
  return new Uint8Array(await readFile(`${out}.der`));
}

describe('SHA3 CAdES made by openssl cms', () => {
  it.each(['sha3-256', 'sha3-384', 'sha3-512'])('%s: openssl and we both find it valid', async (md) => {
    // Prepare
    const path = await opensslSign(md);
    // Act
    const { signature } = await examineAttestation(new Uint8Array(await readFile(path)), expectations());
    // Assess
    expect(await opensslIntegrity(path)).toBe(true);
    expect(signature.checks.find((c) => c.name === 'integrity')).toMatchObject({ outcome: 'pass', detail: expect.stringContaining(md.toUpperCase()) });
    expect(signature.valid).toBe(true);
  });

  it('sha3-256 with a flipped byte in the document: openssl and we both refuse it', async () => {
    const path = await opensslSign('sha3-256');
    const bytes = Buffer.from(await readFile(path));
    bytes[bytes.indexOf(Buffer.from('%PDF-')) + 40]! ^= 1;
    const flipped = await writeFixture(bytes, 'flipped-sha3.p7m');
    const { signature } = await examineAttestation(new Uint8Array(bytes), expectations());
    expect(await opensslIntegrity(flipped)).toBe(false);
    expect(signature.checks.find((c) => c.name === 'integrity')?.outcome).toBe('fail');
  });
});

describe('a long-term CAdES with a large embedded CRL', () => {
  it('a CRL of 20,000 entries and 1,500 extra certificates: openssl and we both verify the signature', async () => {
    // Prepare: openssl signs, then the tool adds its validation data outside the signed attributes
    const signed = new Uint8Array(await readFile(await opensslSign('sha256')));
    const crl = await bigCrl(20_000);
    const certificate = new Uint8Array(Buffer.from(pki.intermediateCaPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
    const { appendCertificates } = await import('../../fixtures/signing.js');
    const copies = Array.from({ length: 1500 }, () => certificate);
    const large = appendCertificates(withCrl(signed, crl), copies);
    const path = await writeFixture(large, 'long-term.p7m');
    // Act
    const { signature, document } = await examineAttestation(large, expectations());
    // Assess: the size of a real Italian LTV signature's CRLs, far over asn1js's 10,000-node default
    expect(large.length).toBeGreaterThan(1_000_000);
    expect(await opensslIntegrity(path)).toBe(true);
    expect(document.readError).toBeUndefined();
    expect(signature.checks.find((c) => c.name === 'integrity')?.outcome).toBe('pass');
    expect(signature.valid).toBe(true);
  });
});

describe('PAdES with an openssl ts document timestamp, and with two signatures, against pdfsig', () => {
  let mine: TestPki;
  let tsaCert: string;
  let tsaKey: string;

  beforeAll(async () => {
    mine = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
    tsaKey = join(dir, 'tsa.key');
    tsaCert = join(dir, 'tsa.pem');
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', tsaKey]);
    await run('openssl', ['req', '-new', '-key', tsaKey, '-subj', '/C=IT/O=Filiera Test Trust Services/CN=Filiera Test TSA', '-out', `${tsaCert}.csr`]);
    await writeFile(join(dir, 'tsa.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
    await run('openssl', ['x509', '-req', '-in', `${tsaCert}.csr`, '-CA', pki.rootCaPath, '-CAkey', join(pki.dir, 'root.key'), '-CAcreateserial', '-days', '30', '-sha256', '-extfile', join(dir, 'tsa.ext'), '-out', tsaCert]);
    await writeFile(
      join(dir, 'tsa.cnf'),
      ['[ tsa ]', 'default_tsa = tsa1', '[ tsa1 ]', `serial = ${join(dir, 'tsaserial')}`, 'signer_digest = sha256', 'default_policy = 1.3.6.1.4.1.99999.2', 'digests = sha256', 'ess_cert_id_alg = sha256'].join('\n'),
    );
    await writeFile(join(dir, 'tsaserial'), '01\n');
  });

  /** A TimeStampToken from `openssl ts -reply` over the SHA-256 of `bytes`. */
  async function opensslToken(bytes: Uint8Array): Promise<{ token: Uint8Array; digest: string; path: string }> {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const query = join(dir, `${digest}.tsq`);
    const token = join(dir, `${digest}.tst`);
    await run('openssl', ['ts', '-query', '-digest', digest, '-sha256', '-cert', '-no_nonce', '-out', query]);
    await run('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', query, '-signer', tsaCert, '-inkey', tsaKey, '-token_out', '-out', token]);
    return { token: new Uint8Array(await readFile(token)), digest, path: token };
  }

  it('an LTV PAdES whose document timestamp openssl ts made: openssl ts -verify and we agree; pdfsig finds the signature valid', async () => {
    // Prepare: sign, add validation data, then a document timestamp over the whole revision
    const base = appendDss((await makeAttestation({ signing: 'pades' })).bytes, [new Uint8Array(Buffer.from(pki.intermediateCaPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'))]);
    let covered: Uint8Array = new Uint8Array(0);
    appendSignatureField(base, { kind: 'document-timestamp', sign: (b) => ((covered = b), new Uint8Array(8)) });
    const token = await opensslToken(covered);
    const ltv = appendSignatureField(base, { kind: 'document-timestamp', sign: () => token.token });
    const path = await writeFixture(ltv, 'ltv.pdf');
    // Act
    const { signature } = await examineAttestation(ltv, expectations());
    const { stdout } = await run('openssl', ['ts', '-verify', '-digest', token.digest, '-in', token.path, '-token_in', '-CAfile', pki.rootCaPath]);
    const pdfsig = await run('pdfsig', ['-nocert', path]).then((r) => r.stdout, (e: { stdout: string }) => e.stdout);
    // Assess
    expect(stdout).toMatch(/Verification: OK/);
    expect(signature.documentTimestamps).toEqual([expect.objectContaining({ valid: true, trusted: true, authority: 'Filiera Test TSA' })]);
    expect(pdfsig.split(/Signature #\d+:/)[1]).toMatch(/Signature Validation: Signature is Valid/);
    expect(signature.valid).toBe(true);
  });

  it('a CAdES-T whose signature timestamp openssl ts made: openssl ts -verify and we agree, and its time is the signing time', async () => {
    // RSA PKCS#1 v1.5 is deterministic: the signature value learnt in a first pass is the one the token covers.
    const signer = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: mine.intermediate, keyType: 'rsa', keyUsage: ['nonRepudiation'] });
    const claimed = new Date(Math.floor((Date.now() - 86_400_000) / 1000) * 1000);
    let value: Uint8Array = new Uint8Array(0);
    const document = new Uint8Array(await readFile(pdfPath));
    const spec = (timestamp: (v: Uint8Array) => Uint8Array) => ({ content: document, signers: [{ signer, chain: [mine.intermediate], signingTime: claimed, timestamp }] });
    signCmsWith(spec((v) => ((value = v), timeStampToken(v, signer))));
    const token = await opensslToken(value);
    const cms = signCmsWith(spec(() => token.token));
    const valuePath = join(dir, 'signature-value.bin');
    await writeFile(valuePath, value);
    const { stdout } = await run('openssl', ['ts', '-verify', '-data', valuePath, '-in', token.path, '-token_in', '-CAfile', pki.rootCaPath]);
    const { signature } = await examineAttestation(cms, expectations(mine.anchors));
    expect(stdout).toMatch(/Verification: OK/);
    expect(signature.checks.find((c) => c.name === 'timestamp')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/"Filiera Test TSA" verifies and chains/) });
    expect(signature.signingTimeSource).toBe('timestamp');
    expect(signature.signingTime).not.toBe(claimed.toISOString());
    expect(signature.valid).toBe(true);
  });

  it('two signatures, the second in an incremental update: pdfsig and we find both valid', async () => {
    const twice = appendSignatureField((await makeAttestation({ signing: 'pades' })).bytes, {
      kind: 'signature',
      sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer: mine.signer, chain: [mine.intermediate] }] }),
    });
    const path = await writeFixture(twice, 'two-signatures.pdf');
    const { signature } = await examineAttestation(twice, expectations(mine.anchors));
    const pdfsig = await run('pdfsig', ['-nocert', path]).then((r) => r.stdout, (e: { stdout: string }) => e.stdout);
    const blocks = pdfsig.split(/Signature #\d+:/).slice(1);
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(block).toMatch(/Signature Validation: Signature is Valid/);
    expect(signature.signatures?.map((s) => s.checks.find((c) => c.name === 'integrity')?.outcome)).toEqual(['pass', 'pass']);
    expect(signature.valid).toBe(true);
  });

  it('a second signature whose value was altered: pdfsig and we both refuse that one', async () => {
    const rogue = await issue({ subject: [['CN', 'Anyone']], keyUsage: ['nonRepudiation'] });
    const twice = appendSignatureField((await makeAttestation({ signing: 'pades' })).bytes, {
      kind: 'signature',
      sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer: rogue, corrupt: true }] }),
    });
    const path = await writeFixture(twice, 'two-signatures-bad.pdf');
    const { signature } = await examineAttestation(twice, expectations());
    const pdfsig = await run('pdfsig', ['-nocert', path]).then((r) => r.stdout, (e: { stdout: string }) => e.stdout);
    const blocks = pdfsig.split(/Signature #\d+:/).slice(1);
    expect(blocks[1]).not.toMatch(/Signature is Valid/);
    expect(signature.signatures?.map((s) => s.checks.find((c) => c.name === 'integrity')?.outcome)).toEqual(['pass', 'fail']);
    expect(signature.valid).toBe(false);
  });
});
