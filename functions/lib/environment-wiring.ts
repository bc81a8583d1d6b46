import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { createDynamoDocumentClient, DynamoIntakeRepository } from '../../shared/adapters/dynamodb/dynamodb-intake-repository.js';
import { AthenaTraceIndex } from '../../shared/adapters/athena/athena-trace-index.js';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/eventbridge-publisher.js';
import { createS3Client, S3ObjectStore } from '../../shared/adapters/s3/s3-object-store.js';
import { SecretTraceKey } from '../../shared/adapters/secrets-manager/secret-trace-key.js';
import { loadConfig, loadTrustFiles, parseConfig, type LoadedConfig } from '../../shared/config.js';
import type { PipelineDeps } from '../../shared/pipeline/deps.js';

/**
 * Builds the handlers' dependencies from a function's environment. In AWS the CDK stack sets these; the SDK finds
 * credentials and region itself. An endpoint variable points the same code at S3- and DynamoDB-compatible engines.
 */
const Environment = z.object({
  TABLE_NAME: z.string().min(1),
  INTAKE_BUCKET: z.string().min(1),
  RELEASE_BUCKET: z.string().min(1),
  /** The Object Lock evidence bucket (docs/limits-and-retention.md): the release step writes attestation and receipt there. */
  EVIDENCE_BUCKET: z.string().min(1),
  /** Days an intake and its trail are kept (their TTL): the evidence bucket's retention, set by the CDK app. */
  EVIDENCE_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  /** The configuration as JSON (set by the CDK app from deploy-time context), with trust anchors inline as PEM. */
  FILIERA_CONFIG_JSON: z.string().optional(),
  /** Or a configuration file path (trust anchors relative to it). */
  FILIERA_CONFIG: z.string().optional(),
  /**
   * docs/deploying.md: the trust layer's folder (/opt/filiera-trust), on the functions that verify signatures; the inline
   * configuration's trusted lists and CRL files are named relative to it.
   */
  FILIERA_TRUST_DIR: z.string().min(1).optional(),
  S3_ENDPOINT: z.string().url().optional(),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().optional(),
  /**
   * Who reads scans: Amazon Textract, or nobody (scans then go to a person unread; the embedded stack wires OCR).
   * Textract only when asked for: the CDK app sets it on the functions it grants Textract, and a function without that
   * grant must not start jobs it cannot finish. Textract's own settings are read by functions/lib/textract-wiring.ts.
   */
  SCAN_READER: z.enum(['textract', 'none']).default('none'),
  /** The Secrets Manager secret holding the trace index's key (docs/api.md): on the functions that release or trace. */
  TRACE_KEY_SECRET: z.string().min(1).optional(),
  /** The Athena workgroup, Glue database and table the trace function reads the index through. */
  TRACE_WORKGROUP: z.string().min(1).optional(),
  TRACE_DATABASE: z.string().min(1).optional(),
  TRACE_TABLE: z.string().min(1).optional(),
  /** docs/events.md: the event bus the functions that move intakes publish to, and the deployment's name in `source`. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  DEPLOYMENT_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/).default('aws'),
});

/** Builds a scan reader from the function's environment: functions/lib/textract-wiring.ts, in the functions that read scans. */
export type ScanReaderWiring = (env: Record<string, string | undefined>, region: string) => Pick<PipelineDeps, 'extractors' | 'extractionJobs'>;

/**
 * `scanReader` is passed only by the functions that read attestations, so that the others never bundle its client;
 * they are also the functions that verify signatures, which need the configuration's trust files.
 * SCAN_READER=textract on a function that did not pass one is a deployment error, refused here rather than ignored.
 */
export async function depsFromEnvironment(env: Record<string, string | undefined>, scanReader?: ScanReaderWiring): Promise<PipelineDeps> {
  const e = parseEnvironment(Environment, env);
  if (e.SCAN_READER === 'textract' && !scanReader) {
    throw new Error('function environment: SCAN_READER: textract is set, but this function does not read scans');
  }
  const region = e.AWS_REGION ?? 'eu-south-1';
  const scans = e.SCAN_READER === 'textract' && scanReader ? scanReader(env, region) : {};
  const s3 = createS3Client({ region, ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}) });
  const doc = createDynamoDocumentClient({ region, ...(e.DYNAMODB_ENDPOINT ? { endpoint: e.DYNAMODB_ENDPOINT } : {}) });
  let config: Promise<LoadedConfig> | undefined;
  return {
    intakes: new DynamoIntakeRepository(doc, e.TABLE_NAME, e.EVIDENCE_RETENTION_DAYS ? { evidenceRetentionDays: e.EVIDENCE_RETENTION_DAYS } : {}),
    objects: new S3ObjectStore(s3),
    buckets: { intake: e.INTAKE_BUCKET, release: e.RELEASE_BUCKET, evidence: e.EVIDENCE_BUCKET },
    config: () => (config ??= readConfiguration(e, scanReader !== undefined)),
    now: () => new Date(),
    log: {
      info: (message, data) => lambdaLogger.info(message, data ?? {}),
      warn: (message, data) => lambdaLogger.warn(message, data ?? {}),
      error: (message, data) => lambdaLogger.error(message, data ?? {}),
    },
    ...scans,
    ...traceFromEnvironment(e, region),
    ...(e.EVENT_BUS_NAME ? { events: new EventBridgePublisher(new EventBridgeClient({ region }), e.EVENT_BUS_NAME, e.DEPLOYMENT_NAME) } : {}),
  };
}

