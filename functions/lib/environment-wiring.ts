import * as z from 'zod';
import { createDynamoDocumentClient, DynamoIntakeRepository } from '../../shared/adapters/dynamodb/dynamodb-intake-repository.js';
import { createS3Client, S3ObjectStore } from '../../shared/adapters/s3/s3-object-store.js';
import { createTextractClient, TextractExtractor } from '../../shared/adapters/textract/textract-extractor.js';
import { loadConfig, parseConfig, type LoadedConfig } from '../../shared/config.js';
import type { Logger, PipelineDeps } from '../../shared/pipeline/deps.js';

/**
 * Builds the handlers' dependencies from a function's environment. In AWS the CDK stack sets these; the SDK finds
 * credentials and region itself. An endpoint variable points the same code at S3- and DynamoDB-compatible engines.
 */
const Environment = z.object({
  TABLE_NAME: z.string().min(1),
  INTAKE_BUCKET: z.string().min(1),
  RELEASE_BUCKET: z.string().min(1),
  /** The configuration as JSON (set by the CDK app from deploy-time context), with trust anchors inline as PEM. */
  FILIERA_CONFIG_JSON: z.string().optional(),
  /** Or a configuration file path (trust anchors relative to it). */
  FILIERA_CONFIG: z.string().optional(),
  S3_ENDPOINT: z.string().url().optional(),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().optional(),
  /**
   * Who reads scans: Amazon Textract, or nobody (scans then go to a person unread; the embedded stack wires OCR).
   * Textract only when asked for: the CDK app sets it on the functions it grants Textract, and a function without that
   * grant must not start jobs it cannot finish.
   */
  SCAN_READER: z.enum(['textract', 'none']).default('none'),
  /** Textract's completion channel for multi-page scans: the SNS topic and the role Textract publishes with. */
  TEXTRACT_SNS_TOPIC_ARN: z.string().optional(),
  TEXTRACT_ROLE_ARN: z.string().optional(),
  /** Textract calls in flight per container (the function's reserved concurrency caps containers). */
  TEXTRACT_MAX_CONCURRENT: z.coerce.number().int().min(1).max(50).default(2),
});

export async function depsFromEnvironment(env: Record<string, string | undefined>): Promise<PipelineDeps> {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    throw new Error(`function environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const region = e.AWS_REGION ?? 'eu-south-1';
  const s3 = createS3Client({ region, ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}) });
  const doc = createDynamoDocumentClient({ region, ...(e.DYNAMODB_ENDPOINT ? { endpoint: e.DYNAMODB_ENDPOINT } : {}) });
  let config: Promise<LoadedConfig> | undefined;
  const textract =
    e.SCAN_READER === 'textract'
      ? new TextractExtractor({
          client: createTextractClient({ region }),
          maxConcurrent: e.TEXTRACT_MAX_CONCURRENT,
          ...(e.TEXTRACT_SNS_TOPIC_ARN && e.TEXTRACT_ROLE_ARN
            ? { notification: { snsTopicArn: e.TEXTRACT_SNS_TOPIC_ARN, roleArn: e.TEXTRACT_ROLE_ARN } }
            : {}),
        })
      : undefined;
  return {
    intakes: new DynamoIntakeRepository(doc, e.TABLE_NAME),
    objects: new S3ObjectStore(s3),
    buckets: { intake: e.INTAKE_BUCKET, release: e.RELEASE_BUCKET },
    config: () => (config ??= readConfiguration(e)),
    now: () => new Date(),
    log: jsonLogger,
    ...(textract ? { extractors: { scans: textract }, extractionJobs: textract } : {}),
  };
}

/** Inline JSON carries its trust anchors as PEM text in `trustAnchorPems`. */
const InlineConfig = z.object({ trustAnchorPems: z.array(z.string()).default([]) }).passthrough();

async function readConfiguration(e: z.infer<typeof Environment>): Promise<LoadedConfig> {
  if (e.FILIERA_CONFIG_JSON) {
    const json = JSON.parse(e.FILIERA_CONFIG_JSON) as unknown;
    const { trustAnchorPems, ...rest } = InlineConfig.parse(json);
    return { config: parseConfig({ ...rest, trustAnchors: [] }, 'FILIERA_CONFIG_JSON'), file: 'FILIERA_CONFIG_JSON', trustAnchorPems };
  }
  return loadConfig(e.FILIERA_CONFIG);
}

/** One JSON line per log record: what CloudWatch Logs Insights queries. */
export const jsonLogger: Logger = {
  info: (message, data) => console.log(JSON.stringify({ level: 'INFO', message, ...data })),
  warn: (message, data) => console.warn(JSON.stringify({ level: 'WARN', message, ...data })),
  error: (message, data) => console.error(JSON.stringify({ level: 'ERROR', message, ...data })),
};
