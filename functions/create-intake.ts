import { CreateIntakeBody } from '../shared/api/schemas.js';
import { openIntake } from '../shared/pipeline/open-intake.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/** POST /v1/intakes: a committente opens an intake and gets its two upload links. */
export const createHandler = route({ body: CreateIntakeBody }, async ({ principal, body, deps }) => {
  const { intake, uploads } = await openIntake(deps, principal, body);
  return {
    status: 201,
    json: {
      intakeId: intake.intakeId,
      status: intake.status,
      uploads,
      expiresAt: uploads.list.expiresAt,
      uploadDeadline: intake.uploadDeadline,
    },
  };
});

export const handler = createHandler(lambdaDeps());
