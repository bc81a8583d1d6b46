/**
 * The AWS deployment cannot carry trusted lists or CRL files yet (the functions read their configuration from the
 * environment): the CDK app refuses such a configuration, and the functions refuse an inline one, instead of running
 * without them (docs/verdict-rules.md, docs/configuration.md: requireQualified would reject everything, configured CRLs would not count).
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

  it('a configuration with CRL files is refused at synth, with a sentence', async () => {
    const file = await configWith({ revocation: { crls: ['ca.crl'] } }, { 'ca.crl': Uint8Array.of(0x30, 0x00) });
    await expect(inlineConfiguration(file)).rejects.toThrow(/trustedLists and revocation\.crls cannot be deployed to AWS yet/);
  });

  it('a configuration with a (valid, signed) trusted list is refused at synth', async () => {
    const signer = await issue({ subject: [['CN', 'TSL Signer']], keyType: 'rsa' });
    const xml = await signTrustedList(trustedListXml([]), signer);
    const file = await configWith({ trustedLists: [{ file: 'IT_TSL.xml', signers: ['agid.pem'] }] }, { 'IT_TSL.xml': xml, 'agid.pem': signer.certPem });
    await expect(inlineConfiguration(file)).rejects.toThrow(/trustedLists and revocation\.crls cannot be deployed to AWS yet/);
  });

  it('the functions refuse an inline configuration naming CRL files', async () => {
    const base = JSON.parse(await inlineConfiguration(await configWith({})));
    const deps = await depsFromEnvironment({
      TABLE_NAME: 't', INTAKE_BUCKET: 'i', RELEASE_BUCKET: 'r', EVIDENCE_BUCKET: 'e', AWS_REGION: 'eu-central-1',
      FILIERA_CONFIG_JSON: JSON.stringify({ ...base, revocation: { crls: ['ca.crl'] } }),
    });
    await expect(deps.config()).rejects.toThrow(/trustedLists and revocation\.crls are not available to the functions/);
  });
});
