import type { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './free-port.js';
import { boundPort, isLoopbackHost } from '../loopback-host.js';
import { ensurePrivateDir } from '../private-files.js';
import { checkSignedRequest } from './presigned.js';

/**
 * The local S3: a thin wrapper around s3rver 3.7.1 (the S3-compatible server that works on this machine with the
 * current SDK), kept behind this interface so it can be replaced. What the wrapper adds to s3rver:
 *
 * - loopback only, objects under `{dataDir}/s3` so a restart loses nothing, buckets created at start, no logging;
 * - object-created notifications shaped as real S3 event records (aws-lambda's S3Event), with the key URL-encoded as
 *   S3 does (s3rver sends it raw), the configured region and a proper bucket ARN, delivered asynchronously as S3 does;
 * - `If-None-Match: *` on PutObject and CompleteMultipartUpload (s3rver ignores it): 412 when the key exists, the check
 *   and the write serialised per key.
 *
 * - every request signed and checked as S3 checks it (./presigned.ts): presigned links bound to their key, method and
 *   signed headers, header-signed requests verified, `x-amz-*` headers only when signed, anonymous requests refused
 *   (s3rver itself serves anonymous requests and checks only the key id and expiry of a signature);
 * - `Host` must name the address the engine is bound to (127.0.0.1:PORT or localhost:PORT): no DNS rebinding;
 * - its folder private to the user (0700; `npm start` sets a umask so that s3rver's files are 0600).
 *
 * Still not emulated: the body against `x-amz-content-sha256`, `content-length-range`, Tagging on PutObject,
 * versioning.
 */

export interface S3EngineOptions {
  dataDir: string;
  /** 0 (default) = a free port. */
  port?: number;
  buckets: string[];
  region?: string;
  /** Where errors thrown by event listeners go (default: stderr). */
  onListenerError?: (err: unknown) => void;
}

export interface S3Engine {
  /** http://127.0.0.1:PORT; use with forcePathStyle. */
  endpoint: string;
  onObjectCreated(listener: (event: S3Event) => void | Promise<void>): void;
  stop(): Promise<void>;
}

interface S3rverRecord {
  eventName: string;
  eventTime: string;
  requestParameters: { sourceIPAddress: string };
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}

interface S3rverInstance extends EventEmitter {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
  middleware: KoaMiddleware[];
  store: {
    existsObject(bucket: string, key: string): Promise<boolean>;
    getMetadata(bucket: string, key: string): Promise<Record<string, string> | undefined>;
  };
}

interface KoaContext {
  method: string;
  path: string;
  /** The request target as received (raw path and query). */
  originalUrl: string;
  query: Record<string, unknown>;
  req: IncomingMessage;
  status: number;
  type: string;
  body: unknown;
  get(header: string): string;
  set(header: string, value: string): void;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

/** AWS URL-encodes keys in event notifications: form-style (space as '+'), '/' kept. */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

let sequence = 0;
/** Hex, increasing within the process, as S3's sequencer is for events on one key. */
function nextSequencer(): string {
  sequence = (sequence + 1) & 0xffff;
  return ((BigInt(Date.now()) << 16n) | BigInt(sequence)).toString(16).toUpperCase().padStart(16, '0');
}

const EVENT_NAMES: Record<string, string> = {
  'ObjectCreated:Put': 'ObjectCreated:Put',
  'ObjectCreated:Copy': 'ObjectCreated:Copy',
  // s3rver names a completed multipart upload (and a browser form POST, which Filiera never presigns) "Post".
  'ObjectCreated:Post': 'ObjectCreated:CompleteMultipartUpload',
};

export function toS3EventRecord(raw: S3rverRecord, region: string, eTag: string | undefined): S3EventRecord {
  const bucket = raw.s3.bucket.name;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: raw.eventTime,
    eventName: EVENT_NAMES[raw.eventName] ?? raw.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: raw.requestParameters.sourceIPAddress ?? '127.0.0.1' },
    responseElements: { 'x-amz-request-id': randomHex(16), 'x-amz-id-2': randomHex(32) },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'filiera-local',
      bucket: { name: bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeEventKey(raw.s3.object.key),
        size: raw.s3.object.size ?? 0,
        eTag: eTag ?? '',
        sequencer: nextSequencer(),
      },
    },
  };
}

function randomHex(length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(Math.random() * 16).toString(16).toUpperCase();
  return out;
}

/** Splits a path-style request path into bucket and (decoded) key. */
function bucketAndKey(requestPath: string): { bucket: string; key: string } | null {
  const match = /^\/([^/]+)\/(.+)$/.exec(requestPath);
  if (!match) return null;
  try {
    return { bucket: decodeURIComponent(match[1]!), key: decodeURIComponent(match[2]!) };
  } catch {
    return null;
  }
}

