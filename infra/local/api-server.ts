import http from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { matchRoute } from '../../shared/api/routes.js';
import type { Logger } from '../../shared/pipeline/deps.js';
import { DomainError } from '../../shared/errors.js';
import { errorResponse, type ApiResult } from '../../functions/lib/http.js';
import type { ApiHandlers } from './handlers.js';
import type { LocalIdentity } from './local-identity.js';
import { boundPort, isLoopbackHost } from './loopback-host.js';


const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The local API Gateway: turns HTTP requests into HTTP API (payload 2.0) events for the same handlers that run in
 * Lambda, after checking the bearer token as the JWT authorizer does (signature, issuer, audience, expiry). A request
 * without a valid token never reaches a handler: 401.
 */
export function createApiServer(options: {
  identity: LocalIdentity;
  /** The stack's handlers, built with its dependencies (infra/local/handlers.ts). */
  handlers: ApiHandlers;
  log: Logger;
  /** Serves requests outside the API (the web console); 404 when absent or when it returns false. */
  fallback?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
}): http.Server {
  const load = options.handlers;

  const server = http.createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      options.log.error('local API server', { error: String(err) });
      if (!res.headersSent) send(res, 500, { error: 'internal_error', message: 'something went wrong on our side' });
      else res.end();
    });
  });
  // Keep idle connections longer than clients do (undici: 4 s), or a client may reuse a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (refuseForeignHost(req, res, server)) return;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/openapi.json') {
      const result = await (await load('openapi'))(toEvent(req, url, undefined, {}, '') as never, {} as Context);
      return write(res, result);
    }
    let matched: ReturnType<typeof matchRoute>;
    try {
      matched = matchRoute(method, url.pathname);
    } catch (err) {
      // A malformed path is answered as API Gateway would, before any token check: 400, never a 500.
      if (err instanceof DomainError) return write(res, errorResponse(err));
      throw err;
    }
    if (!matched) {
      if (options.fallback && (await options.fallback(req, res))) return;
      return send(res, 404, { error: 'not_found', message: `no route ${method} ${url.pathname}` });
    }
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return send(res, 401, { error: 'unauthorized', message: 'a bearer token is required' });
    let claims: Record<string, unknown>;
    try {
      claims = await options.identity.verify(token);
    } catch {
      return send(res, 401, { error: 'unauthorized', message: 'the bearer token is invalid or expired' });
    }
    const body = await readBody(req);
    if (body === null) return send(res, 413, { error: 'payload_too_large', message: 'request bodies are limited to 1 MiB' });
    const event = toEvent(req, url, flattenClaims(claims), matched.params, body, `${matched.route.method} ${matched.route.path}`);
    const result = await (await load(matched.route.handler))(event, {} as Context);
    write(res, result);
  }
}

/** API Gateway hands claims to Lambda as strings; arrays become "[a b]". */
function flattenClaims(claims: Record<string, unknown>): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [key, value] of Object.entries(claims)) {
    out[key] = Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : (value as string);
  }
  return out;
}

function toEvent(
  req: http.IncomingMessage,
  url: URL,
  claims: Record<string, string | number | boolean | string[]> | undefined,
  pathParameters: Record<string, string>,
  body: string,
  routeKey = '$default',
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query = Object.fromEntries(url.searchParams.entries());
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: crypto.randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
    ...(body ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function write(res: http.ServerResponse, result: ApiResult): void {
  const headers = { ...(result.headers ?? {}) } as Record<string, string>;
  const body = result.body ? (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body)) : Buffer.alloc(0);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

/**
 * DNS rebinding: a web page whose name comes to resolve to 127.0.0.1 is, to the browser, the same origin as this
 * server, and could read the demo tokens and the API. Its requests carry its own name in `Host`: every request must
 * name the address the server is bound to (127.0.0.1:PORT or localhost:PORT), or gets 421 and nothing else.
 */
function refuseForeignHost(req: http.IncomingMessage, res: http.ServerResponse, server: http.Server): boolean {
  if (isLoopbackHost(req.headers.host, boundPort(server))) return false;
  send(res, 421, { error: 'misdirected_request', message: 'Host must be the address this server listens on (127.0.0.1:PORT or localhost:PORT)' });
  return true;
}

function send(res: http.ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(json));
}
