import { TraceQuery } from '../shared/api/schemas.js';
import { traceNumber } from '../shared/pipeline/trace-number.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/trace?phone=…: every release in scope whose released list held the number; each trace is audited. */
export const createHandler = route({ query: TraceQuery }, async ({ principal, query, deps }) => ({
  status: 200,
  json: await traceNumber(deps, principal, query.phone),
}));

export const handler = createHandler(lambdaDeps());
