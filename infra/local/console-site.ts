import type http from 'node:http';
import type { ConsoleAsset } from '../../web/build.js';
import type { Logger } from '../../shared/pipeline/deps.js';

/** A demo user as the local sign-in page offers it. */
export interface DemoUserToken {
  label: string;
  role: string;
  /** The company of a committente or call center. */
  name?: string;
  token: string;
}

export interface ConsoleSite {
  /** The embedded API server's fallback: true when it answered the request. */
  serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
  /** Starts building now, so that the first visitor does not wait. */
  warm(): void;
}

/**
 * The web console on the embedded stack, at `/` of the API's own origin (docs/api.md). Built from web/ with
 * esbuild on first use and kept in memory, so `npm start` needs no separate build step.
 *
 * Only here, never in AWS: `/local/demo-users` hands the demo users' tokens to the sign-in page (the same tokens
 * `npm start` prints), to that page only (fromOwnPage), and the console's configuration says to sign in locally.
 */
export function createConsoleSite(options: {
  demoUsers: () => Promise<DemoUserToken[]>;
  log: Logger;
  /** Origins the page may also call: the local S3 engine, where presigned uploads and downloads go. */
  connectSources?: string[];
}): ConsoleSite {
  let built: Promise<Map<string, ConsoleAsset>> | undefined;
  const assets = () => {
    built ??= import('../../web/build.js')
      .then((m) => m.buildConsole())
      .catch((err: unknown) => {
        built = undefined; // build again on the next request, after the developer fixed it
        throw err;
      });
    return built;
  };
  const config = JSON.stringify({ apiBaseUrl: '', auth: { kind: 'local', demoUsersUrl: '/local/demo-users' } });
  const headers = securityHeaders(options.connectSources ?? []);

  return {
    warm() {
      assets().catch((err: unknown) => options.log.error('the console did not build', { error: String(err) }));
    },
    async serve(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (pathname === '/console-config.json') {
        send(res, 200, 'application/json; charset=utf-8', config, headers);
        return true;
      }
      if (pathname === '/local/demo-users') {
        if (!fromOwnPage(req)) {
          send(res, 403, 'application/json; charset=utf-8', JSON.stringify({ error: 'forbidden', message: 'demo tokens are given only to the console served here' }), headers);
          return true;
        }
        send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ users: await options.demoUsers() }), headers);
        return true;
      }
      const name = pathname === '/' ? 'index.html' : pathname.slice(1);
      if (!['index.html', 'console.css', 'console.js'].includes(name)) return false;
      const asset = (await assets()).get(name);
      if (!asset) return false;
      send(res, 200, asset.contentType, asset.body, headers, req.method === 'HEAD');
      return true;
    },
  };
}

/**
 * The demo tokens go only to the console's own page: a browser says where a request comes from (`Sec-Fetch-Site`,
 * and `Origin` on a cross-origin or non-GET request), and any other site's page is refused, as is an `Origin` other
 * than the one the request is addressed to. A request that names neither (a terminal, a script on the machine) gets
 * them, as `npm start` prints them anyway. The API server has already refused a foreign `Host` (DNS rebinding).
 */
export function fromOwnPage(req: Pick<http.IncomingMessage, 'headers'>): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return false;
  return true;
}

/** The same headers CloudFront's response-headers policy sets in AWS (plus the API origin there). */
function securityHeaders(connectSources: string[]): Record<string, string> {
  return {
    'content-security-policy':
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${["'self'", ...connectSources].join(' ')}; ` +
      "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string>, headOnly = false): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-cache', ...headers });
  res.end(headOnly ? undefined : body);
}
