/**
 * The call center's own check of a download (docs/api.md): the receipt names the SHA-256 of the list as
 * released; the list the browser downloaded is hashed here with WebCrypto and compared, so a list altered or
 * swapped between Filiera and the call center is seen before it is dialled.
 */
export interface HashCheck {
  /** The receipt's `released.sha256`, or null when the receipt names none. */
  expected: string | null;
  actual: string;
  verified: boolean;
}

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<string> {
  const digest = await subtle.digest('SHA-256', bytes instanceof Uint8Array ? (bytes as Uint8Array<ArrayBuffer>) : bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The released list's hash as the receipt records it (filiera/provenance-receipt/v1, `released.sha256`). */
export function releasedHash(receipt: unknown): string | null {
  if (!receipt || typeof receipt !== 'object') return null;
  const released = (receipt as { released?: unknown }).released;
  if (!released || typeof released !== 'object') return null;
  const sha = (released as { sha256?: unknown }).sha256;
  return typeof sha === 'string' && /^[0-9a-f]{64}$/i.test(sha) ? sha.toLowerCase() : null;
}

export async function checkReleasedList(receipt: unknown, list: ArrayBuffer | Uint8Array, subtle?: SubtleCrypto): Promise<HashCheck> {
  const expected = releasedHash(receipt);
  const actual = await sha256Hex(list, subtle);
  return { expected, actual, verified: expected !== null && expected === actual };
}
