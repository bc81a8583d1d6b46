import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { ConfigError, type LoadedConfig, loadConfig, loadTrustFiles, parseConfig, writeVerifiedLists } from '../../shared/config.js';
import { isShippedDemoConfig } from '../local/demo-setup.js';
import { demoTrustReason, refuseDemoTrust } from './demo-trust.js';

/**
 * The deployment's parameters, read from CDK context (`cdk synth -c key=value`, or `context` in cdk.json). Values
 * given on the command line arrive as strings, hence the coercions.
 */
/** A deployment's parameters or configuration are wrong: the CDK app prints the message alone (infra/cdk/app.ts). */
export class DeploymentConfigError extends Error {
  override name = 'DeploymentConfigError';
}

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** DPR 26/2022: a release stays downloadable until its RPO check is 16 days old; retention must outlive it. */
const MIN_RETENTION_DAYS = 16;

export const SettingsSchema = z.object({
  /** The AWS region of both stacks. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region: an AWS region code such as eu-central-1')
    .default('eu-central-1'),
  /** Pins the stacks to one account; without it they deploy to the account of the credentials in use. */
  account: z
    .string()
    .regex(/^\d{12}$/, 'account: 12 digits')
    .optional(),
  /** Days before raw uploads (and the copies released from them) are deleted: GDPR art. 5(1)(e). */
  rawRetentionDays: z.coerce
    .number()
    .int()
    .min(MIN_RETENTION_DAYS, `rawRetentionDays: at least ${MIN_RETENTION_DAYS}, or a release would vanish while still downloadable`)
    .max(3650)
    .default(30),
  /** Object Lock on the evidence bucket: GOVERNANCE (privileged users may lift it) or COMPLIANCE (nobody can). */
  evidenceLockMode: z.enum(['GOVERNANCE', 'COMPLIANCE']).default('GOVERNANCE'),
  /** Default Object Lock retention; the telemarketing code of conduct keeps comparison files 5 years (art. 15). */
  evidenceRetentionDays: z.coerce.number().int().positive().max(36_500).default(1825),
  /**
   * The configuration file (docs/configuration.md), read at synth time. No default: the demo configuration is for the
   * local stack, and its CA's keys are not secret.
   */
  filieraConfig: z
    .string()
    .min(1)
    .refine((file) => !isShippedDemoConfig(file), 'filieraConfig: config/demo.json is the local demo, not a deployment; write your own configuration')
    .optional(),
  /** Or an SSM String parameter holding the configuration in the inline format, resolved at deploy time. */
  filieraConfigParameter: z
    .string()
    .regex(/^\/[A-Za-z0-9_.\-/]+$/, 'filieraConfigParameter: an SSM parameter name such as /filiera/config')
    .optional(),
  /** Where alarms are e-mailed (optional; the alarm topic exists either way). */
  alarmEmail: z.string().email().optional(),
  /** The Cognito hosted UI's domain prefix (https://PREFIX.auth.REGION.amazoncognito.com); default filiera-ACCOUNT. */
  hostedUiPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'hostedUiPrefix: lowercase letters, digits and hyphens, at most 63')
    .refine((p) => !/aws|amazon|cognito/.test(p), 'hostedUiPrefix: Cognito refuses prefixes containing aws, amazon or cognito')
    .optional(),
  /** Tests only: give every function a placeholder instead of running esbuild (and the console its build). */
  skipBundling: flag.default(false),
});

export type Settings = Omit<z.infer<typeof SettingsSchema>, 'filieraConfig'> & {
  /** The configuration file; empty when the configuration comes from filieraConfigParameter instead. */
  filieraConfig: string;
};

/** Where each setting is read from in CDK context. */
export const contextKeys: Record<keyof z.infer<typeof SettingsSchema>, string> = {
  region: 'region',
  account: 'account',
  rawRetentionDays: 'rawRetentionDays',
  evidenceLockMode: 'evidenceLockMode',
  evidenceRetentionDays: 'evidenceRetentionDays',
  filieraConfig: 'filieraConfig',
  filieraConfigParameter: 'filieraConfigParameter',
  alarmEmail: 'alarmEmail',
  hostedUiPrefix: 'hostedUiPrefix',
  skipBundling: 'filiera:skipBundling',
};

