import { isUtf8 } from 'node:buffer';

import { DECIDE_WINDOW, isValidUtf8 } from './decode.js';
import type { ListEncoding } from './model.js';

/**
 * A list's bytes as UTF-8, chunk for chunk: each chunk out holds exactly the text that decode.ts's decoder returns
 * for the same chunk in (docs/list-format.md, Encodings), so the byte reader sees the records, the cells and the
 * chunk cuts that the string reader sees. Valid UTF-8 passes through untouched (a sequence cut at the chunk's end
 * waits for the next chunk, as TextDecoder's streaming mode does); anything else goes through the same decoding as
 * decode.ts and is re-encoded: invalid UTF-8 becomes U+FFFD, Windows-1252 and UTF-16 become UTF-8.
 */

/** WHATWG windows-1252 for bytes 0x80-0x9F, as decode.ts (the rest of the table is latin1). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d,
  0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d,
  0x17e, 0x178,
];

/** Windows-1252 byte -> UTF-8 bytes, packed (length in the top byte). */
const CP1252_UTF8 = new Uint32Array(256);
for (let b = 0; b < 256; b++) {
  const cp = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b;
  const u = Buffer.from(String.fromCharCode(cp), 'utf8');
  CP1252_UTF8[b] = (u.length << 24) | (u[0]! << 16) | ((u[1] ?? 0) << 8) | (u[2] ?? 0);
}

export function windows1252ToUtf8(bytes: Uint8Array): Uint8Array {
  let extra = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) extra += (CP1252_UTF8[bytes[i]!]! >>> 24) - 1;
  if (extra === 0) return bytes;
  const out = new Uint8Array(bytes.length + extra);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out[o++] = b;
      continue;
    }
    const u = CP1252_UTF8[b]!;
    const len = u >>> 24;
    out[o++] = (u >>> 16) & 0xff;
    if (len > 1) out[o++] = (u >>> 8) & 0xff;
    if (len > 2) out[o++] = u & 0xff;
  }
  return out;
}

/**
 * Bytes at the end of `bytes` that TextDecoder's streaming mode holds back: the start of a sequence that is valid so
 * far and incomplete. 0 when the end is a complete character or an invalid sequence (which decodes to U+FFFD now).
 */
export function heldBackTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = bytes[n - back]!;
    if (c >= 0x80 && c < 0xc0) continue; // a continuation byte: look further back for its lead
    let needed: number;
    if (c >= 0xc2 && c <= 0xdf) needed = 1;
    else if (c >= 0xe0 && c <= 0xef) needed = 2;
    else if (c >= 0xf0 && c <= 0xf4) needed = 3;
    else return 0;
    const have = back - 1;
    if (have >= needed) return 0;
    if (have >= 1) {
      const next = bytes[n - back + 1]!;
      // WHATWG UTF-8 decoder: the first continuation's bounds after E0, ED, F0, F4
      const lower = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const upper = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (next < lower || next > upper) return 0;
    }
    return back;
  }
  return 0;
}

const REPLACEMENT = Buffer.from('\ufffd', 'utf8');
const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** No BOM and only ASCII so far: utf-8 and windows-1252 agree; decided at the first non-ASCII byte. */
const PENDING = 0;
const UTF8 = 1;
const WINDOWS_1252 = 2;
const UTF16 = 3;

export class Utf8Normaliser {
  private mode: number;
  private carry: Uint8Array = EMPTY;
  private readonly utf16: TextDecoder | null = null;
  private readonly fallback = new TextDecoder('utf-8', { ignoreBOM: true });
  private decided: ListEncoding;
  /**
   * A UTF-8 decoder drops U+FEFF as the first character it returns (TextDecoder with ignoreBOM false): the
   * utf-8-bom list's BOM, or one cut across the first chunks or starting the chunk that decided UTF-8.
   */
  private bomPending = false;

  /** `encoding` as sniffed; asciiSoFar: the head held only ASCII (decode.ts defers the choice). */
  constructor(encoding: ListEncoding, asciiSoFar: boolean) {
    this.decided = encoding;
    switch (encoding) {
      case 'utf-8':
      case 'utf-8-bom':
        this.mode = encoding === 'utf-8' && asciiSoFar ? PENDING : UTF8;
        this.bomPending = this.mode === UTF8;
        break;
      case 'windows-1252':
        this.mode = WINDOWS_1252;
        break;
      case 'utf-16le':
      case 'utf-16be':
        this.mode = UTF16;
        this.utf16 = new TextDecoder(encoding, { ignoreBOM: false });
        break;
    }
  }

  /** The encoding so far, as decode.ts's decoder reports it. */
  get encoding(): ListEncoding {
    return this.decided;
  }

  /** Whether the chunk in is 8-bit text, where a NUL is looked for in the raw bytes (as the string engine does). */
  get eightBit(): boolean {
    return this.mode !== UTF16;
  }

  convert(chunk: Uint8Array): Uint8Array {
    switch (this.mode) {
      case PENDING: {
        let at = -1;
        for (let i = 0; i < chunk.length; i++) {
          if (chunk[i]! >= 0x80) {
            at = i;
            break;
          }
        }
        if (at < 0) return chunk;
        const window = chunk.subarray(at, Math.min(chunk.length, at + DECIDE_WINDOW));
        if (isValidUtf8(window)) {
          this.mode = UTF8;
          this.decided = 'utf-8';
          // decode.ts starts a fresh TextDecoder on this chunk, which takes a leading U+FEFF as a BOM.
          this.bomPending = true;
          return this.utf8(chunk);
        }
        this.mode = WINDOWS_1252;
        this.decided = 'windows-1252';
        return windows1252ToUtf8(chunk);
      }
      case UTF8:
        return this.utf8(chunk);
      case WINDOWS_1252:
        return windows1252ToUtf8(chunk);
      default:
        return Buffer.from(this.utf16!.decode(chunk, { stream: true }), 'utf8');
    }
  }

  private utf8(chunk: Uint8Array): Uint8Array {
    const data = concat(this.carry, chunk);
    const tail = heldBackTail(data);
    const body = tail === 0 ? data : data.subarray(0, data.length - tail);
    this.carry = tail === 0 ? EMPTY : data.slice(data.length - tail);
    // Invalid UTF-8: U+FFFD where TextDecoder puts it. The body ends where a streaming decoder would have stopped.
    const out = isUtf8(body) ? body : Buffer.from(this.fallback.decode(body), 'utf8');
    if (this.bomPending && out.length > 0) {
      this.bomPending = false;
      if (out[0] === 0xef && out[1] === 0xbb && out[2] === 0xbf) return out.subarray(3);
    }
    return out;
  }

  /** What the decoder returns at the end of the list: U+FFFD for a sequence left incomplete. */
  end(): Uint8Array {
    if (this.mode === UTF16) return Buffer.from(this.utf16!.decode(), 'utf8');
    if (this.carry.length > 0) {
      this.carry = EMPTY;
      this.bomPending = false;
      return REPLACEMENT;
    }
    return EMPTY;
  }
}
