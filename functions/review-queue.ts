import { ListQuery } from '../shared/api/schemas.js';
import { reviewQueue } from '../shared/pipeline/queries.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/review: intakes in review and rejected, newest first, with counts. */
export const createHandler = route({ query: ListQuery }, async ({ principal, query, deps }) => ({
  status: 200,
  json: await reviewQueue(deps, principal, query),
}));

export const handler = createHandler(lambdaDeps());
