import http from 'node:http';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import { ensureTable } from '../../shared/adapters/dynamodb/table-design.js';
import { loadConfig, type LoadedConfig } from '../../shared/config.js';
import type { Logger, PipelineDeps } from '../../shared/pipeline/deps.js';
import { sweep } from '../../shared/pipeline/sweep.js';
import { givenDeps } from '../../functions/lib/deps-source.js';
import { createHandler as createUploadHandler } from '../../functions/on-upload.js';
import { startDynamoEngine, type DynamoEngine } from './engines/dynamodb.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './engines/free-port.js';
import { startS3Engine, type S3Engine } from './engines/s3.js';
import { createApiServer } from './api-server.js';
import { createConsoleSite, type ConsoleSite } from './console-site.js';
import { demoUsers, openLocalIdentity, type LocalIdentity } from './local-identity.js';
import { localApiHandlers } from './handlers.js';
import { LocalQueue } from './local-queue.js';
import { ensurePrivateDir } from './private-files.js';
import { LOCAL_BUCKETS, localDeps } from './local-deps.js';
import { ProcessingThread } from './processing-thread.js';
import type { RetrySchedule } from '../../shared/events/delivery.js';

export { LOCAL_BUCKETS };
export const LOCAL_TABLE = 'filiera';
export const DEFAULT_PORT = 4510;

export interface EmbeddedStackOptions {
  configFile?: string;
  dataDir: string;
  /** API port; 0 = a free port. Default 4510. */
  port?: number;
  /** Sweep interval; 0 disables the timer (tests call sweep themselves). */
  sweepIntervalMs?: number;
  log?: Logger;
  /** Wraps the dependencies (tests inject faults); processing then runs in the API's thread, with them. */
  decorate?: (deps: PipelineDeps) => PipelineDeps;
  /** Where uploads are processed: a worker thread (default) or the API's own thread. */
  processing?: 'worker' | 'inline';
  /**
   * A DynamoDB engine already running, and the table to keep this stack's data in: the stack neither starts nor
   * stops it (the test suites share one engine per worker; each stack has its own table). Default: DynamoDB Local
   * started on the data folder, table `filiera`.
   */
  dynamo?: { endpoint: string; table: string };
  /** Webhook retries' schedule (docs/events.md); tests shorten it. Default: 30 s doubling, for 24 hours. */
  webhookRetry?: RetrySchedule;
}

export interface EmbeddedStack {
  baseUrl: string;
  s3Endpoint: string;
  dynamoEndpoint: string;
  config: LoadedConfig;
  identity: LocalIdentity;
  deps: PipelineDeps;
  /** The web console served at `/`. */
  console: ConsoleSite;
  /** Waits until every S3 event received so far has been handled (or dead-lettered). */
  settle(): Promise<void>;
  sweep(): ReturnType<typeof sweep>;
  /** Stops serving and stops the engines. `abandon` skips waiting for in-flight work, as a crash would. */
  stop(options?: { abandon?: boolean }): Promise<void>;
}

