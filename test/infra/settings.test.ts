import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { depsFromEnvironment } from '../../functions/lib/environment-wiring.js';
import { textractScanReader } from '../../functions/lib/textract-wiring.js';
import { TextractExtractor } from '../../shared/adapters/textract/textract-extractor.js';
import { receiptKey, releaseKeys as releaseKeysFor, stagedListKey, uploadKey } from '../../shared/intake/object-keys.js';
import { intakeKeys, matchesPattern, releaseKeys } from '../../infra/cdk/key-patterns.js';
import { checkInlineSize, inlineConfiguration, MAX_INLINE_CONFIG_BYTES, parseSettings } from '../../infra/cdk/settings.js';
import { buildDemoPki } from '../../infra/local/demo-pki.js';
import { parseConfig } from '../../shared/config.js';

const DEPLOY_CONFIG = 'test/fixtures/deploy/config.json';

/** Deploy-time parameters and the configuration handed to the functions: no synthesis needed. */
const fromContext = (context: Record<string, unknown>) => parseSettings((key) => context[key]);

describe('deploy-time settings', () => {
  it('defaults to Frankfurt, 30 days of raw retention and a governance-mode evidence lock', () => {
    expect(fromContext({ filieraConfig: 'config/prod.json' })).toEqual({
      region: 'eu-central-1',
      rawRetentionDays: 30,
      evidenceLockMode: 'GOVERNANCE',
      evidenceRetentionDays: 1825,
      filieraConfig: 'config/prod.json',
      skipBundling: false,
    });
    expect(fromContext({ filieraConfigParameter: '/filiera/config' })).toMatchObject({ filieraConfigParameter: '/filiera/config', filieraConfig: '' });
  });

  it('has no default configuration: without one, synthesis stops and says what to pass', () => {
    expect(() => fromContext({})).toThrow(/^CDK context: no configuration\. Pass -c filieraConfig=FILE .* or -c filieraConfigParameter=/);
  });

  it('the CDK app, run without a configuration, says so in one line and exits 1', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const env = { ...process.env };
      delete env.CDK_CONTEXT_JSON;
      const child = spawn(process.execPath, ['--import', 'tsx', 'infra/cdk/app.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.once('exit', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^filiera: cannot synthesize: CDK context: no configuration\. Pass -c filieraConfig=FILE .*\n$/);
  }, 120_000);

  it('refuses the local demo configuration, however it is named', () => {
    for (const file of ['config/demo.json', './config/demo.json', path.resolve('config/demo.json')]) {
      expect(() => fromContext({ filieraConfig: file }), file).toThrow(/filieraConfig: config\/demo\.json is the local demo, not a deployment/);
    }
  });

  it('reads values given on the command line, which arrive as strings', () => {
    const settings = fromContext({ region: 'eu-west-1', rawRetentionDays: '60', evidenceLockMode: 'COMPLIANCE', 'filiera:skipBundling': 'true', filieraConfig: 'prod.json' });
    expect(settings).toMatchObject({ region: 'eu-west-1', rawRetentionDays: 60, evidenceLockMode: 'COMPLIANCE', skipBundling: true });
  });

  it.each([
    [{ rawRetentionDays: '7' }, 'rawRetentionDays: at least 16'],
    [{ region: 'Frankfurt' }, 'region: an AWS region code'],
    [{ evidenceLockMode: 'LEGAL_HOLD' }, 'evidenceLockMode'],
    [{ account: '1234' }, 'account: 12 digits'],
    [{ filieraConfigParameter: 'filiera-config' }, 'filieraConfigParameter: an SSM parameter name'],
  ])('refuses an invalid value, naming it (%#)', (context, message) => {
    expect(() => fromContext(context)).toThrow(message);
  });
});

describe('inline configuration', () => {
  it('is read back by the functions exactly as configured, trust anchors included', async () => {
    const json = await inlineConfiguration(DEPLOY_CONFIG);
    const deps = await depsFromEnvironment({ TABLE_NAME: 't', INTAKE_BUCKET: 'i', RELEASE_BUCKET: 'r', EVIDENCE_BUCKET: 'e', FILIERA_CONFIG_JSON: json, AWS_REGION: 'eu-central-1' });
    const { config, trustAnchorPems } = await deps.config();
    const file = JSON.parse(readFileSync(DEPLOY_CONFIG, 'utf8')) as { tenants: { id: string; vat: string }[]; policy: unknown };
    expect(config.tenants.map((t) => [t.id, t.vat])).toEqual(file.tenants.map((t) => [t.id, t.vat]));
    expect(config.policy).toEqual(parseConfig(file).policy);
    expect(trustAnchorPems).toEqual([readFileSync('test/fixtures/deploy/ca.pem', 'utf8')]);
  });

  it('reads scans with Textract only where the stack asks for it', async () => {
    const base = { TABLE_NAME: 't', INTAKE_BUCKET: 'i', RELEASE_BUCKET: 'r', EVIDENCE_BUCKET: 'e', AWS_REGION: 'eu-central-1' };
    const unset = await depsFromEnvironment(base);
    expect(unset.extractors?.scans).toBeUndefined();
    expect(unset.extractionJobs).toBeUndefined();
    const textractEnv = { ...base, SCAN_READER: 'textract', TEXTRACT_SNS_TOPIC_ARN: 'arn:aws:sns:eu-central-1:1:t', TEXTRACT_ROLE_ARN: 'arn:aws:iam::1:role/r' };
    const textract = await depsFromEnvironment(textractEnv, textractScanReader);
    expect(textract.extractors?.scans).toBeInstanceOf(TextractExtractor);
    expect(textract.extractionJobs).toBe(textract.extractors?.scans);
    // A function that reads no scans does not carry the Textract client: asked to read with it, it refuses.
    await expect(depsFromEnvironment(textractEnv)).rejects.toThrow(/SCAN_READER: textract is set, but this function does not read scans/);
    await expect(depsFromEnvironment({ ...base, SCAN_READER: 'ocr' })).rejects.toThrow(/SCAN_READER/);
    await expect(depsFromEnvironment({ ...textractEnv, TEXTRACT_MAX_CONCURRENT: '0' }, textractScanReader)).rejects.toThrow(/TEXTRACT_MAX_CONCURRENT/);
  });

  it("refuses a configuration that would not fit in a function's 4 KB environment", () => {
    expect(() => checkInlineSize('x'.repeat(MAX_INLINE_CONFIG_BYTES + 1), 'big.json')).toThrow(/big\.json: the configuration is \d+ bytes/);
    expect(() => checkInlineSize('x'.repeat(MAX_INLINE_CONFIG_BYTES), 'ok.json')).not.toThrow();
  });
});

describe('a deployment never trusts the demo PKI', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the deployment fixture trusting these PEM files. */
  async function configTrusting(pems: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'filiera-deploy-config-'));
    dirs.push(dir);
    const config = JSON.parse(readFileSync(DEPLOY_CONFIG, 'utf8')) as Record<string, unknown>;
    for (const [name, pem] of Object.entries(pems)) await writeFile(path.join(dir, name), pem);
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, trustAnchors: Object.keys(pems) }));
    return path.join(dir, 'config.json');
  }

  it('refuses the demo CA whose key was once committed, by its fingerprint, even beside a real CA', async () => {
    const file = await configTrusting({ 'real.pem': readFileSync('test/fixtures/deploy/ca.pem', 'utf8'), 'old-demo.pem': readFileSync('test/fixtures/deploy/published-demo-ca.pem', 'utf8') });
    await expect(inlineConfiguration(file)).rejects.toThrow(
      /config\.json: trust anchor "old-demo\.pem" is the demo CA once committed to the repository .*SHA-256 84:D7:2B:76.*anyone could sign an approved attestation/,
    );
  });

  it('refuses a demo CA made by npm start on any machine, and a demo signer given as an anchor', async () => {
    const demo = await buildDemoPki({ organization: 'Acme Energia S.p.A.', vat: 'IT01234567897', taxCode: 'RSSMRA80A01F205X', givenName: 'Mario', surname: 'Rossi' });
    await expect(inlineConfiguration(await configTrusting({ 'ca.pem': demo.caPem }))).rejects.toThrow(/trust anchor "ca\.pem" is a demo CA made by npm start/);
    await expect(inlineConfiguration(await configTrusting({ 'signer.pem': demo.signerPem }))).rejects.toThrow(/trust anchor "signer\.pem" is a demo CA made by npm start/);
  });

  it('print-config.ts, which makes the SSM value, has no default file and refuses the demo configuration', async () => {
    const printConfig = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'infra/cdk/print-config.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
    expect(await printConfig([])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('there is no default') });
    expect(await printConfig(['config/demo.json'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('the local demo configuration is not deployed') });
    const ok = await printConfig([DEPLOY_CONFIG]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).trustAnchorPems).toEqual([readFileSync('test/fixtures/deploy/ca.pem', 'utf8')]);
  }, 120_000);

  it('refuses the local demo configuration itself', async () => {
    await expect(inlineConfiguration('config/demo.json')).rejects.toThrow(/the local demo configuration is not deployed/);
  });
});

