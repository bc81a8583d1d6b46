import { IntakeIdParam } from '../shared/api/schemas.js';
import { releaseLinks } from '../shared/pipeline/queries.js';
import { route } from './lib/http.js';

/** GET /v1/releases/{id}: five-minute links to the cleaned list and its receipt; each issue is audited. */
export const handler = route({ params: IntakeIdParam }, async ({ principal, params, deps }) => ({
  status: 200,
  json: await releaseLinks(deps, principal, params.id),
}));
