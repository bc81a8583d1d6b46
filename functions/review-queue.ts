import { ListQuery } from '../shared/api/schemas.js';
import { reviewQueue } from '../shared/pipeline/queries.js';
import { route } from './lib/http.js';

/** GET /v1/review: intakes in review and rejected, newest first, with counts. */
export const handler = route({ query: ListQuery }, async ({ principal, query, deps }) => ({
  status: 200,
  json: await reviewQueue(deps, principal, query),
}));
