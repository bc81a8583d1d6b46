import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { openApiDocument } from '../shared/api/routes.js';

/** GET /openapi.json: the API described from the same zod schemas that parse its requests. Public. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>().handler(async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(openApiDocument(event.headers?.host ? `https://${event.headers.host}` : undefined)),
}));
