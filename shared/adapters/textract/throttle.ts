/** Textract answers these when a caller goes faster than its quotas allow: wait and try again. */
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  // Too many asynchronous jobs running at once (the account's concurrent-jobs quota).
  'LimitExceededException',
  'InternalServerError',
]);

export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown } | null;
  return e !== null && typeof e === 'object' && (RETRYABLE.has(e.name ?? '') || Boolean(e.$retryable));
}

export interface BackoffOptions {
  /** Attempts in all, the first included (default 6). */
  attempts?: number;
  /** First wait, doubled each time (default 250 ms), capped at maxDelayMs (default 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`, retrying throttling with exponential backoff and full jitter (each wait uniform in 0..cap, so that
 * many workers throttled together do not come back together). Other errors, and throttling that outlasts the
 * attempts, are thrown: the caller's queue retries the whole step later.
 */
export async function withBackoff<T>(call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 8_000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await sleep(Math.floor(random() * Math.min(max, base * 2 ** (attempt - 1))));
    }
  }
}

/** At most `limit` calls in flight from this process; the others wait their turn, first come first served. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency limit must be a positive integer, not ${limit}`);
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` never dips below the real count.
      if (next) next();
      else this.active--;
    }
  }
}
