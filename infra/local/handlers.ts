import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { RouteHandlerName } from '../../shared/api/routes.js';
import type { ApiResult } from '../../functions/lib/http.js';

export type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<ApiResult>;
type HandlerName = RouteHandlerName | 'openapi';

/** The API's handler modules, loaded on first use, as Lambda would load each function. */
export const apiHandlers: Record<HandlerName, () => Promise<{ handler: unknown }>> = {
  'create-intake': () => import('../../functions/create-intake.js'),
  'renew-upload-links': () => import('../../functions/renew-upload-links.js'),
  'list-intakes': () => import('../../functions/list-intakes.js'),
  'get-intake': () => import('../../functions/get-intake.js'),
  'attestation-template': () => import('../../functions/attestation-template.js'),
  'intake-documents': () => import('../../functions/intake-documents.js'),
  'intake-audit': () => import('../../functions/intake-audit.js'),
  'list-releases': () => import('../../functions/list-releases.js'),
  'get-release': () => import('../../functions/get-release.js'),
  'review-queue': () => import('../../functions/review-queue.js'),
  'review-decision': () => import('../../functions/review-decision.js'),
  openapi: () => import('../../functions/openapi.js'),
};
