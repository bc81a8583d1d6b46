/**
 * `filiera verify --crl` and `--require-revocation-status` (docs/verdict-rules.md, docs/configuration.md, docs/cli.md) on a CAdES made by openssl,
 * with CRLs made by `openssl ca -gencrl`; each case cross-checked with `openssl verify -crl_check_all`. The command
 * runs in process (bin/commands/verify.ts), on the pipeline's engine.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as verifyCommand } from '../../../bin/commands/verify.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues, makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki, type Pki } from '../../fixtures/pki.js';
import { cleanList, sha256 } from '../../fixtures/stack.js';
import { examineAttestation } from '../../../shared/attestation/index.js';
import { crlFromFile } from '../../../shared/config.js';
import { appendDss } from '../../fixtures/signing.js';
import { readFile } from 'node:fs/promises';

const exec = promisify(execFile);
let pki: Pki;
let dir: string;
let listFile: string;
let attestation: string;
const list = cleanList(10, 91);

beforeAll(async () => {
  pki = await makePki();
  dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-verify-crl-'));
  listFile = path.join(dir, 'lista.csv');
  await writeFile(listFile, list);
  const values = demoAttestationValues({
    intakeId: 'FIL-CRL0000001',
    listSha256: sha256(list),
    rowCount: '10',
    collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
  });
  attestation = (await makeAttestation({ values, signing: 'cades-der', engine: 'openssl' })).path;
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A CRL by `ca` ('root' or 'intermediate') revoking the given certificates (PEM paths), made by openssl ca -gencrl. */
async function crl(ca: 'root' | 'intermediate', revoke: { cert: string; reason: string }[]): Promise<string> {
  const work = await mkdtemp(path.join(dir, `ca-${ca}-`));
  const lines: string[] = [];
  for (const { cert, reason } of revoke) {
    const serial = (await exec('openssl', ['x509', '-in', cert, '-noout', '-serial'])).stdout.trim().replace(/^serial=/, '');
    const subject = (await exec('openssl', ['x509', '-in', cert, '-noout', '-subject', '-nameopt', 'compat'])).stdout.trim().replace(/^subject=\s*/, '');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    lines.push(['R', '391231235959Z', `${yesterday},${reason}`, serial, 'unknown', subject].join('\t'));
  }
  await writeFile(path.join(work, 'index.txt'), lines.length ? `${lines.join('\n')}\n` : '');
  await writeFile(path.join(work, 'crlnumber'), '01\n');
  await writeFile(path.join(work, 'ca.cnf'), ['[ ca ]', 'default_ca = d', '[ d ]', `database = ${path.join(work, 'index.txt')}`, `crlnumber = ${path.join(work, 'crlnumber')}`, 'default_md = sha256', 'default_crl_days = 7'].join('\n'));
  const out = path.join(work, `${ca}.crl.pem`);
  await exec('openssl', ['ca', '-gencrl', '-config', path.join(work, 'ca.cnf'), '-cert', path.join(pki.dir, `${ca}.pem`), '-keyfile', path.join(pki.dir, `${ca}.key`), '-out', out]);
  return out;
}

async function opensslSaysRevoked(crls: string[]): Promise<boolean> {
  const args = ['verify', '-crl_check_all', '-CAfile', pki.rootCaPath, '-untrusted', pki.signers.mario.chainPath, ...crls.flatMap((c) => ['-CRLfile', c]), pki.signers.mario.certPath];
  try {
    await exec('openssl', args);
    return false;
  } catch (error) {
    const out = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    if (/certificate revoked/.test(out)) return true;
    throw error;
  }
}

async function verify(extra: string[]): Promise<{ code: number; json: { verdict: string; findings: { code: string; severity: string; message: string }[] } }> {
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await verifyCommand([
    '--list', listFile, '--attestation', attestation, '--intake', 'FIL-CRL0000001', '--tenant-vat', `IT${DEMO_TENANT_VAT}`,
    '--trust', pki.rootCaPath, '--signatory', DEMO_SIGNATORY, '--json', ...extra,
  ]);
  vi.restoreAllMocks();
  return { code, json: JSON.parse(stdout) };
}

