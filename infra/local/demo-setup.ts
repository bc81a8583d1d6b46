import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../shared/config.js';
import { type DemoPki, ensureDemoPki } from './demo-pki.js';
import { ensurePrivateDir, writePrivateFile } from './private-files.js';

/**
 * The shipped demo configuration (config/demo.json) names its tenants and policy but trusts no CA of its own: it
 * trusts the demo CA made in the data folder at first start (./demo-pki.ts), so that no private key is in the
 * repository. `npm start`, `npm run demo` and `filiera token` call prepareLocalConfig with the configuration and
 * data folder they were given: for the demo configuration it makes the PKI if missing and writes beside it the
 * configuration the stack loads; any other configuration is used as it is.
 *
 * That configuration trusts the demo CA the way production trusts a qualified provider (docs/configuration.md): through
 * the demo's signed trusted list (`trustedLists`, verified against the list signer's certificate at every start), not
 * as a PEM trust anchor, so the local stack takes the same path as a deployment reading AgID's list. With a trusted
 * list, requireQualified defaults to true, as in production: the demo signer's certificate is qualified (QcCompliance,
 * QcSSCD) and the list grants its CA as CA/QC, so the demo's signatures approve as qualified ones.
 */

export const SHIPPED_DEMO_CONFIG = fileURLToPath(new URL('../../config/demo.json', import.meta.url));

/**
 * docs/events.md: the demo subscribes a webhook receiver that `npm run demo` starts on loopback (bin/demo.ts),
 * for every event of the demo tenant, with a secret made at first start beside the demo PKI.
 */
export const DEMO_WEBHOOK = { id: 'demo-receiver', port: 4591, path: '/filiera/events', secretFile: 'demo-webhook.key' } as const;
export const DEFAULT_DATA_DIR = '.filiera-data';

/** The demo signer's name; the tax code and company come from the demo configuration's first tenant. */
const DEMO_SIGNER = { givenName: 'Mario', surname: 'Rossi' } as const;

export interface LocalConfigChoice {
  /** The configuration to load: the one given, or for the demo the one written in the data folder. */
  configFile: string;
  /** The demo PKI, when the configuration is the shipped demo one. */
  demoPki?: DemoPki;
}

export function isShippedDemoConfig(file: string): boolean {
  return path.resolve(file) === SHIPPED_DEMO_CONFIG;
}

export async function prepareLocalConfig(options: { configFile?: string | undefined; dataDir: string; now?: Date }): Promise<LocalConfigChoice> {
  const given = options.configFile ?? process.env.FILIERA_CONFIG ?? SHIPPED_DEMO_CONFIG;
  if (!isShippedDemoConfig(given)) return { configFile: given };

  const raw = JSON.parse(await readFile(SHIPPED_DEMO_CONFIG, 'utf8')) as Record<string, unknown>;
  const config = parseConfig(raw, given);
  const tenant = config.tenants[0]!;
  const taxCode = tenant.signatories[0];
  if (!taxCode) throw new Error(`${given}: the demo tenant "${tenant.id}" needs a signatory for the demo signer`);

  await ensurePrivateDir(options.dataDir);
  const demoPki = await ensureDemoPki(
    options.dataDir,
    { organization: tenant.name, vat: tenant.vat, taxCode, ...DEMO_SIGNER },
    options.now,
  );
  await ensurePrivateDir(demoPki.dir);
  const configFile = path.join(demoPki.dir, 'config.json');
  // Anchors and lists the demo file itself names stay, made absolute: the written file lives elsewhere.
  const anchors = config.trustAnchors.map((anchor) => path.resolve(path.dirname(SHIPPED_DEMO_CONFIG), anchor));
  const secretFile = path.join(demoPki.dir, DEMO_WEBHOOK.secretFile);
  const secret = await readFile(secretFile, 'utf8').catch(() => null);
  if (!secret?.trim()) await writePrivateFile(secretFile, `${randomBytes(32).toString('hex')}\n`);
  const webhooks = [
    ...((raw.webhooks as unknown[] | undefined) ?? []),
    {
      id: DEMO_WEBHOOK.id,
      tenant: tenant.id,
      url: `http://127.0.0.1:${DEMO_WEBHOOK.port}${DEMO_WEBHOOK.path}`,
      events: ['intake.released', 'intake.rejected', 'intake.in_review', 'intake.evidence_requested', 'intake.decided', 'release.downloaded'],
      secretFile: DEMO_WEBHOOK.secretFile,
    },
  ];
  const trustedLists = [
    ...config.trustedLists.map((entry) => ({
      file: path.resolve(path.dirname(SHIPPED_DEMO_CONFIG), entry.file),
      ...(entry.signers ? { signers: entry.signers.map((signer) => path.resolve(path.dirname(SHIPPED_DEMO_CONFIG), signer)) } : {}),
    })),
    { file: path.basename(demoPki.trustedListPath), signers: [path.basename(demoPki.tslSignerPath)] },
  ];
  await writePrivateFile(configFile, `${JSON.stringify({ ...raw, trustAnchors: anchors, trustedLists, webhooks }, null, 2)}\n`);
  return { configFile, demoPki };
}