export function parseSettings(read: (key: string) => unknown): Settings {
  const raw = Object.fromEntries(Object.entries(contextKeys).map(([name, key]) => [name, read(key)]).filter(([, v]) => v !== undefined));
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DeploymentConfigError(`CDK context: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  if (!parsed.data.filieraConfig && !parsed.data.filieraConfigParameter) {
    throw new DeploymentConfigError(
      'CDK context: no configuration. Pass -c filieraConfig=FILE (Filiera specification §6: your tenants, call centers and ' +
        'trust anchors) or -c filieraConfigParameter=/ssm/name; there is no default, and the demo configuration and ' +
        'its CA are refused',
    );
  }
  return { ...parsed.data, filieraConfig: parsed.data.filieraConfig ?? '' };
}

/**
 * Where the functions that verify signatures find the configuration's trusted lists, their signers' certificates and
 * its CRL files (docs/deploying.md): a Lambda layer, unpacked under /opt, whose files sit in this folder.
 */
export const TRUST_LAYER_FOLDER = 'filiera-trust';
export const TRUST_FILES_MOUNT = `/opt/${TRUST_LAYER_FOLDER}`;

/** The configuration as deployed: the functions' FILIERA_CONFIG_JSON, and the trust layer's folder when it names files. */
export interface DeploymentConfiguration {
  /** The validated file with its trust anchors inlined as PEM text, and its trust files named by their path in the layer. */
  json: string;
  /** The folder the synth step wrote, to pack as the trust layer (files under TRUST_LAYER_FOLDER); absent without trust files. */
  trustLayerDir?: string;
}

/**
 * The configuration for a deployment, read at synth: validated (each trusted list's signature verified against its
 * signers, as loadConfig does), refused when it is the demo configuration or trusts the demo PKI (./demo-trust.ts:
 * as a trust anchor, as a service of a trusted list, or as a list's signer). Trusted lists, their signers and CRL
 * files are copied into `outDir`, which the stateless stack packs as a Lambda layer: the inline configuration names
 * them by their path in the layer, and the functions read and verify them at cold start (functions/lib/environment-wiring.ts).
 */
export async function deploymentConfiguration(file: string, outDir: string): Promise<DeploymentConfiguration> {
  const { config, trustAnchorPems } = await readDeployable(file);
  const { trustAnchors: _files, ...rest } = config;
  if (config.trustedLists.length === 0 && config.revocation.crls.length === 0) return { json: JSON.stringify({ ...rest, trustAnchorPems }) };

  const source = path.basename(file);
  const from = path.dirname(path.resolve(file));
  const layerDir = path.join(path.resolve(outDir), 'filiera-trust-layer');
  const filesDir = path.join(layerDir, TRUST_LAYER_FOLDER);
  await rm(layerDir, { recursive: true, force: true });
  await mkdir(path.join(filesDir, 'lists'), { recursive: true });
  await mkdir(path.join(filesDir, 'crls'), { recursive: true });
  // Numbered names: two lists may share a file name in different folders; the number keeps them apart and in order.
  const copy = async (name: string, target: string): Promise<string> => {
    await copyFile(path.resolve(from, name), path.join(filesDir, target));
    return target;
  };
  const trustedLists = await Promise.all(
    config.trustedLists.map(async (entry, i) => ({
      file: await copy(entry.file, `lists/${i + 1}-${safeName(entry.file)}`),
      ...(entry.signers ? { signers: await Promise.all(entry.signers.map((signer, j) => copy(signer, `lists/${i + 1}-signer-${j + 1}-${safeName(signer)}`))) } : {}),
    })),
  );
  const crls = await Promise.all(config.revocation.crls.map((crl, k) => copy(crl, `crls/${k + 1}-${safeName(crl)}`)));
  const deployed = { ...rest, trustedLists, revocation: { ...config.revocation, crls } };
  // The layer as packed, read back with the functions' own code: what synthesizes is what loads at cold start.
  try {
    const packed = parseConfig({ ...deployed, trustAnchors: [] }, source);
    const { trustedLists: verified } = await loadTrustFiles(packed, filesDir, source);
    // What was verified here travels with the files, so cold starts need not verify the lists again.
    await writeVerifiedLists(packed, filesDir, verified);
  } catch (err) {
    throw err instanceof ConfigError ? new DeploymentConfigError(err.message) : err;
  }
  return { json: JSON.stringify({ ...deployed, trustAnchorPems }), trustLayerDir: layerDir };
}

/**
 * The configuration as the functions read it from FILIERA_CONFIG_JSON, for an SSM parameter (./print-config.ts): the
 * validated file with its trust anchors inlined as PEM text. Files cannot travel in a parameter: a configuration
 * naming trusted lists or CRL files is refused here (deploy it with -c filieraConfig, which builds the trust layer).
 */
export async function inlineConfiguration(file: string): Promise<string> {
  const { config, trustAnchorPems } = await readDeployable(file);
  // Refused rather than deployed without them: a policy requiring qualified signatures would then reject every
  // attestation, and configured CRLs would silently not count.
  if (config.trustedLists.length > 0 || config.revocation.crls.length > 0) {
    throw new DeploymentConfigError(
      `${path.basename(file)}: trustedLists and revocation.crls travel in the functions' trust layer, which only -c filieraConfig=FILE builds; ` +
        'an SSM parameter cannot carry their files (docs/deploying.md)',
    );
  }
  const { trustAnchors: _files, ...rest } = config;
  return JSON.stringify({ ...rest, trustAnchorPems });
}

