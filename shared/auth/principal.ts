import * as z from 'zod';

/**
 * Who is calling, from the bearer token's claims (docs/api.md): `cognito:groups` holds the role,
 * `custom:tenant` or `custom:callcenter` the scope. The same claims arrive from API Gateway's JWT authorizer in AWS
 * and from the embedded server's verifier locally.
 */
export const roles = ['committente', 'callcenter', 'compliance'] as const;
export type Role = (typeof roles)[number];

export type Principal =
  | { role: 'committente'; sub: string; tenantId: string }
  | { role: 'callcenter'; sub: string; callCenterId: string }
  | { role: 'compliance'; sub: string; tenants: string[] | 'all' };

/**
 * API Gateway's JWT authorizer flattens array claims into a string such as "[compliance committente]"; a token
 * verified locally keeps them as arrays. Both are accepted.
 */
const groupsClaim = z.union([
  z.array(z.string()),
  z.string().transform((s) =>
    s
      .replace(/^\[|\]$/g, '')
      .split(/[\s,]+/)
      .filter(Boolean),
  ),
]);

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  /**
   * Cognito writes `id` on ID tokens and `access` on access tokens. Only an ID token carries the `custom:*` scope
   * attributes, and API Gateway's JWT authorizer lets both through (audience or client_id), so an access token would
   * read as a compliance officer without a scope: only ID tokens are accepted (the local identity issues them too).
   */
  token_use: z.literal('id'),
  'cognito:groups': groupsClaim,
  'custom:tenant': z.string().min(1).optional(),
  'custom:callcenter': z.string().min(1).optional(),
  /**
   * Compliance staff's scope: comma-separated tenant ids, or `*` for every tenant. Absent (or empty) means no tenant
   * at all: a scope that failed to arrive must never widen into every tenant's data.
   */
  'custom:tenants': z.string().optional(),
});

export class AuthorizationError extends Error {
  override name = 'AuthorizationError';
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** Turns verified claims into a principal; a token with no usable role or scope is refused (403). */
export function principalFromClaims(claims: unknown): Principal {
  const parsed = ClaimsSchema.safeParse(claims);
  if (!parsed.success) {
    const wrongUse = parsed.error.issues.some((i) => i.path[0] === 'token_use');
    throw new AuthorizationError(403, wrongUse ? 'only ID tokens are accepted (token_use must be "id")' : 'token lacks a role or subject');
  }
  const c = parsed.data;
  const groups = c['cognito:groups'];
  // One role per user: the most constrained wins if an account is (wrongly) in several groups.
  if (groups.includes('committente')) {
    if (!c['custom:tenant']) throw new AuthorizationError(403, 'committente token without custom:tenant');
    return { role: 'committente', sub: c.sub, tenantId: c['custom:tenant'] };
  }
  if (groups.includes('callcenter')) {
    if (!c['custom:callcenter']) throw new AuthorizationError(403, 'callcenter token without custom:callcenter');
    return { role: 'callcenter', sub: c.sub, callCenterId: c['custom:callcenter'] };
  }
  if (groups.includes('compliance')) {
    return { role: 'compliance', sub: c.sub, tenants: complianceScope(c['custom:tenants']) };
  }
  throw new AuthorizationError(403, 'token carries none of the roles committente, callcenter, compliance');
}

/** The `custom:tenants` value that scopes a compliance officer to every tenant. */
export const ALL_TENANTS = '*';

/** `*` alone is every tenant; otherwise the listed ids (a `*` among ids is not a wildcard); nothing is none. */
export function complianceScope(claim: string | undefined): string[] | 'all' {
  const ids = (claim ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (ids.length === 1 && ids[0] === ALL_TENANTS) return 'all';
  return ids.filter((t) => t !== ALL_TENANTS);
}

/** The actor name recorded in the audit trail. */
export function actorOf(principal: Principal): string {
  switch (principal.role) {
    case 'committente':
      return `committente:${principal.tenantId}:${principal.sub}`;
    case 'callcenter':
      return `callcenter:${principal.callCenterId}:${principal.sub}`;
    case 'compliance':
      return `compliance:${principal.sub}`;
  }
}

/** May this principal see an intake of this tenant and call center? Others get 404, never a hint it exists. */
export function canSeeIntake(principal: Principal, intake: { tenantId: string; callCenterId: string }): boolean {
  switch (principal.role) {
    case 'committente':
      return principal.tenantId === intake.tenantId;
    case 'compliance':
      return principal.tenants === 'all' || principal.tenants.includes(intake.tenantId);
    case 'callcenter':
      return false; // call centers see releases, not intakes
  }
}
