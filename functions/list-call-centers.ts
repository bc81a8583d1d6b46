import { CallCentersQuery } from '../shared/api/schemas.js';
import { forbidden } from '../shared/errors.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/**
 * GET /v1/call-centers: the call centers the calling committente may address an intake to (its tenant's configured
 * list, docs/configuration.md), with their names, for the console's form; POST /v1/intakes accepts no other.
 */
export const createHandler = route({ query: CallCentersQuery }, async ({ principal, deps }) => {
  if (principal.role !== 'committente') throw forbidden('only a committente lists its call centers');
  const { config } = await deps.config();
  const tenant = config.tenants.find((t) => t.id === principal.tenantId);
  if (!tenant) throw forbidden('this committente is not configured');
  const names = new Map(config.callCenters.map((c) => [c.id, c.name]));
  return { status: 200, json: { items: tenant.callCenters.map((id) => ({ id, name: names.get(id) ?? id })) } };
});

export const handler = createHandler(lambdaDeps());
