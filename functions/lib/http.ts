import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { ZodError } from 'zod';
import { AuthorizationError, principalFromClaims, type Principal } from '../../shared/auth/principal.js';
import { IllegalTransitionError } from '../../shared/intake/intake.js';
import type { PipelineDeps } from '../../shared/pipeline/deps.js';
import { NotAllowedError } from '../../shared/pipeline/open-intake.js';
import { ReleaseExpiredError } from '../../shared/pipeline/queries.js';
import { pipelineDeps } from './runtime.js';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = Exclude<APIGatewayProxyResultV2, string>;

export type RouteResult =
  | { status: number; json: unknown }
  | { status: number; binary: Uint8Array; contentType: string; fileName?: string };

interface RouteSpec<P, Q, B> {
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
}

interface RouteInput<P, Q, B> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  deps: PipelineDeps;
}

class BadRequest extends Error {
  override name = 'BadRequest';
}

/**
 * One API route as a Lambda handler: authenticates from the JWT authorizer's claims, parses path, query and body
 * with zod, runs the use case and shapes the response. Errors become JSON with a status that hides internals: a
 * caller outside the intake's scope gets 404, never a hint that it exists.
 */
export function route<P = undefined, Q = undefined, B = undefined>(
  spec: RouteSpec<P, Q, B>,
  handle: (input: RouteInput<P, Q, B>) => Promise<RouteResult>,
) {
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use({
      onError: (request) => {
        request.response = errorResponse(request.error);
      },
    })
    .handler(async (event) => {
      const principal = authenticate(event);
      const params = parse(spec.params, event.pathParameters ?? {}, 'path');
      const query = parse(spec.query, event.queryStringParameters ?? {}, 'query');
      const body = parse(spec.body, spec.body ? readJsonBody(event) : undefined, 'body');
      const result = await handle({ principal, params, query, body, deps: await pipelineDeps() });
      return toResponse(result);
    });
}

function authenticate(event: ApiEvent): Principal {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims) throw new AuthorizationError(401, 'a bearer token is required');
  return principalFromClaims(claims);
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new BadRequest(`${where}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
  }
  return result.data;
}

function readJsonBody(event: ApiEvent): unknown {
  if (!event.body) throw new BadRequest('body: a JSON body is required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body: not valid JSON');
  }
}

function toResponse(result: RouteResult): ApiResult {
  if ('json' in result) {
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify(result.json),
    };
  }
  const headers: Record<string, string> = { 'content-type': result.contentType, 'cache-control': 'no-store' };
  if (result.fileName) headers['content-disposition'] = `attachment; filename="${result.fileName}"`;
  return { statusCode: result.status, headers, body: Buffer.from(result.binary).toString('base64'), isBase64Encoded: true };
}

export function errorResponse(error: unknown): ApiResult {
  const json = (status: number, code: string, message: string): ApiResult => ({
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: code, message }),
  });
  if (error instanceof AuthorizationError) {
    return json(error.status, error.status === 401 ? 'unauthorized' : 'forbidden', error.message);
  }
  if (error instanceof NotAllowedError) {
    const code = { 400: 'bad_request', 403: 'forbidden', 404: 'not_found', 409: 'conflict' }[error.status];
    return json(error.status, code, error.message);
  }
  if (error instanceof BadRequest || error instanceof ZodError) return json(400, 'bad_request', (error as Error).message);
  if (error instanceof ReleaseExpiredError) return json(410, 'release_expired', error.message);
  if (error instanceof IllegalTransitionError) return json(409, 'conflict', 'the intake is not in a state that allows this');
  console.error(JSON.stringify({ level: 'error', message: 'unhandled', error: String((error as Error)?.stack ?? error) }));
  return json(500, 'internal_error', 'something went wrong on our side; the request was not applied');
}
