import type { CachedRevocation, RevocationCache, RevocationFetcher, RevocationRequest, RevocationResponse } from '../../ports/revocation-fetcher.js';

/**
 * Fetched revocation data in memory, up to a byte budget (oldest first out): a Lambda container's or a process's own
 * copy. With `behind` it reads through to a shared cache (the app's DynamoDB table) on a miss and writes to both, so
 * a CRL too large for a table item is still kept for the container's life.
 */
export class MemoryRevocationCache implements RevocationCache {
  private readonly entries = new Map<string, { der: Uint8Array; expiresAt: Date }>();
  private bytes = 0;

  constructor(private readonly options: { maxBytes?: number; behind?: RevocationCache } = {}) {}

  async get(key: string, now: Date): Promise<CachedRevocation | undefined> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return entry;
    if (entry) this.drop(key);
    const shared = await this.options.behind?.get(key, now);
    if (shared) this.keep(key, shared);
    return shared;
  }

  async put(key: string, der: Uint8Array, expiresAt: Date): Promise<void> {
    this.keep(key, { der, expiresAt });
    await this.options.behind?.put(key, der, expiresAt);
  }

  private keep(key: string, entry: CachedRevocation): void {
    const max = this.options.maxBytes ?? 64 * 1024 * 1024;
    if (entry.der.byteLength > max) return;
    this.drop(key);
    this.entries.set(key, entry);
    this.bytes += entry.der.byteLength;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= max) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.der.byteLength;
    this.entries.delete(key);
  }
}

/**
 * Answers from a table, for tests: by URL, a DER, an error, or a function of the request; each request is recorded.
 * `never` answers nothing until the caller's signal aborts (a responder that hangs).
 */
export class MemoryRevocationFetcher implements RevocationFetcher {
  readonly requests: RevocationRequest[] = [];

  constructor(private readonly answers: Record<string, Uint8Array | { error: string } | 'never' | ((request: RevocationRequest) => Promise<RevocationResponse>)> = {}) {}

  async fetch(request: RevocationRequest, signal: AbortSignal): Promise<RevocationResponse> {
    this.requests.push(request);
    const answer = this.answers[request.url];
    if (answer === undefined) return { error: 'ECONNREFUSED' };
    if (answer === 'never') {
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ error: 'aborted' }), { once: true }));
    }
    if (typeof answer === 'function') return answer(request);
    return answer instanceof Uint8Array ? { der: answer } : answer;
  }
}