/** The trace key where a secret is named; the Athena engine where a workgroup, database and table are all named. */
function traceFromEnvironment(e: z.infer<typeof Environment>, region: string): Pick<PipelineDeps, 'traceKey' | 'trace'> {
  const wired: Pick<PipelineDeps, 'traceKey' | 'trace'> = {};
  if (e.TRACE_KEY_SECRET) wired.traceKey = new SecretTraceKey(new SecretsManagerClient({ region }), e.TRACE_KEY_SECRET);
  if (e.TRACE_WORKGROUP && e.TRACE_DATABASE && e.TRACE_TABLE) {
    wired.trace = new AthenaTraceIndex(new AthenaClient({ region }), { workGroup: e.TRACE_WORKGROUP, database: e.TRACE_DATABASE, table: e.TRACE_TABLE });
  }
  return wired;
}

/** A function's environment checked against its schema; the error names each variable at fault. */
export function parseEnvironment<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`function environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Inline JSON carries its trust anchors as PEM text in `trustAnchorPems`. */
const InlineConfig = z.object({ trustAnchorPems: z.array(z.string()).default([]) }).passthrough();

/**
 * The configuration of FILIERA_CONFIG_JSON, with its trusted lists and CRL files read from `trustDir` (the trust layer)
 * and each list verified against its signers, with loadConfig's own code (shared/config.ts loadTrustFiles). A function
 * that verifies signatures (`verifiesSignatures`) refuses to start without the folder when the configuration names
 * files: it would otherwise judge without them. The others never verify a signature and do not read them.
 */
export async function readInlineConfiguration(json: string, trustDir: string | undefined, verifiesSignatures: boolean): Promise<LoadedConfig> {
  const { trustAnchorPems, ...rest } = InlineConfig.parse(JSON.parse(json) as unknown);
  const config = parseConfig({ ...rest, trustAnchors: [] }, 'FILIERA_CONFIG_JSON');
  const loaded: LoadedConfig = { config, file: 'FILIERA_CONFIG_JSON', trustAnchorPems };
  if (config.trustedLists.length === 0 && config.revocation.crls.length === 0) return loaded;
  if (trustDir) return { ...loaded, ...(await loadTrustFiles(config, trustDir, 'FILIERA_CONFIG_JSON', { recorded: true })) };
  if (verifiesSignatures) {
    throw new Error(
      'FILIERA_CONFIG_JSON names trustedLists or revocation.crls, but this function has no trust layer (FILIERA_TRUST_DIR): ' +
        'deploy the configuration with -c filieraConfig=FILE, which packs those files into the layer',
    );
  }
  return loaded;
}

async function readConfiguration(e: z.infer<typeof Environment>, verifiesSignatures: boolean): Promise<LoadedConfig> {
  if (e.FILIERA_CONFIG_JSON) return readInlineConfiguration(e.FILIERA_CONFIG_JSON, e.FILIERA_TRUST_DIR, verifiesSignatures);
  return loadConfig(e.FILIERA_CONFIG);
}

/**
 * Powertools Logger: one JSON line per record with the service, cold start and the Lambda request id (injected by
 * the handlers' middleware, functions/lib/deps-source.ts), which is what CloudWatch Logs Insights queries.
 */
export const lambdaLogger = new PowertoolsLogger({ serviceName: 'filiera' });