describe('filiera verify with CRLs', () => {
  it('the signer revoked for keyCompromise: openssl says revoked, we reject (exit 20, signature_revoked)', async () => {
    const crls = [await crl('intermediate', [{ cert: pki.signers.mario.certPath, reason: 'keyCompromise' }]), await crl('root', [])];
    expect(await opensslSaysRevoked(crls)).toBe(true);
    const { code, json } = await verify(crls.flatMap((c) => ['--crl', c]));
    expect(json.findings.map((f) => [f.code, f.severity])).toContainEqual(['signature_revoked', 'reject']);
    expect(json.verdict).toBe('rejected');
    expect(code).toBe(20);
  });

  it('CRLs that do not list the signer: openssl and we agree it is not revoked; approved even under --require-revocation-status', async () => {
    const crls = [await crl('intermediate', [{ cert: pki.signers.laura.certPath, reason: 'superseded' }]), await crl('root', [])];
    expect(await opensslSaysRevoked(crls)).toBe(false);
    const { code, json } = await verify([...crls.flatMap((c) => ['--crl', c]), '--require-revocation-status']);
    expect(json.findings.map((f) => f.code)).not.toContain('revocation_status_unknown');
    expect(json.verdict).toBe('approved');
    expect(code).toBe(0);
  });

  it('no CRL: an info finding, and review under --require-revocation-status (exit 10)', async () => {
    const plain = await verify([]);
    expect(plain.json.findings.find((f) => f.code === 'revocation_status_unknown')?.severity).toBe('info');
    expect(plain.code).toBe(0);
    const strict = await verify(['--require-revocation-status']);
    expect(strict.json.findings.find((f) => f.code === 'revocation_status_unknown')?.severity).toBe('review');
    expect(strict.code).toBe(10);
  });

  it('a --crl file that is not a CRL is a usage error', async () => {
    await expect(verify(['--crl', listFile])).rejects.toThrow(/--crl .*not a DER or PEM certificate revocation list/);
  });
});

describe('OCSP responses made by openssl ocsp, embedded in a PAdES /DSS', () => {
  /** An OCSPResponse about mario from `openssl ocsp` acting as the intermediate CA's responder, and what openssl says. */
  async function opensslOcsp(revoked: boolean): Promise<{ der: Uint8Array; says: string }> {
    const work = await mkdtemp(path.join(dir, 'ocsp-'));
    const mario = pki.signers.mario.certPath;
    const serial = (await exec('openssl', ['x509', '-in', mario, '-noout', '-serial'])).stdout.trim().replace(/^serial=/, '');
    const subject = (await exec('openssl', ['x509', '-in', mario, '-noout', '-subject', '-nameopt', 'compat'])).stdout.trim().replace(/^subject=\s*/, '');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    const line = revoked ? ['R', '391231235959Z', `${yesterday},keyCompromise`, serial, 'unknown', subject] : ['V', '391231235959Z', '', serial, 'unknown', subject];
    await writeFile(path.join(work, 'index.txt'), `${line.join('\t')}\n`);
    const intermediate = path.join(pki.dir, 'intermediate.pem');
    await exec('openssl', ['ocsp', '-issuer', intermediate, '-cert', mario, '-no_nonce', '-reqout', path.join(work, 'req.der')]);
    await exec('openssl', [
      'ocsp', '-index', path.join(work, 'index.txt'), '-CA', intermediate, '-rsigner', intermediate, '-rkey', path.join(pki.dir, 'intermediate.key'),
      '-reqin', path.join(work, 'req.der'), '-respout', path.join(work, 'resp.der'), '-ndays', '7',
    ]);
    const { stdout } = await exec('openssl', ['ocsp', '-respin', path.join(work, 'resp.der'), '-issuer', intermediate, '-cert', mario, '-CAfile', pki.rootCaPath, '-verify_other', intermediate, '-no_nonce']);
    return { der: new Uint8Array(await readFile(path.join(work, 'resp.der'))), says: stdout };
  }

  it.each([
    ['good', false, 'pass'],
    ['revoked for keyCompromise', true, 'fail'],
  ] as const)('openssl says %s; so do we', async (_name, revoked, outcome) => {
    const ocsp = await opensslOcsp(revoked);
    expect(ocsp.says).toMatch(revoked ? /: revoked/ : /: good/);
    const rootCrl = crlFromFile(await readFile(await crl('root', [])))!;
    // Signed before the OCSP answer, but not before the test PKI's root began (a PKI made a minute ago is valid from then).
    const rootFrom = new Date(new X509Certificate(await readFile(pki.rootCaPath)).validFrom).getTime();
    const signingTime = new Date(Math.max(Date.now() - 3_600_000, rootFrom + 1_000));
    const signed = (await makeAttestation({ signing: 'pades', signingTime })).bytes;
    const ltv = appendDss(signed, [], [rootCrl], [ocsp.der]);
    const { signature } = await examineAttestation(ltv, { trustAnchors: pki.trustAnchors, tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date() });
    expect(signature.checks.find((c) => c.name === 'revocation')?.outcome).toBe(outcome);
  });
});
