import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { TrustedListError, readTrustedLists, trustedListFromJson, trustedListToJson, type TrustedList, type TrustedListJson } from './signature/trusted-list.js';
import { WebhookSchema } from './events/subscriptions.js';

/**
 * The deployment's configuration (docs/configuration.md): who the committenti are, which call centers they
 * may send lists to, which certificate authorities are trusted, and the verdict policy.
 */

const vatPattern = /^(IT)?\d{11}$/;

export const PolicySchema = z.object({
  /** DPR 26/2022: an RPO check is valid for 15 days. */
  rpoMaxAgeDays: z.number().int().positive().default(15),
  attestationMaxAgeDays: z.number().int().positive().default(30),
  maxExcludedRatio: z.number().min(0).max(1).default(0.05),
  minFieldConfidence: z.number().min(0).max(1).default(0.9),
  /**
   * docs/consent-sampling.md (Codice di condotta telemarketing 2024 art. 6.1.a): consents checked on a sample of this
   * many released rows when the legal basis is consent; 0 turns sampling off. 59 clean rows bound the defect rate
   * below 5% at 95% confidence.
   */
  consentSampleSize: z.number().int().min(0).max(10_000).default(59),
  /** Hours the committente has to upload the sample's evidence before the intake is rejected. */
  consentEvidenceHours: z.number().positive().max(24 * 365).default(72),
  allowedLegalBases: z.array(z.string().min(1)).default(['consent']),
  /** 1 GiB */
  maxListBytes: z.number().int().positive().default(1_073_741_824),
  /** GDPR art. 7(1): a row whose consent has no date cannot be proved; with this on it is excluded (consent_date_missing). */
  requireConsentDate: z.boolean().default(false),
  /** docs/verdict-rules.md: an unknown revocation status of a signing certificate sends the intake to a person. */
  requireRevocationStatus: z.boolean().default(false),
  /**
   * docs/verdict-rules.md: the tenant's signature must be a qualified electronic signature. Default false, true once trustedLists
   * are configured (parseConfig); refused without trusted lists, where it could never hold.
   */
  requireQualified: z.boolean().default(false),
});
export type Policy = z.infer<typeof PolicySchema>;

export const TenantSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'tenant id: lower-case letters, digits and dashes'),
  name: z.string().min(1),
  vat: z.string().regex(vatPattern, 'vat: 11 digits, optional IT prefix'),
  signatories: z.array(z.string().regex(/^[A-Z0-9]{16}$/i, 'signatory: a 16-character codice fiscale')).default([]),
  callCenters: z.array(z.string().min(1)).default([]),
  /** Per-tenant overrides of the policy defaults. */
  policy: PolicySchema.partial().optional(),
});
export type Tenant = z.infer<typeof TenantSchema>;

export const CallCenterSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'call center id: lower-case letters, digits and dashes'),
  name: z.string().min(1),
});
export type CallCenter = z.infer<typeof CallCenterSchema>;

export const ConfigSchema = z
  .object({
    tenants: z.array(TenantSchema).min(1),
    callCenters: z.array(CallCenterSchema).default([]),
    /** PEM files, relative to the configuration file. */
    trustAnchors: z.array(z.string().min(1)).default([]),
    /**
     * docs/configuration.md: CRL files (DER or PEM, relative to the configuration file) read at start-up; revocation data embedded
     * in signatures is always used. `fetch`: processing also asks the certificates' OCSP responders and CRL distribution
     * points, within a few seconds, and caches the answers (`filiera verify` never fetches: the auditor works offline).
     */
    /** docs/configuration.md: ETSI TS 119 612 trusted lists, each with the certificates (PEM files) its signature must verify against. */
    /**
     * Each list with the certificates its signature must verify with; a national list may leave `signers` out when a
     * configured list of lists (the EU LOTL) points to it: it is then verified against the LOTL's pointer.
     */
    trustedLists: z
      .array(z.object({ file: z.string().min(1), signers: z.array(z.string().min(1)).min(1, 'trustedLists: signers, when given, names at least one certificate').optional() }))
      .default([]),
    revocation: z
      .object({
        crls: z.array(z.string().min(1)).default([]),
        fetch: z.boolean().default(false),
      })
      .default({ crls: [], fetch: false }),
    policy: PolicySchema.default(PolicySchema.parse({})),
    /** docs/events.md: signed webhooks per tenant or call center (shared/events/subscriptions.ts). */
    webhooks: z.array(WebhookSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const callCenterIds = new Set(config.callCenters.map((c) => c.id));
    const tenantIds = new Set<string>();
    config.tenants.forEach((tenant, i) => {
      if (tenantIds.has(tenant.id)) {
        ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: `duplicate tenant id "${tenant.id}"` });
      }
      tenantIds.add(tenant.id);
      tenant.callCenters.forEach((cc, j) => {
        if (!callCenterIds.has(cc)) {
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', i, 'callCenters', j],
            message: `unknown call center "${cc}" (not in callCenters)`,
          });
        }
      });
    });
    const tenantIdsAll = new Set(config.tenants.map((t) => t.id));
    const webhookIds = new Set<string>();
    config.webhooks.forEach((hook, i) => {
      if (webhookIds.has(hook.id)) ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'id'], message: `duplicate webhook id "${hook.id}"` });
      webhookIds.add(hook.id);
      if (hook.tenant !== undefined && !tenantIdsAll.has(hook.tenant)) {
        ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'tenant'], message: `unknown tenant "${hook.tenant}"` });
      }
      if (hook.callCenter !== undefined && !callCenterIds.has(hook.callCenter)) {
        ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'callCenter'], message: `unknown call center "${hook.callCenter}" (not in callCenters)` });
      }
    });
  });
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Normalises a Partita IVA as written in configuration or on a form: digits only, without the IT prefix. */
export function bareVat(vat: string): string {
  return vat.replace(/\s+/g, '').replace(/^IT/i, '');
}

