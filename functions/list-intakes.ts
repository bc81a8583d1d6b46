import { ListQuery } from '../shared/api/schemas.js';
import { listIntakes } from '../shared/pipeline/queries.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/intakes: a committente's own intakes, or all of them for compliance. */
export const createHandler = route({ query: ListQuery }, async ({ principal, query, deps }) => ({
  status: 200,
  json: await listIntakes(deps, principal, query),
}));

export const handler = createHandler(lambdaDeps());
