import { IntakeIdParam } from '../shared/api/schemas.js';
import { documentLinks } from '../shared/pipeline/document-links.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/intakes/{id}/documents: five-minute links to the list, the attestation and the receipt; each issue is audited. */
export const createHandler = route({ params: IntakeIdParam }, async ({ principal, params, deps }) => ({
  status: 200,
  json: await documentLinks(deps, principal, params.id),
}));

export const handler = createHandler(lambdaDeps());
