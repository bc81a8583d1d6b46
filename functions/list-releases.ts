import { ListQuery } from '../shared/api/schemas.js';
import { listReleases } from '../shared/pipeline/queries.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/releases: the releases addressed to the calling call center. */
export const createHandler = route({ query: ListQuery }, async ({ principal, query, deps }) => ({
  status: 200,
  json: await listReleases(deps, principal, query),
}));

export const handler = createHandler(lambdaDeps());
