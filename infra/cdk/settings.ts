import path from 'node:path';
import * as z from 'zod';
import { ConfigError, loadConfig } from '../../shared/config.js';
import { isShippedDemoConfig } from '../local/demo-setup.js';
import { refuseDemoTrust } from './demo-trust.js';

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
 * The configuration as the functions read it from FILIERA_CONFIG_JSON (functions/lib/environment-wiring.ts): the
 * validated file with its trust anchors inlined as PEM text. Refused when it is the demo configuration or trusts
 * the demo PKI (./demo-trust.ts).
 */
export async function inlineConfiguration(file: string): Promise<string> {
  if (isShippedDemoConfig(file)) throw new DeploymentConfigError(`${file}: the local demo configuration is not deployed; write your own`);
  const { config, trustAnchorPems } = await loadConfig(file, { webhookSecrets: false }).catch((err: Error) => {
    throw err instanceof ConfigError ? new DeploymentConfigError(err.message) : err;
  });
  try {
    refuseDemoTrust(trustAnchorPems, config.trustAnchors, path.basename(file));
  } catch (err) {
    throw new DeploymentConfigError((err as Error).message);
  }
  // The functions read the configuration from their environment, where a trusted list (hundreds of KB) or a CRL does
  // not fit: refused here rather than deployed without them (a policy requiring qualified signatures would then
  // reject every attestation, and configured CRLs would silently not count).
  if (config.trustedLists.length > 0 || config.revocation.crls.length > 0) {
    throw new DeploymentConfigError(
      `${path.basename(file)}: trustedLists and revocation.crls cannot be deployed to AWS yet (they do not fit the functions' environment); they work with npm start and filiera verify`,
    );
  }
  const { trustAnchors: _files, ...rest } = config;
  return JSON.stringify({ ...rest, trustAnchorPems });
}

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
