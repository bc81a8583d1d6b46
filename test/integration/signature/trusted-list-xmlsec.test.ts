/**
 * docs/configuration.md, docs/cli.md: a trusted list signed with xmlsec1 (a tool we did not write), cross-checked with
 * `xmlsec1 --verify`, used by `filiera verify --trusted-list XML:SIGNER.pem` (in process) and by loadConfig's
 * trustedLists, on a CAdES made by openssl whose CA is the list's CA/QC service.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as verifyCommand } from '../../../bin/commands/verify.js';
import { UsageError } from '../../../bin/cli-support.js';
import { ConfigError, loadConfig } from '../../../shared/config.js';
import { readTrustedList } from '../../../shared/signature/trusted-list.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues, makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki, type Pki } from '../../fixtures/pki.js';
import { trustedListXml, type Issued } from '../../fixtures/signing.js';
import { cleanList, sha256 } from '../../fixtures/stack.js';

const exec = promisify(execFile);
let pki: Pki;
let dir: string;
let listFile: string;
let attestation: string;
let signerPem: string;
let otherPem: string;
let tslFile: string;
const list = cleanList(8, 93);

const TEMPLATE = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="tsl-signature"><ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>
<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>`;

async function keyAndCert(name: string): Promise<{ key: string; cert: string }> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  await exec('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  await exec('openssl', ['req', '-x509', '-new', '-key', key, '-subj', `/C=IT/O=Test/CN=${name}`, '-days', '30', '-sha256', '-out', cert]);
  return { key, cert };
}

async function xmlsecVerifies(file: string, cert: string): Promise<boolean> {
  try {
    await exec('xmlsec1', ['--verify', '--enabled-reference-uris', 'empty', '--pubkey-cert-pem', cert, file]);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  pki = await makePki();
  dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-tsl-'));
  listFile = path.join(dir, 'lista.csv');
  await writeFile(listFile, list);
  const values = demoAttestationValues({
    intakeId: 'FIL-TSL0000001',
    listSha256: sha256(list),
    rowCount: '8',
    collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
  });
  attestation = (await makeAttestation({ values, signing: 'cades-der', engine: 'openssl' })).path;
  const signer = await keyAndCert('AgID Test TSL Signer');
  signerPem = signer.cert;
  otherPem = (await keyAndCert('Someone Else')).cert;
  const intermediate = { der: new Uint8Array(Buffer.from(pki.intermediateCaPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64')) } as Issued;
  const xml = trustedListXml([{ name: 'Filiera Test Qualified CA', type: 'CA/QC', status: 'granted', from: new Date('2020-01-01T00:00:00Z'), certificates: [intermediate] }]);
  const template = path.join(dir, 'IT_TSL.template.xml');
  await writeFile(template, xml.replace('</tsl:TrustServiceStatusList>', `${TEMPLATE}</tsl:TrustServiceStatusList>`));
  tslFile = path.join(dir, 'IT_TSL.xml');
  await exec('xmlsec1', ['--sign', '--enabled-reference-uris', 'empty', '--privkey-pem', `${signer.key},${signer.cert}`, '--output', tslFile, template]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function verify(extra: string[]): Promise<{ code: number; json: { verdict: string; attestation: { signature: { checks: { name: string; outcome: string; detail: string }[] } } } }> {
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await verifyCommand([
      '--list', listFile, '--attestation', attestation, '--intake', 'FIL-TSL0000001', '--tenant-vat', `IT${DEMO_TENANT_VAT}`,
      '--signatory', DEMO_SIGNATORY, '--json', ...extra,
    ]);
    return { code, json: JSON.parse(stdout) };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('a trusted list signed with xmlsec1', () => {
  it('xmlsec1 and we both verify it with its signer, and refuse it with another certificate', async () => {
    const xml = await readFile(tslFile, 'utf8');
    expect(await xmlsecVerifies(tslFile, signerPem)).toBe(true);
    expect(readTrustedList(xml, [await readFile(signerPem, 'utf8')]).services).toHaveLength(1);
    expect(await xmlsecVerifies(tslFile, otherPem)).toBe(false);
    expect(() => readTrustedList(xml, [readFileSyncText(otherPem)])).toThrow(/not from a configured signer/);
  });

  it('changed after signing: xmlsec1 and we both refuse it', async () => {
    const tampered = path.join(dir, 'IT_TSL.tampered.xml');
    await writeFile(tampered, (await readFile(tslFile, 'utf8')).replace('Filiera Test Qualified CA</tsl:Name>', 'Filiera Test Qualified CA (updated)</tsl:Name>'));
    expect(await xmlsecVerifies(tampered, signerPem)).toBe(false);
    expect(() => readTrustedList(readFileSyncText(tampered), [readFileSyncText(signerPem)])).toThrow(/not from a configured signer/);
  });

  it('filiera verify --trusted-list XML:SIGNER.pem approves a signature under the listed CA, with no --trust', async () => {
    const { code, json } = await verify(['--trusted-list', `${tslFile}:${signerPem}`]);
    expect(json.attestation.signature.checks.find((c) => c.name === 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/"Filiera Test Qualified CA"/) });
    expect(json.verdict).toBe('approved');
    expect(code).toBe(0);
  });

  it('filiera verify --require-qualified rejects a signer without QC statements, and needs a trusted list', async () => {
    const { code, json } = await verify(['--trusted-list', `${tslFile}:${signerPem}`, '--require-qualified']);
    expect((json as unknown as { findings: { code: string; severity: string }[] }).findings.map((f) => [f.code, f.severity])).toContainEqual(['signature_not_qualified', 'reject']);
    expect(code).toBe(20);
    await expect(verify(['--trust', pki.rootCaPath, '--require-qualified'])).rejects.toThrow(/--require-qualified needs --trusted-list/);
  });

  it('filiera verify refuses a list whose signer is not the one named, and a list without its signer (usage errors)', async () => {
    await expect(verify(['--trusted-list', `${tslFile}:${otherPem}`])).rejects.toThrow(UsageError);
    await expect(verify(['--trusted-list', tslFile])).rejects.toThrow(/expected XML:SIGNER.pem/);
    await expect(verify([])).rejects.toThrow(/at least one --trust PEM or --trusted-list XML:SIGNER.pem is required/);
  });

  it('the configuration\'s trustedLists are verified when loaded', async () => {
    const config = (signer: string) => ({
      tenants: [{ id: 'acme', name: 'Acme', vat: `IT${DEMO_TENANT_VAT}` }],
      trustedLists: [{ file: path.basename(tslFile), signers: [path.basename(signer)] }],
    });
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    await writeFile(good, JSON.stringify(config(signerPem)));
    await writeFile(bad, JSON.stringify(config(otherPem)));
    const loaded = await loadConfig(good);
    expect(loaded.trustedLists?.[0]?.services[0]?.name).toBe('Filiera Test Qualified CA');
    await expect(loadConfig(bad)).rejects.toThrow(ConfigError);
  });
});

function readFileSyncText(file: string): string {
  return readFileSync(file, 'utf8');
}