/**
 * The whole pipeline on one machine with no AWS account: an S3-compatible engine and DynamoDB Local on loopback,
 * started in-process, data kept under `dataDir`, and the same handlers that run in Lambda behind an HTTP server that
 * plays API Gateway (JWT authorizer included). S3 notifications go through an in-process queue that retries like SQS.
 *
 * 1. Start the engines on the data folder; create buckets and the table if missing.
 * 2. Wire the handlers to them.
 * 3. Sweep once: finish whatever a previous run left half done (restart safety), then serve.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<EmbeddedStack> {
  const log = options.log ?? consoleLogger;
  const config = await loadConfig(options.configFile);
  // Contact lists and keys live here: private to the user (0700), whoever starts the stack.
  await ensurePrivateDir(options.dataDir);
  const dataDir = path.resolve(options.dataDir);

  let s3: S3Engine | undefined;
  let dynamo: DynamoEngine | undefined;
  let server: http.Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closeDeps: (() => Promise<void>) | undefined;
  let processing: ProcessingThread | undefined;
  try {
    const given = options.dynamo;
    [s3, dynamo] = await Promise.all([
      startS3Engine({ dataDir, buckets: Object.values(LOCAL_BUCKETS), region: LOCAL_REGION }),
      given ? { endpoint: given.endpoint, stop: async () => {} } : startDynamoEngine({ dataDir }),
    ]);
    const table = given?.table ?? LOCAL_TABLE;
    const ddb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await ensureTable(ddb, table);
    ddb.destroy();

    const wiring = { table, s3Endpoint: s3.endpoint, dynamoEndpoint: dynamo.endpoint, configFile: config.file, dataDir, ...(options.webhookRetry ? { webhookRetry: options.webhookRetry } : {}) };
    const local = await localDeps(wiring, config, log);
    closeDeps = local.close;
    const deps = options.decorate ? options.decorate(local) : local;
    const source = givenDeps(deps);

    // Uploads are processed in a worker thread with its own dependencies, off the API's event loop; a stack whose
    // dependencies a test decorates (faults injected) processes them in this thread, with those dependencies.
    const inThread = options.decorate !== undefined || options.processing === 'inline';
    processing = inThread ? undefined : new ProcessingThread(new URL('./processing-worker.ts', import.meta.url), wiring, log);
    const queue = new LocalQueue(dataDir, processing ? processing.handler : createUploadHandler(source), log);
    s3.onObjectCreated((event: S3Event) => queue.send(JSON.stringify(event)));

    // Anything left PROCESSING belongs to a process that no longer exists: resume it at once.
    const startup = await sweep({ ...deps, processingLeaseMs: 0 });
    if (startup.resumed.length || startup.released.length || startup.expired.length) {
      log.info('recovered work left by the previous run', { ...startup });
    }

    const identity = await openLocalIdentity(dataDir);
    const site = createConsoleSite({
      log,
      connectSources: [s3.endpoint],
      demoUsers: () =>
        Promise.all(
          demoUsers(config.config).map(async (u) => ({
            label: u.label,
            role: u.claims.role,
            ...(u.name ? { name: u.name } : {}),
            token: await identity.issue(u.claims),
          })),
        ),
    });
    server = createApiServer({ identity, log, handlers: localApiHandlers(source), fallback: site.serve });
    const port = await listen(server, options.port ?? DEFAULT_PORT);
    const baseUrl = `http://127.0.0.1:${port}`;

    const interval = options.sweepIntervalMs ?? 60_000;
    if (interval > 0) {
      timer = setInterval(() => {
        sweep(deps).catch((err: unknown) => log.error('sweep failed', { error: String(err) }));
      }, interval);
      timer.unref();
    }

    let stopped = false;
    const stopAll = async (stopOptions: { abandon?: boolean } = {}) => {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      // A crash (abandon) drops what the queue still holds; a clean stop lets it finish first. Either way nothing
      // is delivered once the engines go (the next start's sweep resumes anything left).
      if (!stopOptions.abandon) await queue.drain();
      queue.close();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server!.closeAllConnections?.();
      await processing?.close();
      await Promise.allSettled([s3!.stop(), dynamo!.stop(), closeDeps?.()]);
    };
    return {
      baseUrl,
      s3Endpoint: s3.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      config,
      identity,
      deps,
      console: site,
      settle: () => queue.drain(),
      sweep: () => sweep(deps),
      stop: stopAll,
    };
  } catch (err) {
    if (timer) clearInterval(timer);
    server?.close();
    await processing?.close();
    await Promise.allSettled([s3?.stop(), dynamo?.stop(), closeDeps?.()]);
    throw err;
  }
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: pass --port N (another npm start running?)`) : err),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export const consoleLogger: Logger = {
  info: (message, data) => console.log(`[filiera] ${message}${data ? ` ${JSON.stringify(data)}` : ''}`),
  warn: (message, data) => console.warn(`[filiera] warning: ${message}${data ? ` ${JSON.stringify(data)}` : ''}`),
  error: (message, data) => console.error(`[filiera] error: ${message}${data ? ` ${JSON.stringify(data)}` : ''}`),
};
