import { createHash } from 'node:crypto';

/**
 * The per-row keys of the consent sample (docs/consent-sampling.md): key_i = SHA-256(seed || uint32be(i)).
 *
 * `sampleKey` is the reference, written with node:crypto the way an auditor would. `SampleKeyHasher` computes the same
 * digest for every row of a list without allocating: the message is always 36 bytes, so SHA-256 is one compression of
 * one block, and the first eight rounds (which read only the seed's eight words) are the same for every row and are
 * done once. node:crypto costs about 1-2 us a row (an object and a Buffer each time); this costs a fraction of that,
 * which matters inside the list's single pass over 10 million rows. A property test holds it to the reference.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const H0 = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** The largest row index uint32be(i) can carry. */
export const MAX_SAMPLE_INDEX = 0xffffffff;

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_SAMPLE_INDEX) {
    throw new RangeError(`a released row index is a whole number from 0 to ${MAX_SAMPLE_INDEX}, not ${index}`);
  }
}

function checkSeed(seed: Uint8Array): void {
  if (seed.byteLength !== 32) throw new RangeError(`the sample seed is 32 bytes, not ${seed.byteLength}`);
}

/** key_i as 32 bytes, with node:crypto: the definition, for auditors, tests and the documentation. */
export function sampleKey(seed: Uint8Array, index: number): Buffer {
  checkSeed(seed);
  checkIndex(index);
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(index, 0);
  return createHash('sha256').update(seed).update(counter).digest();
}

/** The eight big-endian words of a key compared as one 256-bit unsigned integer: negative, 0 or positive. */
export function compareKeyWords(a: Uint32Array, b: Uint32Array): number {
  for (let j = 0; j < 8; j++) {
    const x = a[j]!;
    const y = b[j]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A key's words as 64 lower-case hex digits (the digest as SHA-256 tools print it). */
export function keyWordsHex(words: Uint32Array): string {
  let hex = '';
  for (let j = 0; j < 8; j++) hex += words[j]!.toString(16).padStart(8, '0');
  return hex;
}

/** Computes key_i for one seed, row after row, into a caller's buffer of eight words. */
export class SampleKeyHasher {
  /** The message schedule: W[0..7] the seed, W[8] the index, W[9..15] the padding of a 36-byte message. */
  private readonly w = new Int32Array(64);
  /** The working state after the eight rounds that read only the seed. */
  private readonly mid = new Int32Array(8);

  constructor(seed: Uint8Array) {
    checkSeed(seed);
    const w = this.w;
    for (let j = 0; j < 8; j++) {
      w[j] = (seed[4 * j]! << 24) | (seed[4 * j + 1]! << 16) | (seed[4 * j + 2]! << 8) | seed[4 * j + 3]!;
    }
    w[9] = 0x80000000 | 0; // the 1 bit that ends the message
    w[15] = 36 * 8; // the message length in bits
    // W[16..22] read only W[0..15] without W[8]: the same for every row.
    for (let t = 16; t < 23; t++) w[t] = schedule(w, t);
    let a = H0[0]!, b = H0[1]!, c = H0[2]!, d = H0[3]!, e = H0[4]!, f = H0[5]!, g = H0[6]!, h = H0[7]!;
    for (let t = 0; t < 8; t++) {
      const t1 = (h + sigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const t2 = (sigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    this.mid.set([a, b, c, d, e, f, g, h]);
  }

  /** Writes key_index into `out` as eight words, most significant first. */
  keyInto(index: number, out: Uint32Array): void {
    checkIndex(index);
    this.keyIntoUnchecked(index, out);
  }

  /** keyInto for a caller that has already checked the index (the selector counts them). */
  keyIntoUnchecked(index: number, out: Uint32Array): void {
    const w = this.w;
    w[8] = index | 0;
    for (let t = 23; t < 64; t++) w[t] = schedule(w, t);
    const m = this.mid;
    let a = m[0]!, b = m[1]!, c = m[2]!, d = m[3]!, e = m[4]!, f = m[5]!, g = m[6]!, h = m[7]!;
    for (let t = 8; t < 64; t++) {
      const t1 = (h + sigma1(e) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const t2 = (sigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    out[0] = (H0[0]! + a) >>> 0;
    out[1] = (H0[1]! + b) >>> 0;
    out[2] = (H0[2]! + c) >>> 0;
    out[3] = (H0[3]! + d) >>> 0;
    out[4] = (H0[4]! + e) >>> 0;
    out[5] = (H0[5]! + f) >>> 0;
    out[6] = (H0[6]! + g) >>> 0;
    out[7] = (H0[7]! + h) >>> 0;
  }
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

function sigma0(a: number): number {
  return rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
}

function sigma1(e: number): number {
  return rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
}

function schedule(w: Int32Array, t: number): number {
  const x = w[t - 15]!;
  const y = w[t - 2]!;
  const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
  const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
  return (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
}
