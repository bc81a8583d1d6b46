import { IntakeIdParam } from '../shared/api/schemas.js';
import { auditOf } from '../shared/pipeline/queries.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/intakes/{id}/audit: the hash-chained events, with the chain's check. */
export const createHandler = route({ params: IntakeIdParam }, async ({ principal, params, deps }) => ({
  status: 200,
  json: await auditOf(deps, principal, params.id),
}));

export const handler = createHandler(lambdaDeps());
