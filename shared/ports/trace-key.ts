/**
 * The per-deployment key under which a trace index hashes numbers (docs/api.md: HMAC-SHA-256 of the E.164
 * number). Without the key a hash says nothing: anyone can hash every Italian mobile number in minutes, but not under
 * a key they do not hold. Implementations: a key file in the data folder (shared/adapters/local/file-trace-key.ts)
 * and a Secrets Manager secret in AWS (shared/adapters/secrets-manager/secret-trace-key.ts).
 */
export interface TraceKeySource {
  /** The key's bytes (at least 32). The same for every call in a deployment: a changed key orphans the index. */
  key(): Promise<Uint8Array>;
}

/** HMAC-SHA-256 keys shorter than its block's half add no strength; a key under 32 bytes is refused. */
export const MIN_TRACE_KEY_BYTES = 32;
