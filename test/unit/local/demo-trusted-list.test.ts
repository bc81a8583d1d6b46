/**
 * The demo ships a signed trusted list of its own (docs/configuration.md): the demo configuration the local stack
 * loads trusts the demo CA through it, as a deployment trusts a qualified provider through AgID's list, and the demo
 * signer's signatures verify as qualified ones under it (requireQualified is on, as in production with a list).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoPki, buildDemoPki } from '../../../infra/local/demo-pki.js';
import { prepareLocalConfig } from '../../../infra/local/demo-setup.js';
import { loadConfig } from '../../../shared/config.js';
import { QC, qcStatements } from '../../../shared/signature/certificates.js';
import { verifySignature } from '../../../shared/signature/index.js';
import { SERVICE_TYPE, TrustedListError, grantedCertificates, readTrustedList } from '../../../shared/signature/trusted-list.js';
import { type Issued, signCmsWith } from '../../fixtures/signing.js';

const SUBJECT = { organization: 'Acme Energia S.p.A.', vat: 'IT01234567897', taxCode: 'RSSMRA80A01F205X', givenName: 'Mario', surname: 'Rossi' };
const derOf = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64'));

let dataDir: string;
let prepared: Awaited<ReturnType<typeof prepareLocalConfig>>;
let pki: DemoPki;

beforeAll(async () => {
  dataDir = path.join(await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-demo-tsl-')), 'data');
  prepared = await prepareLocalConfig({ configFile: 'config/demo.json', dataDir });
  pki = prepared.demoPki!;
});

describe('the demo trusted list', () => {
  it('is signed by the demo list signer and grants the demo CA as a CA/QC service', () => {
    const list = readTrustedList(pki.trustedListXml, [pki.tslSignerPem], 'trusted-list.xml');
    expect(list.territory).toBe('IT');
    expect(list.services).toHaveLength(1);
    expect(grantedCertificates([list], [SERVICE_TYPE.caQc], new Date())).toEqual([derOf(pki.caPem)]);
    // Nothing is granted before the CA existed.
    expect(grantedCertificates([list], [SERVICE_TYPE.caQc], new Date(Date.now() - 3 * 86_400_000))).toEqual([]);
  });

  it('does not verify with another signer, nor once altered', async () => {
    const other = await buildDemoPki(SUBJECT);
    expect(() => readTrustedList(pki.trustedListXml, [other.tslSignerPem], 'trusted-list.xml')).toThrow(TrustedListError);
    const altered = pki.trustedListXml.replace('Filiera Demo Root CA</tsl:Name>', 'Filiera Demo Root CB</tsl:Name>');
    expect(altered).not.toBe(pki.trustedListXml);
    expect(() => readTrustedList(altered, [pki.tslSignerPem], 'trusted-list.xml')).toThrow(/the signature is not from a configured signer/);
  });

  it('is what the demo configuration trusts: no PEM anchor, requireQualified on', async () => {
    const loaded = await loadConfig(prepared.configFile);
    expect(loaded.config.trustAnchors).toEqual([]);
    expect(loaded.trustAnchorPems).toEqual([]);
    expect(loaded.config.trustedLists).toEqual([{ file: 'trusted-list.xml', signers: ['tsl-signer.pem'] }]);
    expect(loaded.trustedLists).toHaveLength(1);
    expect(loaded.config.policy.requireQualified).toBe(true);
  });

  it("makes the demo signer's signature a valid, qualified one of the tenant", async () => {
    const signerPkijs = pkijs.Certificate.fromBER(derOf(pki.signerPem));
    expect(qcStatements(signerPkijs)).toEqual([QC.compliance, QC.sscd]);
    const signer = { cert: signerPkijs, der: derOf(pki.signerPem), certPem: pki.signerPem, keyPem: pki.signerKeyPem, keyType: 'rsa' } as Issued;
    const content = new TextEncoder().encode('%PDF-1.4\n% demo attestation\n');
    const cms = signCmsWith({ content, signers: [{ signer }] });
    const { config, trustAnchorPems, trustedLists } = await loadConfig(prepared.configFile);
    const tenant = config.tenants[0]!;
    const expectations = { trustAnchors: trustAnchorPems, tenantVat: '01234567897', signatories: tenant.signatories, now: new Date() };
    const report = await verifySignature({ type: 'CAdES', cms, content, fileLength: cms.length }, { ...expectations, ...(trustedLists ? { trustedLists } : {}) });
    expect(report.checks.filter((c) => c.outcome === 'fail')).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.checks.find((c) => c.name === 'qualified')?.outcome).toBe('pass');
    // Without the list the demo CA is trusted by nothing.
    const untrusted = await verifySignature({ type: 'CAdES', cms, content, fileLength: cms.length }, expectations);
    expect(untrusted.valid).toBe(false);
  });

  it('is made again, with a new PKI, in a data folder made before the demo had one', async () => {
    await rm(pki.trustedListPath);
    const again = await prepareLocalConfig({ configFile: 'config/demo.json', dataDir });
    expect(again.demoPki!.caPem).not.toBe(pki.caPem);
    expect((await loadConfig(again.configFile)).trustedLists).toHaveLength(1);
  });

  it('is made again when its list no longer verifies', async () => {
    const current = (await prepareLocalConfig({ configFile: 'config/demo.json', dataDir })).demoPki!;
    await writeFile(current.trustedListPath, current.trustedListXml.replace('granted', 'withdrawn'));
    const again = await prepareLocalConfig({ configFile: 'config/demo.json', dataDir });
    expect(again.demoPki!.caPem).not.toBe(current.caPem);
    expect(readTrustedList(again.demoPki!.trustedListXml, [again.demoPki!.tslSignerPem]).services).toHaveLength(1);
  });
});
