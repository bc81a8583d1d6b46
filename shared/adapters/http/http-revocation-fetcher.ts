import type { RevocationFetcher, RevocationRequest, RevocationResponse } from '../../ports/revocation-fetcher.js';

export interface HttpRevocationFetcherOptions {
  /** Each request's limit (default 3 s); the caller's signal bounds the whole lookup. */
  timeoutMs?: number;
  /** Largest CRL read (default 10 MiB); an OCSP response is read up to 1 MiB. */
  maxCrlBytes?: number;
  maxOcspBytes?: number;
  /**
   * Loopback and link-local addresses written in a URL (127.0.0.0/8, ::1, 169.254.0.0/16, localhost) are refused unless
   * allowed: in Lambda they reach the runtime's own endpoints. The embedded stack and the tests allow them.
   */
  allowLoopback?: boolean;
  /** Redirects followed at most (each to http or https again). */
  maxRedirects?: number;
}

const MIB = 1024 * 1024;

/**
 * CRLs and OCSP answers over HTTP with Node's fetch (docs/configuration.md, revocation.fetch): GET a CRL, POST an OCSP
 * request (RFC 6960 A.1). Only http and https URLs; each request has its own time limit and the body a size cap;
 * a fault is an `error` naming its cause, never an exception, so it can only leave a status unknown.
 */
export class HttpRevocationFetcher implements RevocationFetcher {
  private readonly timeoutMs: number;
  private readonly maxCrlBytes: number;
  private readonly maxOcspBytes: number;
  private readonly maxRedirects: number;

  constructor(private readonly options: HttpRevocationFetcherOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.maxCrlBytes = options.maxCrlBytes ?? 10 * MIB;
    this.maxOcspBytes = options.maxOcspBytes ?? MIB;
    this.maxRedirects = options.maxRedirects ?? 3;
  }

  async fetch(request: RevocationRequest, signal: AbortSignal): Promise<RevocationResponse> {
    const limit = request.kind === 'crl' ? this.maxCrlBytes : this.maxOcspBytes;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    let url = request.url;
    try {
      for (let hop = 0; ; hop++) {
        const refused = this.refusal(url);
        if (refused) return { error: refused };
        const response = await fetch(url, {
          method: request.kind === 'crl' ? 'GET' : 'POST',
          redirect: 'manual',
          signal: both,
          headers: request.kind === 'crl' ? { accept: 'application/pkix-crl, */*' } : { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
          ...(request.kind === 'ocsp' ? { body: new Uint8Array(request.request) } : {}),
        });
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel().catch(() => undefined);
          if (hop >= this.maxRedirects) return { error: `more than ${this.maxRedirects} redirects` };
          url = new URL(location, url).toString();
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined);
          return { error: `HTTP ${response.status}` };
        }
        const declared = Number(response.headers.get('content-length') ?? NaN);
        if (Number.isFinite(declared) && declared > limit) {
          await response.body?.cancel().catch(() => undefined);
          return { error: `the answer is larger than ${describe(limit)} (${declared} bytes)` };
        }
        return await readCapped(response, limit);
      }
    } catch (err) {
      if (timeout.aborted) return { error: `no answer within ${this.timeoutMs / 1000} s` };
      if (signal.aborted) return { error: 'the verification\'s time for fetching ran out' };
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return { error: cause?.code ?? cause?.message ?? (err as Error).message ?? String(err) };
    }
  }

  private refusal(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'not a URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `the scheme ${parsed.protocol} is not fetched (http and https only)`;
    if (!this.options.allowLoopback && isLoopbackOrLinkLocal(parsed.hostname)) return `the host ${parsed.hostname} is a loopback or link-local address`;
    return undefined;
  }
}

function isLoopbackOrLinkLocal(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || /^169\.254\./.test(host) || host === '::1' || /^fe80:/.test(host) || host === '0.0.0.0';
}

async function readCapped(response: Response, limit: number): Promise<RevocationResponse> {
  const reader = response.body?.getReader();
  if (!reader) return { der: new Uint8Array(0) };
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return { error: `the answer is larger than ${describe(limit)}` };
    }
    chunks.push(value);
  }
  if (total === 0) return { error: 'the answer is empty' };
  return { der: new Uint8Array(Buffer.concat(chunks)) };
}

function describe(bytes: number): string {
  return bytes >= MIB ? `${bytes / MIB} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
