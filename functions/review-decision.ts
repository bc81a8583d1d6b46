import { IntakeIdParam, ReviewDecisionBody } from '../shared/api/schemas.js';
import { decideReview } from '../shared/pipeline/decide-review.js';
import { intakeView } from '../shared/pipeline/queries.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** POST /v1/review/{id}/decision: approve (releases the list) or reject, with a written justification. */
export const createHandler = route({ params: IntakeIdParam, body: ReviewDecisionBody }, async ({ principal, params, body, deps }) => ({
  status: 200,
  json: intakeView(await decideReview(deps, principal, params.id, body)),
}));

export const handler = createHandler(lambdaDeps());