/** The file read and validated as loadConfig does (trusted lists verified), then checked for demo trust. */
async function readDeployable(file: string): Promise<LoadedConfig> {
  if (isShippedDemoConfig(file)) throw new DeploymentConfigError(`${file}: the local demo configuration is not deployed; write your own`);
  const loaded = await loadConfig(file, { webhookSecrets: false }).catch((err: Error) => {
    throw err instanceof ConfigError ? new DeploymentConfigError(err.message) : err;
  });
  const source = path.basename(file);
  try {
    refuseDemoTrust(loaded.trustAnchorPems, loaded.config.trustAnchors, source);
  } catch (err) {
    throw new DeploymentConfigError((err as Error).message);
  }
  await refuseDemoTrustedLists(loaded, source);
  return loaded;
}

/**
 * A trusted list is trust too: refused when one of its services (a CA/QC service anchors signatures) or its signer
 * is a demo certificate, whose private key is not secret.
 */
async function refuseDemoTrustedLists(loaded: LoadedConfig, source: string): Promise<void> {
  const from = path.dirname(loaded.file);
  for (const [i, entry] of loaded.config.trustedLists.entries()) {
    const signers = await Promise.all((entry.signers ?? []).map(async (name) => ({ name, pem: await readFile(path.resolve(from, name), 'utf8') })));
    for (const signer of signers) {
      const reason = demoTrustReason(signer.pem);
      if (reason) throw new DeploymentConfigError(`${source}: trusted list "${entry.file}" is signed by "${signer.name}", ${reason}, whose private key is not secret`);
    }
    for (const service of loaded.trustedLists?.[i]?.services ?? []) {
      for (const der of service.certificates) {
        const reason = demoTrustReason(pemOf(der));
        if (reason) {
          throw new DeploymentConfigError(
            `${source}: trusted list "${entry.file}" lists the service "${service.name}" with ${reason}, whose private key is not secret: ` +
              'anyone could sign an approved attestation. A deployment trusts only real CAs (the AgID trusted list or your own).',
          );
        }
      }
    }
  }
}

/** A certificate of a list as PEM text; empty when it does not parse (the verifier ignores it then). */
function pemOf(der: Uint8Array): string {
  try {
    return new X509Certificate(der).toString();
  } catch {
    return '';
  }
}

/** A file name kept to letters, digits, dot, dash and underscore. */
const safeName = (name: string): string => path.basename(name).replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Lambda caps a function's environment at 4 KB (names and values together); the configuration shares it with the
 * other variables, so it must leave room for them.
 */
export const MAX_INLINE_CONFIG_BYTES = 3 * 1024;

export function checkInlineSize(json: string, source: string): void {
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_INLINE_CONFIG_BYTES) {
    throw new DeploymentConfigError(
      `${source}: the configuration is ${bytes} bytes once inlined, over the ${MAX_INLINE_CONFIG_BYTES} bytes that fit in a ` +
        "Lambda function's 4 KB environment beside the other variables; trim it (fewer trust anchors or tenants per deployment)",
    );
  }
}
