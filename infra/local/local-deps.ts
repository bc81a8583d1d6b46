import path from 'node:path';
import { DuckDbTraceIndex } from '../../shared/adapters/duckdb/duckdb-trace-index.js';
import { FileTraceKey } from '../../shared/adapters/local/file-trace-key.js';
import { TesseractExtractor } from '../../shared/adapters/ocr/tesseract-extractor.js';
import type { LoadedConfig } from '../../shared/config.js';
import type { Logger, PipelineDeps } from '../../shared/pipeline/deps.js';
import { depsFromEnvironment } from '../../functions/lib/environment-wiring.js';
import { onlineRevocation } from '../../functions/lib/revocation-wiring.js';
import { LOCAL_REGION } from './engines/free-port.js';
import type { RetrySchedule } from '../../shared/events/delivery.js';
import { LocalEventDelivery } from './local-events.js';

export const LOCAL_BUCKETS = { intake: 'filiera-intake', release: 'filiera-release', evidence: 'filiera-evidence' } as const;

/** Where the embedded stack's engines are: all a thread needs to build its own dependencies. */
export interface LocalWiring {
  table: string;
  s3Endpoint: string;
  dynamoEndpoint: string;
  configFile: string;
  /** The data folder: the trace index's key file, and the folder DuckDB reads the index from (docs/api.md). */
  dataDir?: string;
  /** Webhook retries' schedule (docs/events.md); tests shorten it, default 30 s doubling for 24 hours. */
  webhookRetry?: RetrySchedule;
}

/**
 * The embedded stack's dependencies: the same environment wiring as Lambda, pointed at the local engines, with the
 * offline OCR engine reading scans (no Textract without an AWS account). The API's thread and the processing thread
 * each build their own (infra/local/processing-thread.ts).
 */
export async function localDeps(wiring: LocalWiring, config: LoadedConfig, log: Logger): Promise<PipelineDeps & { close(): Promise<void> }> {
  const base = await depsFromEnvironment({
    TABLE_NAME: wiring.table,
    INTAKE_BUCKET: LOCAL_BUCKETS.intake,
    RELEASE_BUCKET: LOCAL_BUCKETS.release,
    EVIDENCE_BUCKET: LOCAL_BUCKETS.evidence,
    FILIERA_CONFIG: wiring.configFile,
    S3_ENDPOINT: wiring.s3Endpoint,
    DYNAMODB_ENDPOINT: wiring.dynamoEndpoint,
    AWS_REGION: LOCAL_REGION,
    SCAN_READER: 'none',
  });
  const trace = wiring.dataDir ? localTrace(wiring.dataDir) : undefined;
  // The key is made at first start (0600 in the data folder), not at the first release.
  await trace?.traceKey.key();
  const ocr = new TesseractExtractor();
  // docs/events.md: events are delivered to the configured webhooks in process, by the AWS function's use case.
  const events = new LocalEventDelivery({
    config: async () => config,
    intakes: base.intakes,
    now: base.now,
    log,
    ...(wiring.webhookRetry ? { schedule: wiring.webhookRetry } : {}),
  });
  return {
    ...base,
    config: async () => config,
    log,
    extractors: { scans: ocr },
    ...(trace ? { traceKey: trace.traceKey, trace: trace.trace } : {}),
    events,
    // docs/configuration.md, revocation.fetch: as in AWS, cached in the local table; a laptop's own test CA may be on loopback.
    revocation: onlineRevocation({ tableName: wiring.table, region: LOCAL_REGION, dynamoEndpoint: wiring.dynamoEndpoint, allowLoopback: true }),
    close: async () => {
      await events.drain();
      events.close();
      await Promise.all([ocr.close(), trace?.trace.close()]);
    },
  };
}

/**
 * The trace index locally: its key in a file of the data folder, read by DuckDB where the local S3 engine keeps the
 * evidence bucket's objects (an object `k` is the file `k._S3rver_object` under the bucket's folder).
 */
export function localTrace(dataDir: string): { traceKey: FileTraceKey; trace: DuckDbTraceIndex } {
  return {
    traceKey: new FileTraceKey(dataDir),
    trace: new DuckDbTraceIndex({ root: path.join(dataDir, 's3', LOCAL_BUCKETS.evidence), fileSuffix: '.parquet._S3rver_object' }),
  };
}