/** The policy in force for one tenant: the global policy with the tenant's overrides on top. */
export function policyFor(config: Config, tenantId: string): Policy {
  const tenant = config.tenants.find((t) => t.id === tenantId);
  return { ...config.policy, ...(tenant?.policy ?? {}) };
}

export function parseConfig(json: unknown, source = 'configuration'): Config {
  const result = ConfigSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`${source}: ${issues}`);
  }
  const config = result.data;
  const raw = json as { policy?: { requireQualified?: unknown }; tenants?: { policy?: Record<string, unknown> }[] };
  // A tenant's policy overrides only the keys it writes (docs/verdict-rules.md: each default overridable per tenant): the schema
  // fills a partial object's defaults, which would otherwise replace the global policy's values for the keys it omits.
  config.tenants.forEach((tenant, i) => {
    const written = raw.tenants?.[i]?.policy;
    if (!tenant.policy || !written) return;
    for (const key of Object.keys(tenant.policy) as (keyof Policy)[]) {
      if (!(key in written)) delete tenant.policy[key];
    }
  });
  // docs/verdict-rules.md: requireQualified defaults to true once trusted lists are configured, and is meaningless without them.
  if (config.trustedLists.length > 0 && raw.policy?.requireQualified === undefined) config.policy.requireQualified = true;
  if (config.trustedLists.length === 0) {
    const asking = [
      ...(config.policy.requireQualified ? ['policy'] : []),
      ...config.tenants.filter((t) => t.policy?.requireQualified).map((t) => `tenants.${t.id}.policy`),
    ];
    if (asking.length > 0) {
      throw new ConfigError(`${source}: ${asking.join(', ')}: requireQualified needs trustedLists (qualified status comes from a trusted list)`);
    }
  }
  return config;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file it came from. */
  file: string;
  /** Trust anchors as PEM text, in the order configured. */
  trustAnchorPems: string[];
  /** The configured CRLs as DER (revocation.crls); absent where a runtime's configuration carries none. */
  crlDers?: Uint8Array[];
  /** The configured trusted lists, each verified against its signers (trustedLists). */
  trustedLists?: TrustedList[];
  /** Each webhook's secret by webhook id: its secretFile's text, trimmed (docs/events.md). */
  webhookSecrets?: Record<string, string>;
}

export const DEFAULT_CONFIG_FILE = 'config/demo.json';

/** Reads, validates and resolves a configuration file (trust anchors are read relative to it). */
export async function loadConfig(
  file = process.env.FILIERA_CONFIG ?? DEFAULT_CONFIG_FILE,
  options: { webhookSecrets?: boolean } = {},
): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const config = parseConfig(json, file);
  const trustAnchorPems = await Promise.all(
    config.trustAnchors.map(async (anchor) => {
      const anchorPath = path.resolve(path.dirname(absolute), anchor);
      try {
        return await readFile(anchorPath, 'utf8');
      } catch {
        throw new ConfigError(`${file}: trust anchor "${anchor}" cannot be read at ${anchorPath}`);
      }
    }),
  );
  const { crlDers, trustedLists } = await loadTrustFiles(config, path.dirname(absolute), file);
  const webhookSecrets = Object.fromEntries(
    await Promise.all(
      // The CDK app reads the file at synth without the secrets: in AWS they live in Secrets Manager (docs/events.md).
      (options.webhookSecrets === false ? [] : config.webhooks).map(async (hook) => {
        const secretPath = path.resolve(path.dirname(absolute), hook.secretFile);
        let secret: string;
        try {
          secret = (await readFile(secretPath, 'utf8')).trim();
        } catch {
          throw new ConfigError(`${file}: webhook "${hook.id}": secret file "${hook.secretFile}" cannot be read at ${secretPath}`);
        }
        if (secret.length < 16) throw new ConfigError(`${file}: webhook "${hook.id}": the secret in "${hook.secretFile}" is shorter than 16 characters`);
        return [hook.id, secret] as const;
      }),
    ),
  );
  return { config, file: absolute, trustAnchorPems, crlDers, trustedLists, webhookSecrets };
}

