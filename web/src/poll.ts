/**
 * Waiting for a verdict without reloading: the intake is read again after a delay that grows with each unchanged
 * answer (1 s, 1.5 s, 2.25 s ... up to 15 s), so a verdict that takes seconds shows at once and one that takes
 * minutes costs few requests. The clock is injected (`sleep`), so tests run without real waiting.
 */
export interface Backoff {
  initialMs: number;
  factor: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, factor: 1.5, maxMs: 15_000 };

/** The delay before read number `attempt` (0-based): initial × factor^attempt, capped. */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  const delay = backoff.initialMs * backoff.factor ** Math.max(0, attempt);
  return Math.min(backoff.maxMs, Math.round(delay));
}

/** Statuses that change on their own (the pipeline is working): a page showing one keeps reading. */
export const MOVING_STATUSES = new Set(['PROCESSING', 'APPROVED']);

export interface PollOptions<T> {
  read: () => Promise<T>;
  /** True when the value is final for this page (the poll stops and resolves with it). */
  done: (value: T) => boolean;
  /** Called with each value read that is not yet done. */
  onValue?: (value: T) => void;
  /** Whether to go on (the page is still shown); false stops the poll, resolving undefined. */
  active: () => boolean;
  sleep: (ms: number) => Promise<void>;
  backoff?: Backoff;
  /** When a read fails: go on polling (true) or stop with the error (false, default). */
  retryErrors?: boolean;
}

/** Reads until done, inactive, or a read fails (unless retryErrors): waits backoffDelay(n) before the n-th read. */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    await options.sleep(backoffDelay(attempt, options.backoff));
    if (!options.active()) return undefined;
    let value: T;
    try {
      value = await options.read();
    } catch (error) {
      if (options.retryErrors) continue;
      throw error;
    }
    if (!options.active()) return undefined;
    if (options.done(value)) return value;
    options.onValue?.(value);
  }
}
