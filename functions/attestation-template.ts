import { IntakeIdParam } from '../shared/api/schemas.js';
import { attestationTemplate } from '../shared/pipeline/attestation-template.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/intakes/{id}/attestation-template: the form pre-filled with what Filiera knows, ready to sign. */
export const createHandler = route({ params: IntakeIdParam }, async ({ principal, params, deps }) => ({
  status: 200,
  binary: await attestationTemplate(deps, principal, params.id),
  contentType: 'application/pdf',
  fileName: `dichiarazione-${params.id}.pdf`,
}));

export const handler = createHandler(lambdaDeps());
