/**
 * Trusted lists and CRL files reach the functions that verify signatures through the trust layer, which only a
 * configuration file given at synth builds (docs/deploying.md): a configuration for an SSM parameter cannot carry
 * them and is refused, and a function that verifies signatures refuses an inline configuration naming them without
 * its layer, instead of running without them (requireQualified would reject everything, configured CRLs would not count).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { depsFromEnvironment } from '../../functions/lib/environment-wiring.js';
import { inlineConfiguration } from '../../infra/cdk/settings.js';
import { issue, signTrustedList, trustedListXml } from '../fixtures/signing.js';

const DEPLOY_DIR = path.resolve('test/fixtures/deploy');

async function configWith(extra: Record<string, unknown>, files: Record<string, string | Uint8Array> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-sig-settings-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const base = JSON.parse(await readFile(path.join(DEPLOY_DIR, 'config.json'), 'utf8')) as { trustAnchors?: string[] };
  const anchors = await Promise.all((base.trustAnchors ?? []).map(async (a) => {
    await writeFile(path.join(dir, path.basename(a)), await readFile(path.resolve(DEPLOY_DIR, a)));
    return path.basename(a);
  }));
  const file = path.join(dir, 'filiera.json');
  await writeFile(file, JSON.stringify({ ...base, trustAnchors: anchors, ...extra }));
  return file;
}

describe('trusted lists and CRL files in the AWS deployment', () => {
  it('the deployable configuration without them inlines', async () => {
    await expect(inlineConfiguration(await configWith({}))).resolves.toContain('trustAnchorPems');
  });

  it('a configuration with CRL files is refused for an SSM parameter, with a sentence', async () => {
    const file = await configWith({ revocation: { crls: ['ca.crl'] } }, { 'ca.crl': Uint8Array.of(0x30, 0x00) });
    await expect(inlineConfiguration(file)).rejects.toThrow(/an SSM parameter cannot carry their files/);
  });

  it('a configuration with a (valid, signed) trusted list is refused for an SSM parameter', async () => {
    const signer = await issue({ subject: [['CN', 'TSL Signer']], keyType: 'rsa' });
    const xml = await signTrustedList(trustedListXml([]), signer);
    const file = await configWith({ trustedLists: [{ file: 'IT_TSL.xml', signers: ['agid.pem'] }] }, { 'IT_TSL.xml': xml, 'agid.pem': signer.certPem });
    await expect(inlineConfiguration(file)).rejects.toThrow(/trustedLists and revocation\.crls travel in the functions' trust layer/);
  });

  const environment = { TABLE_NAME: 't', INTAKE_BUCKET: 'i', RELEASE_BUCKET: 'r', EVIDENCE_BUCKET: 'e', AWS_REGION: 'eu-central-1' };

  it('a function that verifies signatures refuses an inline configuration naming CRL files without its trust layer', async () => {
    const base = JSON.parse(await inlineConfiguration(await configWith({})));
    const deps = await depsFromEnvironment(
      { ...environment, FILIERA_CONFIG_JSON: JSON.stringify({ ...base, revocation: { crls: ['crls/1-ca.crl'] } }) },
      () => ({}),
    );
    await expect(deps.config()).rejects.toThrow(/names trustedLists or revocation\.crls, but this function has no trust layer \(FILIERA_TRUST_DIR\)/);
  });

  it('a function that verifies no signature reads the same configuration without the files', async () => {
    const base = JSON.parse(await inlineConfiguration(await configWith({})));
    const deps = await depsFromEnvironment({ ...environment, FILIERA_CONFIG_JSON: JSON.stringify({ ...base, revocation: { crls: ['crls/1-ca.crl'] } }) });
    const loaded = await deps.config();
    expect(loaded.config.tenants.map((t) => t.id)).toEqual(['acme']);
    expect(loaded.crlDers).toBeUndefined();
    expect(loaded.trustedLists).toBeUndefined();
  });
});