export async function startS3Engine(options: S3EngineOptions): Promise<S3Engine> {
  const S3rver = require('s3rver') as S3rverConstructor;
  const directory = path.resolve(options.dataDir, 's3');
  await ensurePrivateDir(directory);
  const region = options.region ?? LOCAL_REGION;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });

  // If-None-Match: * on writes, serialised per key so that two racing writers cannot both pass the check.
  const locks = new Map<string, Promise<void>>();
  server.middleware.unshift(async (ctx, next) => {
    const isPut = ctx.method === 'PUT' && !ctx.get('x-amz-copy-source') && !('partNumber' in ctx.query);
    const isComplete = ctx.method === 'POST' && 'uploadId' in ctx.query;
    const target = ctx.get('if-none-match') === '*' && (isPut || isComplete) ? bucketAndKey(ctx.path) : null;
    if (!target) return next();
    const lockKey = `${target.bucket}/${target.key}`;
    const previous = locks.get(lockKey) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    locks.set(lockKey, chained);
    await previous;
    try {
      if (await server.store.existsObject(target.bucket, target.key)) {
        await drainRequest(ctx.req);
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
          '<Condition>If-None-Match</Condition></Error>';
        return;
      }
      await next();
    } finally {
      release();
      if (locks.get(lockKey) === chained) locks.delete(lockKey);
    }
  });

  // Every request: the right Host, then a signature covering exactly this request (key, method, signed headers, and
  // every x-amz-* header sent) and current. Added last so that it runs first, before anything can reveal whether a
  // key exists.
  let port = 0;
  server.middleware.unshift(async (ctx, next) => {
    // The console (another loopback port) PUTs uploads and GETs releases through presigned links, as a browser does
    // with a bucket whose CORS rule allows the console's origin: the preflight carries no signature and is answered
    // here; the request itself is still checked below, and its answer (a refusal too) readable by the page.
    const origin = consoleOrigin(ctx.get('origin') || undefined);
    if (origin && ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      await drainRequest(ctx.req);
      if (!CORS_METHODS.includes(ctx.get('access-control-request-method'))) {
        ctx.status = 403;
        ctx.type = 'application/xml';
        ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed.</Message></Error>';
        return;
      }
      ctx.set('access-control-allow-origin', origin);
      ctx.set('access-control-allow-methods', CORS_METHODS.join(', '));
      const requested = ctx.get('access-control-request-headers');
      if (requested) ctx.set('access-control-allow-headers', requested);
      ctx.set('access-control-max-age', '600');
      ctx.set('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    if (origin) {
      ctx.set('access-control-allow-origin', origin);
      ctx.set('access-control-expose-headers', 'ETag');
      ctx.set('vary', 'Origin');
    }
    const refusal: { status: number; code: string; message: string } | null = !isLoopbackHost(ctx.req.headers.host, port)
      ? { status: 403, code: 'AccessDenied', message: 'Host must be the address the engine listens on.' }
      : checkSignedRequest({
          method: ctx.method,
          url: ctx.originalUrl,
          header: (name) => ctx.get(name) || undefined,
          headerNames: Object.keys(ctx.req.headers),
          secretFor: (id) => (id === LOCAL_CREDENTIALS.accessKeyId ? LOCAL_CREDENTIALS.secretAccessKey : undefined),
        });
    if (!refusal) return next();
    await drainRequest(ctx.req);
    ctx.status = refusal.status;
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message></Error>`;
  });

  const listeners: ((event: S3Event) => void | Promise<void>)[] = [];
  const reportError = options.onListenerError ?? ((err: unknown) => console.error('[s3 engine] event listener failed:', err));
  const pending = new Set<Promise<void>>();
  server.on('event', (raw: { Records: S3rverRecord[] }) => {
    const record = raw.Records[0];
    if (!record || !record.eventName.startsWith('ObjectCreated:')) return;
    // Delivered after the response, as S3 notifications are asynchronous.
    const delivery = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      let eTag = record.s3.object.eTag;
      if (!eTag) {
        const metadata = await server.store.getMetadata(record.s3.bucket.name, record.s3.object.key).catch(() => undefined);
        eTag = metadata?.etag?.replace(/"/g, '');
      }
      const event: S3Event = { Records: [toS3EventRecord(record, region, eTag)] };
      for (const listener of listeners) {
        try {
          await listener(structuredClone(event));
        } catch (err) {
          reportError(err);
        }
      }
    })().catch(reportError);
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
  });

  const address = await server.run();
  port = server.httpServer ? boundPort(server.httpServer) : address.port;
  // As the API server does: keep idle connections longer than clients do (undici: 4 s), or a client may send its
  // next request on a socket the engine is closing and get ECONNRESET (seen on a loaded machine).
  if (server.httpServer) {
    server.httpServer.keepAliveTimeout = 65_000;
    server.httpServer.headersTimeout = 66_000;
  }
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    onObjectCreated(listener) {
      listeners.push(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const closing = server.close();
      server.httpServer?.closeAllConnections();
      await closing;
      await Promise.allSettled([...pending]);
    },
  };
}

/** What the console does through presigned links: upload (PUT) and download (GET, HEAD). */
const CORS_METHODS = ['GET', 'HEAD', 'PUT'];

/**
 * The origins allowed to call the engine from a page, as a bucket CORS rule would list the console's: a loopback
 * origin over http (the embedded API server, which serves the console, listens on loopback only). The origin as
 * sent, or null.
 */
export function consoleOrigin(origin: string | undefined): string | null {
  if (!origin) return null;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost') && url.origin === origin ? origin : null;
  } catch {
    return null;
  }
}

/**
 * Reads and discards a refused request's body before the answer goes out. Answering first makes Node close the
 * connection with the body still arriving, and the client then sees ECONNRESET instead of S3's 403. A body past
 * REFUSED_BODY_DRAIN_BYTES is not worth reading: the connection is closed on it as S3 would.
 */
const REFUSED_BODY_DRAIN_BYTES = 64 * 1024 * 1024;

function drainRequest(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      req.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > REFUSED_BODY_DRAIN_BYTES) {
        req.pause();
        done();
      }
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}