/**
 * The configuration's CRL files (revocation.crls) and trusted lists (trustedLists), read relative to `baseDir`, each
 * list verified against its signers before use; errors start with `source`. loadConfig reads them beside the
 * configuration file; in AWS the functions that verify signatures read them from their trust layer
 * (docs/deploying.md), with the same code.
 */
/**
 * The trust layer's record of its lists as synthesis verified them (docs/deploying.md): each list's file, the SHA-256
 * of its bytes and what was read from it. Checking a national list's XML signature canonicalises megabytes (seconds
 * at every cold start); a function reads the record instead while every file still has the bytes it records.
 */
export const VERIFIED_LISTS_FILE = 'verified-lists.json';

interface VerifiedLists {
  format: 1;
  lists: { file: string; sha256: string; list: TrustedListJson }[];
}

/** Writes VERIFIED_LISTS_FILE into `baseDir` for lists that loadTrustFiles has just verified from it. */
export async function writeVerifiedLists(config: Config, baseDir: string, lists: TrustedList[]): Promise<void> {
  const record: VerifiedLists = {
    format: 1,
    lists: await Promise.all(
      config.trustedLists.map(async (entry, i) => ({
        file: entry.file,
        sha256: createHash('sha256').update(await readFile(path.resolve(baseDir, entry.file))).digest('hex'),
        list: trustedListToJson(lists[i]!),
      })),
    ),
  };
  await writeFile(path.join(baseDir, VERIFIED_LISTS_FILE), JSON.stringify(record));
}

/** The recorded lists, when the record is there and names exactly these files with exactly these bytes; else null. */
async function recordedLists(config: Config, baseDir: string): Promise<TrustedList[] | null> {
  let record: VerifiedLists;
  try {
    record = JSON.parse(await readFile(path.join(baseDir, VERIFIED_LISTS_FILE), 'utf8')) as VerifiedLists;
  } catch {
    return null;
  }
  if (record.format !== 1 || !Array.isArray(record.lists) || record.lists.length !== config.trustedLists.length) return null;
  const lists: TrustedList[] = [];
  for (const [i, entry] of config.trustedLists.entries()) {
    const recorded = record.lists[i]!;
    if (recorded.file !== entry.file) return null;
    const bytes = await readFile(path.resolve(baseDir, entry.file)).catch(() => null);
    if (bytes === null || createHash('sha256').update(bytes).digest('hex') !== recorded.sha256) return null;
    lists.push(trustedListFromJson(recorded.list));
  }
  return lists;
}

export async function loadTrustFiles(
  config: Config,
  baseDir: string,
  source: string,
  /** recorded: take the lists from the folder's VERIFIED_LISTS_FILE while its files are unchanged (the trust layer). */
  options: { recorded?: boolean } = {},
): Promise<{ crlDers: Uint8Array[]; trustedLists: TrustedList[] }> {
  const crlDers = await Promise.all(
    config.revocation.crls.map(async (crl) => {
      const crlPath = path.resolve(baseDir, crl);
      let bytes: Buffer;
      try {
        bytes = await readFile(crlPath);
      } catch {
        throw new ConfigError(`${source}: CRL "${crl}" cannot be read at ${crlPath}`);
      }
      const der = crlFromFile(bytes);
      if (!der) throw new ConfigError(`${source}: CRL "${crl}" is neither a DER nor a PEM certificate revocation list`);
      return der;
    }),
  );
  const recorded = options.recorded ? await recordedLists(config, baseDir) : null;
  if (recorded !== null) return { crlDers, trustedLists: recorded };
  const read = async (name: string) => {
    const at = path.resolve(baseDir, name);
    try {
      return await readFile(at, 'utf8');
    } catch {
      throw new ConfigError(`${source}: trusted list file "${name}" cannot be read at ${at}`);
    }
  };
  const trustedListSources = await Promise.all(
    config.trustedLists.map(async (entry) => ({
      xml: await read(entry.file),
      signerPems: entry.signers === undefined ? null : await Promise.all(entry.signers.map(read)),
      source: entry.file,
    })),
  );
  let trustedLists: TrustedList[];
  try {
    trustedLists = readTrustedLists(trustedListSources);
  } catch (err) {
    if (err instanceof TrustedListError) throw new ConfigError(`${source}: ${err.message}`);
    throw err;
  }
  return { crlDers, trustedLists };
}

/** A CRL file as DER: DER as is (a SEQUENCE), PEM ("-----BEGIN X509 CRL-----") decoded; null otherwise. */
export function crlFromFile(bytes: Uint8Array): Uint8Array | null {
  if (bytes[0] === 0x30) return new Uint8Array(bytes);
  const pem = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(Buffer.from(bytes).toString('latin1'));
  if (!pem) return null;
  const der = Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64');
  return der[0] === 0x30 ? new Uint8Array(der) : null;
}
