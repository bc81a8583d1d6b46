import { IntakeIdParam } from '../shared/api/schemas.js';
import { releaseLinks } from '../shared/pipeline/queries.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/releases/{id}: five-minute links to the cleaned list and its receipt; each issue is audited. */
export const createHandler = route({ params: IntakeIdParam }, async ({ principal, params, deps }) => ({
  status: 200,
  json: await releaseLinks(deps, principal, params.id),
}));

export const handler = createHandler(lambdaDeps());
