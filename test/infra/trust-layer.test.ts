/**
 * Trusted lists and CRL files in AWS (docs/deploying.md): the synth step copies the files the configuration names into
 * a Lambda layer mounted at /opt/filiera-trust on the functions that verify signatures, and the inline configuration
 * names them by their path there. What is packed is read back with the functions' own loader and gives what
 * loadConfig gives beside the file; a list whose signature does not verify, or that lists the demo CA, is refused.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInlineConfiguration } from '../../functions/lib/environment-wiring.js';
import { buildApp, type FilieraApp } from '../../infra/cdk/build-app.js';
import { deploymentConfiguration, DeploymentConfigError, MAX_INLINE_CONFIG_BYTES, TRUST_FILES_MOUNT } from '../../infra/cdk/settings.js';
import { functionId, type HandlerName } from '../../infra/cdk/stateless-stack.js';
import { buildDemoPki } from '../../infra/local/demo-pki.js';
import { prepareLocalConfig } from '../../infra/local/demo-setup.js';
import { loadConfig, VERIFIED_LISTS_FILE } from '../../shared/config.js';
import { type Issued, issue, makeCrl, signTrustedList, trustedListXml } from '../fixtures/signing.js';

const DEPLOY_DIR = path.resolve('test/fixtures/deploy');
const VERIFIERS: HandlerName[] = ['on-upload', 'on-textract-complete', 'sweep'];

let ca: Issued;
let tslSigner: Issued;
let file: string;
let built: FilieraApp;
let stateless: Template;

type Fn = { Properties: { Layers?: unknown[]; Environment?: { Variables?: Record<string, unknown> } } };

async function configDir(files: Record<string, string | Uint8Array>, extra: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-trust-layer-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const base = JSON.parse(await readFile(path.join(DEPLOY_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'ca.pem'), await readFile(path.join(DEPLOY_DIR, 'ca.pem')));
  const config = path.join(dir, 'filiera.json');
  await writeFile(config, JSON.stringify({ ...base, trustAnchors: ['ca.pem'], ...extra }));
  return config;
}

const listed = (cert: Issued) => [{ name: 'Test Qualified CA', type: 'CA/QC' as const, status: 'granted' as const, from: new Date('2020-01-01T00:00:00Z'), certificates: [cert] }];

beforeAll(async () => {
  ca = await issue({ subject: [['C', 'IT'], ['O', 'Test Trust Services S.p.A.'], ['CN', 'Test Qualified CA']], ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  tslSigner = await issue({ subject: [['C', 'IT'], ['CN', 'Test TSL Signer']], keyType: 'rsa' });
  const xml = await signTrustedList(trustedListXml(listed(ca)), tslSigner);
  const crl = await makeCrl(ca, []);
  file = await configDir(
    { 'IT_TSL.xml': xml, 'tsl signer.pem': tslSigner.certPem, 'ca.crl': crl },
    { trustedLists: [{ file: 'IT_TSL.xml', signers: ['tsl signer.pem'] }], revocation: { crls: ['ca.crl'] } },
  );
  built = await buildApp({ context: { 'filiera:skipBundling': true, filieraConfig: file }, builtinValidation: false });
  built.app.synth();
  stateless = Template.fromStack(built.stateless);
});

const functionsOf = (): [string, Fn][] => Object.entries(stateless.findResources('AWS::Lambda::Function')) as [string, Fn][];
const logicalIdOf = (handler: HandlerName): string => built.stateless.getLogicalId(built.stateless.functions[handler].node.defaultChild as never);
const trustLayerId = (): string => built.stateless.getLogicalId(built.stateless.node.findChild('TrustFiles').node.defaultChild as never);

describe('the trust layer', () => {
  it('is one layer version, attached to exactly the functions that verify signatures, with FILIERA_TRUST_DIR', () => {
    // CDK's own upload of the console brings the AWS CLI layer: the trust layer is the only other one.
    const layers = Object.keys(stateless.findResources('AWS::Lambda::LayerVersion')).filter((id) => !id.includes('AwsCliLayer'));
    expect(layers).toEqual([trustLayerId()]);
    const withLayer = functionsOf()
      .filter(([, fn]) => (fn.Properties.Layers ?? []).some((l) => JSON.stringify(l) === JSON.stringify({ Ref: layers[0] })))
      .map(([id]) => id)
      .sort();
    expect(withLayer).toEqual(VERIFIERS.map(logicalIdOf).sort());
    const withDir = functionsOf()
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.FILIERA_TRUST_DIR !== undefined)
      .map(([id, fn]) => [id, fn.Properties.Environment!.Variables!.FILIERA_TRUST_DIR]);
    expect(withDir.sort()).toEqual(VERIFIERS.map((h) => [logicalIdOf(h), TRUST_FILES_MOUNT]).sort());
    expect(VERIFIERS.map(functionId)).toEqual(['OnUpload', 'OnTextractComplete', 'Sweep']);
  });

  it('goes to the functions whose code judges attestations, which refuse to start without it (they pass a scan reader)', () => {
    // functions/lib/environment-wiring.ts treats a function given a scan reader as one that verifies signatures.
    const readers = (Object.keys(built.stateless.functions) as HandlerName[]).filter((handler) =>
      /lambdaDeps\(\w+\)/.test(readFileSync(path.resolve('functions', `${handler}.ts`), 'utf8')),
    );
    expect(readers.sort()).toEqual([...VERIFIERS].sort());
  });

  it('leaves the inline configuration under the cap, naming the files by their path in the layer', () => {
    const configs = functionsOf().map(([, fn]) => fn.Properties.Environment?.Variables?.FILIERA_CONFIG_JSON).filter((v): v is string => typeof v === 'string');
    expect(configs.length).toBeGreaterThan(VERIFIERS.length);
    expect(new Set(configs).size).toBe(1);
    const json = configs[0]!;
    expect(Buffer.byteLength(json, 'utf8')).toBeLessThanOrEqual(MAX_INLINE_CONFIG_BYTES);
    expect(json).not.toContain('TrustServiceStatusList');
    const inline = JSON.parse(json) as { trustedLists: unknown; revocation: { crls: string[] } };
    expect(inline.trustedLists).toEqual([{ file: 'lists/1-IT_TSL.xml', signers: ['lists/1-signer-1-tsl_signer.pem'] }]);
    expect(inline.revocation.crls).toEqual(['crls/1-ca.crl']);
  });

  it('is packed with the files, which the functions load into what loadConfig reads beside the file', async () => {
    const layer = stateless.findResources('AWS::Lambda::LayerVersion')[trustLayerId()] as { Properties: { Content: { S3Key: string } } };
    const staged = path.join(built.app.outdir, `asset.${layer!.Properties.Content.S3Key.replace(/\.zip$/, '')}`, 'filiera-trust');
    const json = functionsOf()
      .map(([, fn]) => fn.Properties.Environment?.Variables?.FILIERA_CONFIG_JSON)
      .find((v): v is string => typeof v === 'string')!;
    const inLambda = await readInlineConfiguration(json, staged, true);
    const local = await loadConfig(file);
    expect(inLambda.trustedLists).toEqual(local.trustedLists);
    expect(inLambda.trustedLists![0]!.services[0]!.certificates).toEqual([ca.der]);
    expect(inLambda.crlDers).toEqual(local.crlDers);
    expect(inLambda.trustAnchorPems).toEqual(local.trustAnchorPems);
    expect(inLambda.config.policy).toEqual(local.config.policy);
    expect(inLambda.config.policy.requireQualified).toBe(true);
    // The lists as synthesis verified them travel along, bound to the files' bytes (no re-verification at cold start).
    const record = JSON.parse(readFileSync(path.join(staged, VERIFIED_LISTS_FILE), 'utf8')) as { lists: { file: string; sha256: string }[] };
    expect(record.lists.map((l) => l.file)).toEqual(['lists/1-IT_TSL.xml']);
    expect(record.lists[0]!.sha256).toBe(createHash('sha256').update(readFileSync(path.join(staged, 'lists/1-IT_TSL.xml'))).digest('hex'));
  });

  it('keeps cdk-nag clean', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('refused at synth', () => {
  it("the demo's own configuration from a data folder, whose trusted list a demo signer signs", async () => {
    const dataDir = path.join(await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-trust-demo-')), 'data');
    const { configFile } = await prepareLocalConfig({ configFile: 'config/demo.json', dataDir });
    const out = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-trust-out-'));
    await expect(deploymentConfiguration(configFile, out)).rejects.toThrow(/trusted list "trusted-list\.xml" is signed by "tsl-signer\.pem", a demo CA made by npm start/);
  });

  it('a trusted list whose signature does not verify, naming the file', async () => {
    const xml = (await signTrustedList(trustedListXml(listed(ca)), tslSigner)).replace('Test Qualified CA', 'Test Qualified CB');
    const tampered = await configDir({ 'IT_TSL.xml': xml, 'agid.pem': tslSigner.certPem }, { trustedLists: [{ file: 'IT_TSL.xml', signers: ['agid.pem'] }] });
    const out = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-trust-out-'));
    const refusal = deploymentConfiguration(tampered, out);
    await expect(refusal).rejects.toBeInstanceOf(DeploymentConfigError);
    await expect(refusal).rejects.toThrow(/IT_TSL\.xml: the signature is not from a configured signer/);
  });

  it('a trusted list that lists a demo CA made by npm start', async () => {
    const demo = await buildDemoPki({ organization: 'Acme Energia S.p.A.', vat: 'IT01234567897', taxCode: 'RSSMRA80A01F205X', givenName: 'Mario', surname: 'Rossi' });
    const demoCa = { der: new Uint8Array(Buffer.from(demo.caPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64')) } as Issued;
    const xml = await signTrustedList(trustedListXml(listed(demoCa)), tslSigner);
    const config = await configDir({ 'IT_TSL.xml': xml, 'agid.pem': tslSigner.certPem }, { trustedLists: [{ file: 'IT_TSL.xml', signers: ['agid.pem'] }] });
    const out = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-trust-out-'));
    await expect(deploymentConfiguration(config, out)).rejects.toThrow(/trusted list "IT_TSL\.xml" lists the service "Test Qualified CA" with a demo CA made by npm start/);
  });
});
