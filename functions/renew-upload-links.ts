import { IntakeIdParam, RenewUploadsBody } from '../shared/api/schemas.js';
import { renewUploadLinks } from '../shared/pipeline/open-intake.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/**
 * POST /v1/intakes/{id}/uploads: fresh 15-minute upload links for an intake still awaiting its files; sizes given in
 * the optional body are bound into the links (signed Content-Length) as at opening.
 */
export const createHandler = route({ params: IntakeIdParam, body: RenewUploadsBody }, async ({ principal, params, body, deps }) => {
  const { intake, uploads } = await renewUploadLinks(deps, principal, params.id, body ?? {});
  return {
    status: 200,
    json: { intakeId: intake.intakeId, status: intake.status, uploads, expiresAt: uploads.list.expiresAt, uploadDeadline: intake.uploadDeadline },
  };
});

export const handler = createHandler(lambdaDeps());