describe('IAM key patterns', () => {
  const tenant = 'acme';
  const intake = '01JABCDEFGHJKMNPQRSTVWXYZ0';

  it.each([
    [uploadKey(tenant, intake, 'list'), intakeKeys.listUpload.pattern],
    [uploadKey(tenant, intake, 'attestation'), intakeKeys.attestationUpload.pattern],
    [stagedListKey(tenant, intake), intakeKeys.stagedList.pattern],
    [receiptKey(tenant, intake), intakeKeys.receipt.pattern],
    [releaseKeysFor('cc-napoli', intake).key, releaseKeys.list.pattern],
    [releaseKeysFor('cc-napoli', intake).receiptKey, releaseKeys.receipt.pattern],
  ])('cover the key %s the code builds', (key, pattern) => {
    expect(matchesPattern(key, pattern)).toBe(true);
  });

  it('keep uploads apart from what processing writes', () => {
    expect(matchesPattern(stagedListKey(tenant, intake), intakeKeys.listUpload.pattern)).toBe(false);
    expect(matchesPattern(receiptKey(tenant, intake), intakeKeys.attestationUpload.pattern)).toBe(false);
    expect(matchesPattern(uploadKey(tenant, intake, 'list'), intakeKeys.stagedList.pattern)).toBe(false);
  });
});
