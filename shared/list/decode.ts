import type { ListEncoding } from './model.js';

/**
 * Streamed decoding of list bytes. Multi-byte sequences split across chunks are carried over (TextDecoder with
 * stream: true). Windows-1252 is decoded by hand: Node 20's TextDecoder('windows-1252') decodes 0x80-0x9F as C1
 * controls (it is latin1 in disguise), so '€' (0x80) and '’' (0x92), everyday characters in Italian Excel exports,
 * would come out wrong.
 */

/** WHATWG windows-1252 for bytes 0x80-0x9F (the rest of the table is latin1). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d,
  0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d,
  0x17e, 0x178,
];
const C1 = /[\x80-\x9f]/g;
const C1_TEST = /[\x80-\x9f]/;

function fixC1(ch: string): string {
  return String.fromCharCode(CP1252_HIGH[ch.charCodeAt(0) - 0x80]!);
}

export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return C1_TEST.test(latin1) ? latin1.replace(C1, fixC1) : latin1;
}

export interface ListDecoder {
  /** The encoding so far (a pure-ASCII prefix reads as utf-8 until a non-ASCII byte decides). */
  readonly encoding: ListEncoding;
  decode(chunk: Uint8Array): string;
  end(): string;
}

class TextListDecoder implements ListDecoder {
  private readonly decoder: TextDecoder;
  constructor(
    readonly encoding: ListEncoding,
    label: string,
  ) {
    // ignoreBOM false: the BOM is consumed, not returned as U+FEFF.
    this.decoder = new TextDecoder(label, { ignoreBOM: false });
  }
  decode(chunk: Uint8Array): string {
    return this.decoder.decode(chunk, { stream: true });
  }
  end(): string {
    return this.decoder.decode();
  }
}

class Windows1252Decoder implements ListDecoder {
  readonly encoding = 'windows-1252' as const;
  decode(chunk: Uint8Array): string {
    return decodeWindows1252(chunk);
  }
  end(): string {
    return '';
  }
}

/** True if bytes (from the first non-ASCII byte on) are valid UTF-8, tolerating a sequence cut at the end. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return i;
  return -1;
}

export const DECIDE_WINDOW = 64 * 1024;

/**
 * A list without BOM whose first bytes are all ASCII: utf-8 and windows-1252 agree on everything read so far, so
 * the choice waits for the first non-ASCII byte and is made on the bytes that follow it.
 */
class PendingAsciiDecoder implements ListDecoder {
  private inner: ListDecoder | null = null;
  get encoding(): ListEncoding {
    return this.inner?.encoding ?? 'utf-8';
  }
  decode(chunk: Uint8Array): string {
    if (this.inner !== null) return this.inner.decode(chunk);
    const at = firstNonAscii(chunk);
    if (at < 0) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const window = chunk.subarray(at, Math.min(chunk.length, at + DECIDE_WINDOW));
    this.inner = isValidUtf8(window) ? new TextListDecoder('utf-8', 'utf-8') : new Windows1252Decoder();
    return this.inner.decode(chunk);
  }
  end(): string {
    return this.inner?.end() ?? '';
  }
}

/** A decoder for a sniffed encoding; asciiSoFar says the sniffed head held only ASCII (decision deferred). */
export function createListDecoder(encoding: ListEncoding, asciiSoFar = false): ListDecoder {
  switch (encoding) {
    case 'utf-8':
      return asciiSoFar ? new PendingAsciiDecoder() : new TextListDecoder('utf-8', 'utf-8');
    case 'utf-8-bom':
      return new TextListDecoder('utf-8-bom', 'utf-8');
    case 'utf-16le':
      return new TextListDecoder('utf-16le', 'utf-16le');
    case 'utf-16be':
      return new TextListDecoder('utf-16be', 'utf-16be');
    case 'windows-1252':
      return new Windows1252Decoder();
  }
}

export function isAscii(bytes: Uint8Array): boolean {
  return firstNonAscii(bytes) < 0;
}
