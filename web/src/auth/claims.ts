/**
 * What the console reads from the bearer token to choose what to show. It does not verify the signature: the API
 * does, on every request, and refuses what the role may not see. A forged token shows menus and nothing else.
 */
export type ConsoleRole = 'committente' | 'callcenter' | 'compliance';

export interface SessionUser {
  role: ConsoleRole;
  sub: string;
  tenant?: string;
  callCenter?: string;
  /** Seconds since the epoch. */
  expiresAt?: number;
}

export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The same precedence as the API (shared/auth/principal.ts): committente, then call center, then compliance. */
export function userFromToken(token: string): SessionUser | null {
  const payload = decodeJwtPayload(token);
  if (!payload || typeof payload.sub !== 'string') return null;
  // The API accepts ID tokens only: an access token carries no scope attributes.
  if (payload.token_use !== 'id') return null;
  const raw = payload['cognito:groups'];
  const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.replace(/^\[|\]$/g, '').split(/[\s,]+/) : [];
  const expiresAt = typeof payload.exp === 'number' ? payload.exp : undefined;
  const base = { sub: payload.sub, ...(expiresAt !== undefined ? { expiresAt } : {}) };
  if (groups.includes('committente') && typeof payload['custom:tenant'] === 'string') {
    return { ...base, role: 'committente', tenant: payload['custom:tenant'] };
  }
  if (groups.includes('callcenter') && typeof payload['custom:callcenter'] === 'string') {
    return { ...base, role: 'callcenter', callCenter: payload['custom:callcenter'] };
  }
  if (groups.includes('compliance')) return { ...base, role: 'compliance' };
  return null;
}

export function isExpired(user: SessionUser, now: Date): boolean {
  return user.expiresAt !== undefined && user.expiresAt * 1000 <= now.getTime();
}
