/**
 * Connects a producer that pushes chunks (the list engine writing the cleaned list) to a consumer that pulls them
 * (an object store upload), holding at most one chunk: the producer awaits each push until the consumer took it,
 * so a 1 GiB list never sits in memory.
 */
export interface ByteChannel {
  readable: AsyncIterable<Uint8Array>;
  push(chunk: Uint8Array): Promise<void>;
  end(): void;
  fail(error: unknown): void;
}

export function byteChannel(): ByteChannel {
  let pending: { chunk: Uint8Array; taken: () => void } | null = null;
  let waiter: (() => void) | null = null;
  let ended = false;
  let failure: { error: unknown } | null = null;
  let cancelled = false;

  const wake = () => {
    const w = waiter;
    waiter = null;
    w?.();
  };

  return {
    readable: {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            if (failure) throw failure.error;
            if (pending) {
              const { chunk, taken } = pending;
              pending = null;
              taken();
              yield chunk;
              continue;
            }
            if (ended) return;
            await new Promise<void>((resolve) => (waiter = resolve));
          }
        } finally {
          // The consumer stopped early (an upload failed): release a producer stuck in push().
          cancelled = true;
          if (pending) pending.taken();
        }
      },
    },
    push(chunk) {
      if (ended) return Promise.reject(new Error('push after end'));
      if (cancelled) return Promise.reject(new Error('the consumer stopped reading'));
      return new Promise<void>((resolve) => {
        pending = { chunk, taken: resolve };
        wake();
      });
    },
    end() {
      ended = true;
      wake();
    },
    fail(error) {
      failure = { error };
      wake();
    },
  };
}
