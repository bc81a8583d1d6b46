/**
 * docs/deploying.md: in AWS the functions that verify signatures read the configuration from FILIERA_CONFIG_JSON and
 * its trusted lists and CRL files from the trust layer (FILIERA_TRUST_DIR, /opt/filiera-trust; a temporary folder
 * here). They must build the same verification inputs as loadConfig does beside the configuration file, verifying
 * each list's signature at cold start.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { depsFromEnvironment, readInlineConfiguration } from '../../../functions/lib/environment-wiring.js';
import { loadConfig, loadTrustFiles, parseConfig, VERIFIED_LISTS_FILE, writeVerifiedLists } from '../../../shared/config.js';
import { type Issued, issue, makeCrl, signTrustedList, trustedListXml } from '../../fixtures/signing.js';

const STORAGE = { TABLE_NAME: 't', INTAKE_BUCKET: 'i', RELEASE_BUCKET: 'r', EVIDENCE_BUCKET: 'e', AWS_REGION: 'eu-central-1' };
const BASE = {
  tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: 'IT01234567897', signatories: ['RSSMRA80A01F205X'], callCenters: ['cc-napoli'] }],
  callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
};

let ca: Issued;
let xml: string;
let signerPem: string;
let crl: Uint8Array;
let configFile: string;
let layer: string;

const tmp = (prefix: string) => mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), prefix));

beforeAll(async () => {
  ca = await issue({ subject: [['C', 'IT'], ['CN', 'Test Qualified CA']], ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const tslSigner = await issue({ subject: [['C', 'IT'], ['CN', 'Test TSL Signer']], keyType: 'rsa' });
  signerPem = tslSigner.certPem;
  xml = await signTrustedList(
    trustedListXml([{ name: 'Test Qualified CA', type: 'CA/QC', status: 'granted', from: new Date('2020-01-01T00:00:00Z'), certificates: [ca] }]),
    tslSigner,
  );
  crl = await makeCrl(ca, []);

  // The configuration as the local stack reads it: files beside it.
  const local = await tmp('filiera-trust-local-');
  await writeFile(path.join(local, 'IT_TSL.xml'), xml);
  await writeFile(path.join(local, 'agid.pem'), signerPem);
  await writeFile(path.join(local, 'ca.crl'), crl);
  configFile = path.join(local, 'filiera.json');
  await writeFile(configFile, JSON.stringify({ ...BASE, trustedLists: [{ file: 'IT_TSL.xml', signers: ['agid.pem'] }], revocation: { crls: ['ca.crl'] } }));

  // The same files as the trust layer holds them, under other names.
  layer = await tmp('filiera-trust-opt-');
  await mkdir(path.join(layer, 'lists'));
  await mkdir(path.join(layer, 'crls'));
  await writeFile(path.join(layer, 'lists', '1-IT_TSL.xml'), xml);
  await writeFile(path.join(layer, 'lists', '1-signer-1-agid.pem'), signerPem);
  await writeFile(path.join(layer, 'crls', '1-ca.crl'), crl);
});

const inline = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ...BASE,
    trustAnchorPems: [],
    trustedLists: [{ file: 'lists/1-IT_TSL.xml', signers: ['lists/1-signer-1-agid.pem'] }],
    revocation: { crls: ['crls/1-ca.crl'], fetch: false },
    ...extra,
  });

describe('the trust files of a function that verifies signatures', () => {
  it('are read from FILIERA_TRUST_DIR into what loadConfig reads beside the file', async () => {
    const deps = await depsFromEnvironment({ ...STORAGE, FILIERA_CONFIG_JSON: inline(), FILIERA_TRUST_DIR: layer }, () => ({}));
    const inLambda = await deps.config();
    const local = await loadConfig(configFile);
    expect(inLambda.trustedLists).toEqual(local.trustedLists);
    expect(inLambda.trustedLists).toHaveLength(1);
    expect(inLambda.trustedLists![0]!.services.map((s) => s.certificates)).toEqual([[ca.der]]);
    expect(inLambda.crlDers).toEqual(local.crlDers);
    expect(inLambda.crlDers).toEqual([crl]);
    expect(inLambda.trustAnchorPems).toEqual(local.trustAnchorPems);
    // requireQualified follows the trusted lists in both.
    expect(inLambda.config.policy).toEqual(local.config.policy);
    expect(inLambda.config.policy.requireQualified).toBe(true);
  });

  it('are the same files loadTrustFiles reads for any folder', async () => {
    const config = parseConfig(JSON.parse(inline()) as unknown);
    const read = await loadTrustFiles(config, layer, 'here');
    const inLambda = await readInlineConfiguration(inline(), layer, true);
    expect(inLambda.trustedLists).toEqual(read.trustedLists);
    expect(inLambda.crlDers).toEqual(read.crlDers);
  });

  it('has each list verified at cold start: a list altered in the folder is refused, naming it', async () => {
    const altered = await tmp('filiera-trust-altered-');
    await mkdir(path.join(altered, 'lists'));
    await mkdir(path.join(altered, 'crls'));
    await writeFile(path.join(altered, 'lists', '1-IT_TSL.xml'), xml.replace('Test Qualified CA', 'Test Qualified CB'));
    await writeFile(path.join(altered, 'lists', '1-signer-1-agid.pem'), signerPem);
    await writeFile(path.join(altered, 'crls', '1-ca.crl'), crl);
    await expect(readInlineConfiguration(inline(), altered, true)).rejects.toThrow(/lists\/1-IT_TSL\.xml: the signature is not from a configured signer/);
  });

  it('names a file missing from the folder', async () => {
    const empty = await tmp('filiera-trust-empty-');
    await expect(readInlineConfiguration(inline(), empty, true)).rejects.toThrow(`FILIERA_CONFIG_JSON: CRL "crls/1-ca.crl" cannot be read at ${path.join(empty, 'crls', '1-ca.crl')}`);
    await expect(readInlineConfiguration(inline({ revocation: { crls: [] } }), empty, true)).rejects.toThrow(
      `FILIERA_CONFIG_JSON: trusted list file "lists/1-IT_TSL.xml" cannot be read at ${path.join(empty, 'lists', '1-IT_TSL.xml')}`,
    );
  });

  it('without the folder, refuse to load in a function that verifies signatures, and stay unread in one that does not', async () => {
    await expect(readInlineConfiguration(inline(), undefined, true)).rejects.toThrow(/no trust layer \(FILIERA_TRUST_DIR\)/);
    const other = await readInlineConfiguration(inline(), undefined, false);
    expect(other.config.tenants.map((t) => t.id)).toEqual(['acme']);
    expect(other.trustedLists).toBeUndefined();
    expect(other.crlDers).toBeUndefined();
  });

  it('a configuration naming no trust files needs no folder', async () => {
    const plain = JSON.stringify({ ...BASE, trustAnchorPems: [ca.certPem] });
    const loaded = await readInlineConfiguration(plain, undefined, true);
    expect(loaded.trustAnchorPems).toEqual([ca.certPem]);
    expect(loaded.trustedLists).toBeUndefined();
  });
});

describe('the lists as synthesis verified them (verified-lists.json)', () => {
  async function layerWithRecord(listXml: string): Promise<string> {
    const dir = await tmp('filiera-trust-record-');
    await mkdir(path.join(dir, 'lists'));
    await mkdir(path.join(dir, 'crls'));
    await writeFile(path.join(dir, 'lists', '1-IT_TSL.xml'), listXml);
    await writeFile(path.join(dir, 'lists', '1-signer-1-agid.pem'), signerPem);
    await writeFile(path.join(dir, 'crls', '1-ca.crl'), crl);
    const config = parseConfig(JSON.parse(inline()) as unknown);
    const { trustedLists } = await loadTrustFiles(config, dir, 'synth');
    await writeVerifiedLists(config, dir, trustedLists);
    return dir;
  }

  it('a cold start takes the recorded lists, the same as verifying them again', async () => {
    const dir = await layerWithRecord(xml);
    const inLambda = await readInlineConfiguration(inline(), dir, true);
    const verified = await loadTrustFiles(parseConfig(JSON.parse(inline()) as unknown), dir, 'again');
    expect(inLambda.trustedLists).toEqual(verified.trustedLists);
    expect(inLambda.trustedLists![0]!.services[0]!.periods[0]!.from).toEqual(new Date('2020-01-01T00:00:00Z'));
  });

  it('the record stands for the bytes it was made from only: a list changed since is verified, and refused', async () => {
    const dir = await layerWithRecord(xml);
    await writeFile(path.join(dir, 'lists', '1-IT_TSL.xml'), xml.replace('Test Qualified CA', 'Test Qualified CB'));
    await expect(readInlineConfiguration(inline(), dir, true)).rejects.toThrow(/lists\/1-IT_TSL\.xml: the signature is not from a configured signer/);
  });

  it('is what a cold start reads: a record that says otherwise than the unchanged list is believed (it is written at synth only)', async () => {
    const dir = await layerWithRecord(xml);
    const recordFile = path.join(dir, VERIFIED_LISTS_FILE);
    await writeFile(recordFile, (await readFile(recordFile, 'utf8')).replace('"Test Qualified CA"', '"Named in the record"'));
    const inLambda = await readInlineConfiguration(inline(), dir, true);
    expect(inLambda.trustedLists![0]!.services[0]!.name).toBe('Named in the record');
    // loadConfig beside a configuration file never reads a record.
    const local = await loadTrustFiles(parseConfig(JSON.parse(inline()) as unknown), dir, 'local');
    expect(local.trustedLists[0]!.services[0]!.name).toBe('Test Qualified CA');
  });
});
