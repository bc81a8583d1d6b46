import { userFromToken, type SessionUser } from './claims.js';

/**
 * How a person gets a bearer token, as an adapter chosen by the console's configuration (console-config.json):
 * locally, a demo user's token (offered only by the embedded stack) or a pasted one; in AWS, the Cognito hosted UI.
 * The rest of the console only sees `SignIn`.
 */
export type AuthConfig =
  | { kind: 'local'; demoUsersUrl?: string }
  | {
      kind: 'cognito';
      /** The hosted UI's domain, e.g. https://filiera.auth.eu-south-1.amazoncognito.com */
      domain: string;
      clientId: string;
      /** Where Cognito sends the browser back: the console's own URL (a registered callback URL). */
      redirectUri: string;
      /** Where Cognito sends the browser after signing out (a registered sign-out URL). */
      logoutUri?: string;
      scopes?: string[];
    };

export interface ConsoleConfig {
  /** The API's base URL; empty when the API is served by the same origin (the embedded stack). */
  apiBaseUrl: string;
  auth: AuthConfig;
}

export interface DemoUser {
  /** English, as the terminal prints it; the console writes its own from role and name. */
  label: string;
  role: string;
  /** The company of a committente or call center. */
  name?: string;
  token: string;
}

export interface Session {
  token: string;
  user: SessionUser;
}

export interface SignIn {
  readonly kind: AuthConfig['kind'];
  /** The current session, if one is stored and readable. */
  current(): Session | null;
  /** Finishes a sign-in begun elsewhere (Cognito's redirect back); null when there is nothing to finish. */
  complete(): Promise<Session | null>;
  signOut(): void;
}

const TOKEN_KEY = 'filiera.console.token';

/** Tokens live in sessionStorage: gone with the tab, never shared with another site. */
function storeToken(storage: Storage, token: string): Session | null {
  const user = userFromToken(token);
  if (!user) return null;
  storage.setItem(TOKEN_KEY, token);
  return { token, user };
}

function storedSession(storage: Storage): Session | null {
  const token = storage.getItem(TOKEN_KEY);
  if (!token) return null;
  const user = userFromToken(token);
  return user ? { token, user } : null;
}

/** Locally: a demo user's token from the embedded stack, or any pasted token the API will accept. */
export class LocalSignIn implements SignIn {
  readonly kind = 'local' as const;
  constructor(
    private readonly config: Extract<AuthConfig, { kind: 'local' }>,
    private readonly storage: Storage = sessionStorage,
  ) {}

  current(): Session | null {
    return storedSession(this.storage);
  }

  async complete(): Promise<Session | null> {
    return null;
  }

  /** The demo users the local stack offers; none when it offers none. */
  async demoUsers(): Promise<DemoUser[]> {
    if (!this.config.demoUsersUrl) return [];
    const response = await fetch(this.config.demoUsersUrl, { headers: { accept: 'application/json' } });
    if (!response.ok) return [];
    const body = (await response.json()) as { users?: DemoUser[] };
    return body.users ?? [];
  }

  useToken(token: string): Session | null {
    return storeToken(this.storage, token.trim());
  }

  signOut(): void {
    this.storage.removeItem(TOKEN_KEY);
  }
}

const PKCE_KEY = 'filiera.console.pkce';

/**
 * In AWS: the Cognito hosted UI, authorization code with PKCE (RFC 7636), no client secret in the browser. The ID
 * token is the bearer: it carries cognito:groups and the custom:tenant / custom:callcenter attributes the API's JWT
 * authorizer (audience = this app client) hands to the handlers.
 */
export class CognitoSignIn implements SignIn {
  readonly kind = 'cognito' as const;
  constructor(
    private readonly config: Extract<AuthConfig, { kind: 'cognito' }>,
    private readonly storage: Storage = sessionStorage,
    private readonly location: Location = window.location,
  ) {}

  current(): Session | null {
    return storedSession(this.storage);
  }

  /** Sends the browser to the hosted UI. */
  async begin(): Promise<void> {
    const verifier = randomString(64);
    const state = randomString(32);
    this.storage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
    const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      scope: (this.config.scopes ?? ['openid', 'email', 'profile']).join(' '),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    this.location.assign(`${trimSlash(this.config.domain)}/oauth2/authorize?${params.toString()}`);
  }

  /** On the way back from the hosted UI: exchanges ?code= for tokens at the token endpoint. */
  async complete(): Promise<Session | null> {
    const url = new URL(this.location.href);
    const code = url.searchParams.get('code');
    const error = url.searchParams.get('error');
    if (!code && !error) return null;
    const pending = this.storage.getItem(PKCE_KEY);
    this.storage.removeItem(PKCE_KEY);
    // Drop ?code=&state= from the address so a reload does not replay a used code.
    history.replaceState(null, '', `${url.pathname}${url.hash}`);
    if (error) throw new Error(url.searchParams.get('error_description') ?? error);
    const { verifier, state } = pending ? (JSON.parse(pending) as { verifier: string; state: string }) : { verifier: '', state: '' };
    if (!verifier || url.searchParams.get('state') !== state) throw new Error('the sign-in answer does not match the request (state)');
    const response = await fetch(`${trimSlash(this.config.domain)}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: this.config.clientId,
        code: code!,
        redirect_uri: this.config.redirectUri,
        code_verifier: verifier,
      }).toString(),
    });
    if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
    const tokens = (await response.json()) as { id_token?: string };
    if (!tokens.id_token) throw new Error('the token endpoint returned no ID token');
    const session = storeToken(this.storage, tokens.id_token);
    if (!session) throw new Error('the ID token carries no Filiera role');
    return session;
  }

  signOut(): void {
    this.storage.removeItem(TOKEN_KEY);
    const params = new URLSearchParams({ client_id: this.config.clientId, logout_uri: this.config.logoutUri ?? this.config.redirectUri });
    this.location.assign(`${trimSlash(this.config.domain)}/logout?${params.toString()}`);
  }
}

export function signInFor(config: AuthConfig): LocalSignIn | CognitoSignIn {
  return config.kind === 'cognito' ? new CognitoSignIn(config) : new LocalSignIn(config);
}

function randomString(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
