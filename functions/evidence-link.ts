import { EvidenceLinkQuery, IntakeIdParam } from '../shared/api/schemas.js';
import { evidenceUploadLink } from '../shared/pipeline/consent-evidence.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** POST /v1/intakes/{id}/evidence: a 15-minute upload link for the consent sample's evidence, while it is awaited. */
export const createHandler = route({ params: IntakeIdParam, query: EvidenceLinkQuery }, async ({ principal, params, query, deps }) => {
  const { intake, upload } = await evidenceUploadLink(deps, principal, params.id, query.evidenceBytes !== undefined ? { evidenceBytes: query.evidenceBytes } : {});
  return {
    status: 200,
    json: { intakeId: intake.intakeId, status: intake.status, upload, expiresAt: upload.expiresAt, deadline: intake.consentSample!.deadline },
  };
});

export const handler = createHandler(lambdaDeps());
