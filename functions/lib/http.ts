import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { ZodError } from 'zod';
import { AuthorizationError, principalFromClaims, type Principal } from '../../shared/auth/principal.js';
import { DomainError, type DomainErrorCode } from '../../shared/errors.js';
import { IllegalTransitionError } from '../../shared/intake/intake.js';
import type { Logger, PipelineDeps } from '../../shared/pipeline/deps.js';
import {
  ConcurrentModificationError,
  IntakeAlreadyExistsError,
  IntakeNotFoundError,
  InvalidCursorError,
} from '../../shared/ports/intake-repository.js';
import { lambdaMiddlewares, type DepsSource } from './deps-source.js';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = Exclude<APIGatewayProxyResultV2, string>;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

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

/** A route's handler factory: the handler file builds it with Lambda's dependencies, the embedded stack and tests with theirs. */
export type RouteFactory = (deps: DepsSource) => ApiHandler;

/**
 * One API route as a Lambda handler factory: authenticates from the JWT authorizer's claims, parses path, query and
 * body with zod, runs the use case and shapes the response. Errors become JSON with a status from one table
 * (`errorResponse`) that hides internals: a caller outside the intake's scope gets 404, never a hint that it exists.
 */
export function route<P = undefined, Q = undefined, B = undefined>(
  spec: RouteSpec<P, Q, B>,
  handle: (input: RouteInput<P, Q, B>) => Promise<RouteResult>,
): RouteFactory {
  return (depsSource) => {
    let log: Logger | undefined;
    return middy<ApiEvent, ApiResult, Error, Context>()
      .use(lambdaMiddlewares(depsSource))
      .use({
        onError: (request) => {
          request.response = errorResponse(request.error, log);
        },
      })
      .handler(async (event) => {
        const principal = authenticate(event);
        const params = parse(spec.params, event.pathParameters ?? {}, 'path');
        const query = parse(spec.query, event.queryStringParameters ?? {}, 'query');
        const body = parse(spec.body, spec.body ? readJsonBody(event, spec.body) : undefined, 'body');
        const deps = await depsSource();
        log = deps.log;
        return toResponse(await handle({ principal, params, query, body, deps }));
      });
  };
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
    throw new DomainError('invalid_request', `${where}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
  }
  return result.data;
}

function readJsonBody(event: ApiEvent, schema: z.ZodType): unknown {
  if (!event.body) {
    if (schema.safeParse(undefined).success) return undefined; // an optional body, left out
    throw new DomainError('invalid_request', 'body: a JSON body is required');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('invalid_request', 'body: not valid JSON');
  }
}

function toResponse(result: RouteResult): ApiResult {
  if ('json' in result) return jsonResult(result.status, result.json);
  const headers: Record<string, string> = { 'content-type': result.contentType, 'cache-control': 'no-store' };
  if (result.fileName) headers['content-disposition'] = `attachment; filename="${result.fileName}"`;
  return { statusCode: result.status, headers, body: Buffer.from(result.binary).toString('base64'), isBase64Encoded: true };
}

function jsonResult(status: number, json: unknown): ApiResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(json),
  };
}

/** Each error code's HTTP status: the one place where the use cases' vocabulary meets HTTP. */
export const statusOfCode: Record<DomainErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  release_expired: 410,
};

/**
 * An error as a code and a message a caller may read, or null for a fault (a bug, an engine down): faults are
 * logged and answered 500 without their details.
 */
export function classifyError(error: unknown): { code: DomainErrorCode; message: string } | null {
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  if (error instanceof AuthorizationError) return { code: error.status === 401 ? 'unauthorized' : 'forbidden', message: error.message };
  if (error instanceof ZodError) return { code: 'invalid_request', message: error.issues[0]?.message ?? 'invalid request' };
  if (error instanceof InvalidCursorError) return { code: 'invalid_request', message: `cursor: ${error.message}` };
  // Another writer moved the intake first (two reviewers deciding at once): the loser is told, not failed.
  if (error instanceof ConcurrentModificationError || error instanceof IllegalTransitionError) {
    return { code: 'conflict', message: 'the intake is not in a state that allows this (it changed meanwhile): reload it' };
  }
  if (error instanceof IntakeAlreadyExistsError) return { code: 'conflict', message: 'the intake already exists' };
  if (error instanceof IntakeNotFoundError) return { code: 'not_found', message: 'no such intake' };
  return null;
}

const errorCodeNames: Record<DomainErrorCode, string> = {
  invalid_request: 'bad_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  release_expired: 'release_expired',
};

export function errorResponse(error: unknown, log?: Logger): ApiResult {
  const known = classifyError(error);
  if (known) return jsonResult(statusOfCode[known.code], { error: errorCodeNames[known.code], message: known.message });
  const detail = { error: String((error as Error)?.stack ?? error) };
  if (log) log.error('unhandled', detail);
  else console.error(JSON.stringify({ level: 'ERROR', message: 'unhandled', ...detail }));
  return jsonResult(500, { error: 'internal_error', message: 'something went wrong on our side; the request was not applied' });
}
