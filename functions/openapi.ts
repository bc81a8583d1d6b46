import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { openApiDocument } from '../shared/api/routes.js';

/** GET /openapi.json: the API described from the same zod schemas that parse its requests. Public. */
const document = JSON.stringify(openApiDocument());

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>().handler(async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: document,
}));
