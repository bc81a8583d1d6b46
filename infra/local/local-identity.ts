import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ALL_TENANTS } from '../../shared/auth/principal.js';
import type { Config } from '../../shared/config.js';
import { ensurePrivateDir, writePrivateFile } from './private-files.js';

/**
 * The local stand-in for Cognito: a key pair kept in the data folder signs demo users' tokens, and the embedded API
 * server verifies them the way API Gateway's JWT authorizer will in AWS (signature, issuer, audience, expiry).
 */
export const LOCAL_ISSUER = 'urn:filiera:local-identity';
export const LOCAL_AUDIENCE = 'filiera-api';
const ALG = 'ES256';

export interface LocalIdentity {
  issue(claims: TokenClaims, ttlSeconds?: number): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

export type TokenClaims =
  | { role: 'committente'; tenant: string; sub: string }
  | { role: 'callcenter'; callcenter: string; sub: string }
  /** `tenants`: the ids a compliance officer may see; omitted or 'all' issues the explicit every-tenant scope `*`. */
  | { role: 'compliance'; sub: string; tenants?: string[] | 'all' };

export async function openLocalIdentity(dataDir: string): Promise<LocalIdentity> {
  const dir = path.join(dataDir, 'identity');
  const privateFile = path.join(dir, 'jwt-private.pem');
  const publicFile = path.join(dir, 'jwt-public.pem');
  let privatePem: string;
  let publicPem: string;
  try {
    [privatePem, publicPem] = await Promise.all([readFile(privateFile, 'utf8'), readFile(publicFile, 'utf8')]);
  } catch {
    const pair = await generateKeyPair(ALG, { extractable: true });
    privatePem = await exportPKCS8(pair.privateKey);
    publicPem = await exportSPKI(pair.publicKey);
    await ensurePrivateDir(dir);
    await writePrivateFile(privateFile, privatePem);
    await writePrivateFile(publicFile, publicPem);
  }
  const privateKey = await importPKCS8(privatePem, ALG);
  const publicKey = await importSPKI(publicPem, ALG);

  return {
    async issue(claims, ttlSeconds = 12 * 3600) {
      // An ID token, as Cognito's: the API accepts no other (shared/auth/principal.ts).
      const payload: Record<string, unknown> = { token_use: 'id', 'cognito:groups': [claims.role] };
      if (claims.role === 'committente') payload['custom:tenant'] = claims.tenant;
      if (claims.role === 'callcenter') payload['custom:callcenter'] = claims.callcenter;
      // The API reads a missing scope as no tenant: every-tenant access is written out.
      if (claims.role === 'compliance') {
        const tenants = claims.tenants ?? 'all';
        payload['custom:tenants'] = tenants === 'all' ? ALL_TENANTS : tenants.join(',');
      }
      return new SignJWT(payload)
        .setProtectedHeader({ alg: ALG })
        .setSubject(claims.sub)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALG],
      });
      return payload;
    },
  };
}

/**
 * The demo users of a configuration: one committente per tenant, one call center each, one compliance officer.
 * `label` is for the terminal; `name` (the company) lets the console write its own label in the reader's language.
 */
export function demoUsers(config: Config): { label: string; name?: string; claims: TokenClaims }[] {
  return [
    ...config.tenants.map((t) => ({
      label: `committente of ${t.name}`,
      name: t.name,
      claims: { role: 'committente' as const, tenant: t.id, sub: `demo-${t.id}` },
    })),
    ...config.callCenters.map((c) => ({
      label: `call center ${c.name}`,
      name: c.name,
      claims: { role: 'callcenter' as const, callcenter: c.id, sub: `demo-${c.id}` },
    })),
    { label: 'compliance officer', claims: { role: 'compliance' as const, sub: 'demo-compliance', tenants: 'all' as const } },
  ];
}
