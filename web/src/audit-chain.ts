/**
 * The audit trail's hash chain, re-checked in the browser with WebCrypto (docs/architecture.md): the same rule as
 * shared/intake/audit.ts, on the same canonical JSON (shared/intake/canonical-json.ts), so that a person does not have
 * to trust the server's own check.
 *
 * hash = SHA-256 (lower-case hex) of the canonical JSON of the event without `hash`: keys sorted at every depth, no
 * insignificant whitespace, undefined members omitted. The first event's prevHash is 64 zeros.
 */
import { canonicalJson, GENESIS_HASH } from '../../shared/intake/canonical-json.js';


export interface ChainEvent {
  intakeId: string;
  seq: number;
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface ChainCheck {
  valid: boolean;
  /** Events checked before the verdict (all of them when valid). */
  checked: number;
  /** 1-based position of the first event that does not hold. */
  brokenAt?: number;
  reason?: 'empty' | 'intake' | 'seq' | 'prev_hash' | 'hash' | 'head';
}

/** The head the API reports as recorded on the intake: the event at `seq` carries `hash`. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export { canonicalJson, GENESIS_HASH };

export type Sha256Hex = (text: string) => Promise<string>;

/** SHA-256 of UTF-8 text with WebCrypto (browsers, and Node 20's global crypto). */
export const webCryptoSha256: Sha256Hex = async (text) => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
};

/**
 * Links alone cannot show that the last events were dropped (a shortened chain is still a chain): the trail must
 * also reach the recorded head. A trail without a head to compare with (an API that reports none) is not valid.
 */
export async function verifyChain(
  events: readonly ChainEvent[],
  head: ChainHead | null | undefined,
  sha256: Sha256Hex = webCryptoSha256,
): Promise<ChainCheck> {
  if (events.length === 0) return { valid: false, checked: 0, brokenAt: 1, reason: 'empty' };
  const intakeId = events[0]!.intakeId;
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const position = i + 1;
    const broken = (reason: ChainCheck['reason']): ChainCheck => ({ valid: false, checked: i, brokenAt: position, reason });
    if (event.intakeId !== intakeId) return broken('intake');
    if (event.seq !== position) return broken('seq');
    if (event.prevHash !== prevHash) return broken('prev_hash');
    const { hash, ...rest } = event;
    if ((await sha256(canonicalJson(rest))) !== hash) return broken('hash');
    prevHash = hash;
  }
  if (!head) return { valid: false, checked: events.length, brokenAt: events.length + 1, reason: 'head' };
  if (events.length < head.seq) return { valid: false, checked: events.length, brokenAt: events.length + 1, reason: 'head' };
  if (events[head.seq - 1]!.hash !== head.hash) return { valid: false, checked: events.length, brokenAt: head.seq, reason: 'head' };
  return { valid: true, checked: events.length };
}
