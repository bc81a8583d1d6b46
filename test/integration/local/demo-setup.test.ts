import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLocalConfig, SHIPPED_DEMO_CONFIG } from '../../../infra/local/demo-setup.js';
import { loadConfig } from '../../../shared/config.js';
import { verifySignature } from '../../../shared/signature/index.js';

const run = promisify(execFile);

/**
 * The demo PKI is made in the data folder at first start instead of shipping private keys: the demo configuration
 * then trusts that CA through the demo's signed trusted list, the demo signer's key signs an attestation the verifier
 * approves as the tenant's qualified signature, and every file of it is private to the user.
 */
const dirs: string[] = [];
let dataDir: string;
let prepared: Awaited<ReturnType<typeof prepareLocalConfig>>;

beforeAll(async () => {
  dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'filiera-demo-setup-')), 'data');
  dirs.push(path.dirname(dataDir));
  prepared = await prepareLocalConfig({ configFile: 'config/demo.json', dataDir });
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the demo PKI of a data folder', () => {
  it('is made at first start, and the demo configuration the stack loads trusts its CA through the demo trusted list', async () => {
    expect(prepared.demoPki).toBeDefined();
    expect(prepared.configFile).toBe(path.join(path.resolve(dataDir), 'demo-pki', 'config.json'));
    const loaded = await loadConfig(prepared.configFile);
    const shipped = await loadConfig(SHIPPED_DEMO_CONFIG);
    expect(loaded.config.tenants).toEqual(shipped.config.tenants);
    // A trusted list turns requireQualified on, as in production.
    expect(loaded.config.policy).toEqual({ ...shipped.config.policy, requireQualified: true });
    expect(loaded.trustAnchorPems).toEqual([]);
    expect(loaded.trustedLists?.[0]?.services[0]?.certificates).toEqual([new Uint8Array(new X509Certificate(prepared.demoPki!.caPem).raw)]);
  });

  it("signs, with the demo signer's key and openssl as npm run demo does, an attestation the verifier approves as the tenant's", async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'filiera-demo-sign-'));
    dirs.push(work);
    const content = Buffer.from('%PDF-1.4\n% demo attestation\n');
    await writeFile(path.join(work, 'a.pdf'), content);
    const pki = prepared.demoPki!;
    await run('openssl', ['cms', '-sign', '-cades', '-binary', '-nodetach', '-outform', 'DER', '-md', 'sha256', '-in', path.join(work, 'a.pdf'), '-signer', pki.signerPath, '-inkey', pki.signerKeyPath, '-out', path.join(work, 'a.p7m')]);
    const cms = new Uint8Array(await readFile(path.join(work, 'a.p7m')));
    const { config, trustAnchorPems, trustedLists } = await loadConfig(prepared.configFile);
    const tenant = config.tenants[0]!;
    const report = await verifySignature(
      { type: 'CAdES', cms, content: new Uint8Array(content), fileLength: cms.length },
      { trustAnchors: trustAnchorPems, trustedLists: trustedLists ?? [], tenantVat: tenant.vat.replace(/^IT/, ''), signatories: tenant.signatories, now: new Date() },
    );
    expect(report.checks.filter((c) => c.outcome === 'fail')).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.checks.find((c) => c.name === 'qualified')?.outcome).toBe('pass');
    expect(report.signer?.subject).toContain('VATIT-01234567897');
  });

  it('is kept: the next start finds the same CA and signer', async () => {
    const again = await prepareLocalConfig({ configFile: path.resolve('config/demo.json'), dataDir });
    expect(again.demoPki?.caPem).toBe(prepared.demoPki!.caPem);
    expect(again.demoPki?.signerKeyPem).toBe(prepared.demoPki!.signerKeyPem);
  });

  it('is private to the user: folders 0700, files 0600', async () => {
    const pki = prepared.demoPki!;
    for (const dir of [dataDir, pki.dir]) expect([dir, (await stat(dir)).mode & 0o777]).toEqual([dir, 0o700]);
    for (const file of [pki.caPath, pki.signerPath, pki.signerKeyPath, pki.tslSignerPath, pki.trustedListPath, prepared.configFile]) expect([file, (await stat(file)).mode & 0o777]).toEqual([file, 0o600]);
  });

  it('is one PKI when two commands start on a fresh folder at once (npm start and filiera token)', async () => {
    const fresh = path.join(path.dirname(dataDir), 'fresh');
    const started = await Promise.all([0, 1, 2].map(() => prepareLocalConfig({ configFile: 'config/demo.json', dataDir: fresh })));
    expect(new Set(started.map((p) => p.demoPki?.caPem)).size).toBe(1);
    const [first, , last] = started.map((p) => p.demoPki!);
    expect(await readFile(first!.caPath, 'utf8')).toBe(first!.caPem);
    expect(await readFile(first!.signerKeyPath, 'utf8')).toBe(last!.signerKeyPem);
    expect((await readdir(fresh)).sort()).toEqual(['demo-pki']);
  });

  it('is made again once it would expire, leaving nothing of the old one behind', async () => {
    const later = new Date(Date.now() + 3650 * 86_400_000);
    const renewed = await prepareLocalConfig({ configFile: 'config/demo.json', dataDir, now: later });
    expect(renewed.demoPki!.caPem).not.toBe(prepared.demoPki!.caPem);
    expect((await loadConfig(renewed.configFile)).trustedLists?.[0]?.services[0]?.certificates).toEqual([new Uint8Array(new X509Certificate(renewed.demoPki!.caPem).raw)]);
    expect((await readdir(dataDir)).filter((name) => name.startsWith('demo-pki'))).toEqual(['demo-pki']);
  });

  it('is not made for another configuration, which is used as given', async () => {
    const other = path.join(path.dirname(dataDir), 'other');
    const chosen = await prepareLocalConfig({ configFile: 'test/fixtures/deploy/config.json', dataDir: other });
    expect(chosen).toEqual({ configFile: 'test/fixtures/deploy/config.json' });
    await expect(stat(path.join(other, 'demo-pki'))).rejects.toThrow(/ENOENT/);
  });
});

describe('the repository', () => {
  it('holds no private key', async () => {
    const found = await run('git', ['grep', '-lE', '^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----$', '--', '.']).then(
      (r) => r.stdout.trim().split('\n'),
      (err: { code?: number }) => (err.code === 1 ? [] : Promise.reject(err)),
    );
    expect(found).toEqual([]);
  });
});
