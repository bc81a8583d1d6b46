import { IntakeIdParam } from '../shared/api/schemas.js';
import { intakeView, visibleIntake } from '../shared/pipeline/queries.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** GET /v1/intakes/{id}: status, counts, findings, extracted fields. */
export const createHandler = route({ params: IntakeIdParam }, async ({ principal, params, deps }) => ({
  status: 200,
  json: intakeView(await visibleIntake(deps, principal, params.id)),
}));

export const handler = createHandler(lambdaDeps());
