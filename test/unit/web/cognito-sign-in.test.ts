import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CognitoSignIn } from '../../../web/src/auth/sign-in.js';

/**
 * The console's sign-in in AWS: the Cognito hosted UI with the authorization code grant and PKCE (RFC 7636), as the
 * console app client of infra/cdk/console-site.ts allows it. The browser's storage, location, history and fetch are
 * stand-ins; the flow and what crosses the wire are real.
 */
const config = {
  kind: 'cognito' as const,
  domain: 'https://filiera-123456789012.auth.eu-central-1.amazoncognito.com/',
  clientId: 'console-client-id',
  redirectUri: 'https://d111111abcdef8.cloudfront.net/',
};

const jwt = (payload: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

function fakeLocation(href: string): Location & { assigned: string[] } {
  const assigned: string[] = [];
  return { href, assigned, assign: (url: string | URL) => void assigned.push(String(url)) } as unknown as Location & { assigned: string[] };
}

let replaced: string[];
beforeEach(() => {
  replaced = [];
  vi.stubGlobal('history', { replaceState: (_: unknown, __: string, url: string) => void replaced.push(url) });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** Starts a sign-in and returns what the hosted UI was asked for. */
async function begin(storage: Storage): Promise<URL> {
  const location = fakeLocation(config.redirectUri);
  await new CognitoSignIn(config, storage, location).begin();
  expect(location.assigned).toHaveLength(1);
  return new URL(location.assigned[0]!);
}

describe('signing in to the console through the Cognito hosted UI', () => {
  it('sends the browser to /oauth2/authorize with the code grant and an S256 challenge, never a secret', async () => {
    const authorize = await begin(new MemoryStorage());
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://filiera-123456789012.auth.eu-central-1.amazoncognito.com/oauth2/authorize');
    const params = Object.fromEntries(authorize.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'console-client-id',
      redirect_uri: 'https://d111111abcdef8.cloudfront.net/',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.search).not.toMatch(/secret|verifier/i);
  });

  it('exchanges the code with the verifier whose SHA-256 it sent, keeps the ID token and clears the address', async () => {
    const storage = new MemoryStorage();
    const authorize = await begin(storage);
    const token = jwt({ sub: 'carla', token_use: 'id', 'cognito:groups': ['compliance'], 'custom:tenants': '*', exp: 4_102_444_800 });
    const fetch = vi.fn(async () => new Response(JSON.stringify({ id_token: token, access_token: 'a', refresh_token: 'r' }), { status: 200 }));
    vi.stubGlobal('fetch', fetch);

    const back = fakeLocation(`${config.redirectUri}?code=the-code&state=${authorize.searchParams.get('state')}#/queue`);
    const session = await new CognitoSignIn(config, storage, back).complete();

    expect(session).toEqual({ token, user: { role: 'compliance', sub: 'carla', expiresAt: 4_102_444_800 } });
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0]! as unknown as [string, RequestInit];
    expect(url).toBe('https://filiera-123456789012.auth.eu-central-1.amazoncognito.com/oauth2/token');
    const form = Object.fromEntries(new URLSearchParams(String(init.body)));
    expect(form).toMatchObject({ grant_type: 'authorization_code', client_id: 'console-client-id', code: 'the-code', redirect_uri: config.redirectUri });
    expect(createHash('sha256').update(form.code_verifier!).digest('base64url')).toBe(authorize.searchParams.get('code_challenge'));
    expect(replaced).toEqual(['/#/queue']);
    expect(new CognitoSignIn(config, storage, fakeLocation(config.redirectUri)).current()?.user.sub).toBe('carla');
  });

  it('refuses an answer whose state is not the one it sent, without calling the token endpoint', async () => {
    const storage = new MemoryStorage();
    const authorize = await begin(storage);
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const forged = fakeLocation(`${config.redirectUri}?code=stolen&state=another`);
    await expect(new CognitoSignIn(config, storage, forged).complete()).rejects.toThrow(/state/);
    // The pending request is spent: even the right state cannot be used after that.
    const late = fakeLocation(`${config.redirectUri}?code=stolen&state=${authorize.searchParams.get('state')}`);
    await expect(new CognitoSignIn(config, storage, late).complete()).rejects.toThrow(/state/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("reports the hosted UI's error, and a token without a Filiera role as no session", async () => {
    const storage = new MemoryStorage();
    const denied = fakeLocation(`${config.redirectUri}?error=access_denied&error_description=User%20is%20disabled`);
    await expect(new CognitoSignIn(config, storage, denied).complete()).rejects.toThrow('User is disabled');

    const authorize = await begin(storage);
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ id_token: jwt({ sub: 'x', 'cognito:groups': ['admin'] }) })));
    const back = fakeLocation(`${config.redirectUri}?code=c&state=${authorize.searchParams.get('state')}`);
    await expect(new CognitoSignIn(config, storage, back).complete()).rejects.toThrow(/no Filiera role/);
    expect(storage.getItem('filiera.console.token')).toBeNull();
  });

  it('has nothing to finish on an ordinary visit, and signs out at the hosted UI', async () => {
    const storage = new MemoryStorage();
    expect(await new CognitoSignIn(config, storage, fakeLocation(config.redirectUri)).complete()).toBeNull();
    storage.setItem('filiera.console.token', jwt({ sub: 'carla', 'cognito:groups': ['compliance'] }));
    const location = fakeLocation(config.redirectUri);
    new CognitoSignIn(config, storage, location).signOut();
    expect(storage.getItem('filiera.console.token')).toBeNull();
    const logout = new URL(location.assigned[0]!);
    expect(`${logout.origin}${logout.pathname}`).toBe('https://filiera-123456789012.auth.eu-central-1.amazoncognito.com/logout');
    expect(Object.fromEntries(logout.searchParams)).toEqual({ client_id: 'console-client-id', logout_uri: config.redirectUri });
  });
});
