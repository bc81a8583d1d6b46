import * as z from 'zod';
import { DomainError } from '../errors.js';
import {
  AuditResponse,
  CallCentersQuery,
  CallCentersResponse,
  ConsentSampleQuery,
  ConsentSampleResponse,
  CreateIntakeBody,
  RenewUploadsBody,
  CreateIntakeResponse,
  DocumentLinks,
  ErrorBody,
  EvidenceLinkQuery,
  EvidenceLinkResponse,
  IntakeView,
  ListQuery,
  Page,
  ReleaseLinks,
  ReleaseSummary,
  ReviewDecisionBody,
  TraceQuery,
  TraceResponse,
} from './schemas.js';

/**
 * The HTTP API (docs/api.md) as data: the embedded server routes with it, the CDK app creates one
 * function and one route per entry, and /openapi.json is generated from it.
 */
export interface ApiRoute {
  method: 'GET' | 'POST';
  path: string;
  /** The handler's file in functions/, without extension. */
  handler: string;
  summary: string;
  roles: readonly ('committente' | 'callcenter' | 'compliance')[];
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType | 'pdf';
  status: number;
}

export const apiRoutes = [
  { method: 'POST', path: '/v1/intakes', handler: 'create-intake', summary: 'Open an intake and get two upload links', roles: ['committente'], body: CreateIntakeBody, response: CreateIntakeResponse, status: 201 },
  { method: 'POST', path: '/v1/intakes/{id}/uploads', handler: 'renew-upload-links', summary: 'Fresh upload links while the intake awaits its files (links live 15 minutes); optional body: the files\' sizes, bound into the links', roles: ['committente'], body: RenewUploadsBody, response: CreateIntakeResponse, status: 200 },
  { method: 'GET', path: '/v1/intakes', handler: 'list-intakes', summary: 'Intakes: a committente its own, compliance all', roles: ['committente', 'compliance'], query: ListQuery, response: Page(IntakeView), status: 200 },
  { method: 'GET', path: '/v1/intakes/{id}', handler: 'get-intake', summary: 'An intake: status, counts, findings, extracted fields', roles: ['committente', 'compliance'], response: IntakeView, status: 200 },
  { method: 'GET', path: '/v1/intakes/{id}/attestation-template', handler: 'attestation-template', summary: 'The attestation form pre-filled with what Filiera knows (PDF)', roles: ['committente'], response: 'pdf', status: 200 },
  { method: 'GET', path: '/v1/intakes/{id}/documents', handler: 'intake-documents', summary: 'Five-minute links to the list and attestation as uploaded, and the receipt; each issue is audited', roles: ['committente', 'compliance'], response: DocumentLinks, status: 200 },
  { method: 'GET', path: '/v1/intakes/{id}/consent-sample', handler: 'consent-sample', summary: 'The consent sample to answer (JSON, or CSV with ?format=csv) and, once checked, each row\'s checks', roles: ['committente', 'compliance'], query: ConsentSampleQuery, response: ConsentSampleResponse, status: 200 },
  { method: 'POST', path: '/v1/intakes/{id}/evidence', handler: 'evidence-link', summary: 'A 15-minute upload link for the consent sample\'s evidence, while the intake awaits it', roles: ['committente'], query: EvidenceLinkQuery, response: EvidenceLinkResponse, status: 200 },
  { method: 'GET', path: '/v1/intakes/{id}/audit', handler: 'intake-audit', summary: 'The hash-chained audit trail and its check', roles: ['committente', 'compliance'], response: AuditResponse, status: 200 },
  { method: 'GET', path: '/v1/releases', handler: 'list-releases', summary: 'Releases addressed to the calling call center', roles: ['callcenter'], query: ListQuery, response: Page(ReleaseSummary), status: 200 },
  { method: 'GET', path: '/v1/releases/{id}', handler: 'get-release', summary: 'Five-minute download links for a release and its receipt', roles: ['callcenter'], response: ReleaseLinks, status: 200 },
  { method: 'GET', path: '/v1/review', handler: 'review-queue', summary: 'The compliance queue: in review and rejected', roles: ['compliance'], query: ListQuery, response: Page(IntakeView), status: 200 },
  { method: 'POST', path: '/v1/review/{id}/decision', handler: 'review-decision', summary: 'Approve (releases the list) or reject, with a justification', roles: ['compliance'], body: ReviewDecisionBody, response: IntakeView, status: 200 },
  { method: 'GET', path: '/v1/call-centers', handler: 'list-call-centers', summary: 'The call centers the committente may open an intake with (its configured list, with names)', roles: ['committente'], query: CallCentersQuery, response: CallCentersResponse, status: 200 },
  { method: 'GET', path: '/v1/trace', handler: 'trace', summary: 'Every release in scope whose list held a number (complaints); each trace is audited', roles: ['committente', 'compliance'], query: TraceQuery, response: TraceResponse, status: 200 },
] as const satisfies readonly ApiRoute[];

export type RouteHandlerName = (typeof apiRoutes)[number]['handler'];

/** Matches a request path against a route path with {param} segments; malformed percent-encoding is invalid_request. */
export function matchRoute(method: string, pathname: string): { route: (typeof apiRoutes)[number]; params: Record<string, string> } | null {
  for (const route of apiRoutes) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const pattern = new RegExp(
      `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    const match = pattern.exec(pathname);
    if (match) {
      const params: Record<string, string> = {};
      for (const [i, name] of names.entries()) {
        try {
          params[name] = decodeURIComponent(match[i + 1]!);
        } catch {
          // A stray '%' is the caller's mistake, not ours: API Gateway answers it with a 400 too.
          throw new DomainError('invalid_request', `path: the ${name} segment is not valid percent-encoding`);
        }
      }
      return { route, params };
    }
  }
  return null;
}

/** The OpenAPI 3.1 document, generated from the zod schemas. */
export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of apiRoutes as readonly ApiRoute[]) {
    const parameters: unknown[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (r.query && r.query instanceof z.ZodObject) {
      for (const [name, schema] of Object.entries(r.query.shape as Record<string, z.ZodType>)) {
        parameters.push({ name, in: 'query', required: false, schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) });
      }
    }
    const operation: Record<string, unknown> = {
      operationId: r.handler,
      summary: r.summary,
      description: `Roles: ${r.roles.join(', ')}.`,
      security: [{ bearer: [] }],
      parameters,
      responses: {
        [r.status]: {
          description: 'OK',
          content:
            r.response === 'pdf'
              ? { 'application/pdf': { schema: { type: 'string', format: 'binary' } } }
              : { 'application/json': { schema: z.toJSONSchema(r.response, { unrepresentable: 'any' }) } },
        },
        400: errorResponse('The request is malformed (the message names the field)'),
        401: errorResponse('No valid bearer token'),
        403: errorResponse('The role may not do this'),
        404: errorResponse('No such resource in the caller\'s scope'),
      },
    };
    if (r.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input' }) } } };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Filiera API',
      version: '1.0.0',
      description: 'Provenance gate for contact lists: intakes, verdicts, releases and reviews (Filiera specification §8).',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'cognito:groups holds the role; custom:tenant or custom:callcenter the scope',
        },
      },
    },
    paths,
  };
}

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: z.toJSONSchema(ErrorBody) } } };
}
