import { inflateSync } from 'node:zlib';
import { imageSize } from './image-size.js';

/**
 * docs/limits-and-retention.md: decompression, text extraction and rasterising are bounded in bytes, items, pages and pixels;
 * a document over a bound is unreadable (a finding naming the bound), never an out-of-memory kill or a time-out.
 *
 * An attestation is a form of a page or two. The defaults leave room for what real offices send (a lossless colour
 * scan of a few A4 pages at 600 dpi, a 50-megapixel phone photo) and refuse what only an attack or an accident makes:
 * a 1 MB PDF whose one stream inflates to a GiB, a 20,000 x 20,000 image, a PDF of ten thousand pages or a million
 * text items. Peak memory stays within a 2 GB Lambda: one stream's output at a time, then pdfjs's own copy of it.
 */
export interface DocumentLimits {
  /** Bytes one PDF stream may decode to: an A4 page at 600 dpi in RGB, losslessly compressed, is 105 MB. */
  maxStreamBytes: number;
  /** Bytes all the streams of one PDF may decode to together. */
  maxDecodedBytes: number;
  /**
   * Decoded bytes of page descriptions (content streams, form XObjects: every stream that is not an image, a font or
   * a file structure). A form page takes tens of KB; reading 16 MiB of drawing operators took pdfjs 47 s here.
   */
  maxContentBytes: number;
  /**
   * Decoded bytes of every stream that is not an image: page descriptions, fonts, file structure, metadata. Whether a
   * stream is a font is the document's own word, so this is what bounds a drawing that calls itself a font (a full
   * CJK font is 10 to 20 MB; a form embeds subsets of a few tens of KB).
   */
  maxNonImageBytes: number;
  /** Pixels of one image (in a PDF, or a PNG/JPEG/TIFF scan): A4 at 600 dpi is 35 million, a 50 MP phone photo 50. */
  maxImagePixels: number;
  /** Pages of one PDF. */
  maxPages: number;
  /**
   * Streams of one PDF: a form has tens, a scanned PDF one or two per page. Each costs a decoder's set-up (about
   * 0.4 ms for zlib here), so 100,000 tiny streams in 3 MB would take 40 s to measure, and as long to read.
   */
  maxStreams: number;
  /** Text items of one PDF, all pages together (a dense form page has a few thousand). */
  maxTextItems: number;
  /**
   * Milliseconds pdfjs may spend reading one PDF, checked between its steps (a page's text, a page's operators): the
   * bounds above keep each step small, this keeps their sum short. A 36-page manual reads in about a second here.
   */
  maxReadMs: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  maxStreamBytes: 128 * 1024 * 1024,
  maxDecodedBytes: 512 * 1024 * 1024,
  maxContentBytes: 4 * 1024 * 1024,
  maxNonImageBytes: 32 * 1024 * 1024,
  maxImagePixels: 60_000_000,
  maxPages: 50,
  maxStreams: 5_000,
  maxTextItems: 100_000,
  maxReadMs: 60_000,
};

/** A document over one of the limits: the message names the bound, for the finding. */
export class DocumentLimitError extends Error {
  override name = 'DocumentLimitError';
  constructor(
    readonly limit: keyof DocumentLimits,
    readonly max: number,
    message: string,
  ) {
    super(message);
  }
}

export function mebibytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/** Worst-case output per input byte of the filters measured by their ratio instead of decoded here. */
const RUN_LENGTH_MAX_RATIO = 64; // 2 bytes in, 128 out
const FILTER_NAMES: Record<string, string> = {
  Fl: 'FlateDecode',
  AHx: 'ASCIIHexDecode',
  A85: 'ASCII85Decode',
  LZW: 'LZWDecode',
  RL: 'RunLengthDecode',
  DCT: 'DCTDecode',
  CCF: 'CCITTFaxDecode',
};

/**
 * Whether the PDF's trailer (or cross-reference stream) names an /Encrypt dictionary. Its streams cannot be measured
 * before a reader decrypts them, and pdfjs decrypts a PDF with an empty user password without asking: such a PDF is
 * unreadable as a password-protected one is (docs/attestation-format.md: an encrypted PDF is attestation_unreadable).
 */
export function declaresEncryption(bytes: Uint8Array): boolean {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return /\/Encrypt\s{0,64}(?:\d{1,10}\s{1,64}\d{1,5}\s{1,64}R|<<)/.test(raw);
}

/**
 * Checks every stream of a PDF against the limits before a PDF library decodes it: each filter chain is decoded (Flate,
 * ASCIIHex, ASCII85, LZW as pdfjs decodes it) with the output capped, RunLength bounded by its worst-case ratio;
 * images are held to the pixel bound by their declared size (PDF readers allocate width x height before decoding),
 * JPEG ones by their own frame header. Inline images in content streams are checked too. Throws DocumentLimitError;
 * returns normally when every bound holds.
 *
 * Streams are found and read as pdfjs reads them: a `stream` keyword after a dictionary, the data from the next line,
 * the dictionary's top-level entries only (names unescaped, /F before /Filter, /W before /Width). Every stream is in
 * the raw file: streams are never inside object streams (ISO 32000-1, 7.5.7).
 */
export function checkPdfLimits(bytes: Uint8Array, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): void {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const objects = new ObjectIndex(raw);
  let decoded = 0;
  let content = 0;
  let nonImage = 0;
  let textOperators = 0;
  let previousEnd = 0;
  let streams = 0;
  // `>>`, then whitespace or comments, then the keyword (pdfjs's parser makes a stream of a dictionary so followed).
  const streamRe = />>[\s\0]{0,64}(?:%[^\r\n]{0,256}[\s\0]{1,64}){0,8}stream(?![A-Za-z0-9])/g;
  let match: RegExpExecArray | null;
  while ((match = streamRe.exec(raw)) !== null) {
    if (++streams > limits.maxStreams) {
      throw new DocumentLimitError('maxStreams', limits.maxStreams, `The PDF holds more than ${limits.maxStreams} streams, the limit for an attestation.`);
    }
    const keywordAt = match.index + match[0].length - 'stream'.length;
    const start = nextLine(raw, keywordAt + 'stream'.length);
    const entries = topLevelEntries(objects.dictionaryBefore(keywordAt, previousEnd));
    const entry = (...keys: string[]) => keys.map((k) => entries.get(k)).find((v) => v !== undefined) ?? '';
    const declared = objects.integer(INDIRECT_OR_INT.exec(entry('Length')));
    let end = declared !== null && raw.startsWith('endstream', skipEol(raw, start + declared)) ? start + declared : -1;
    if (end < 0) end = raw.indexOf('endstream', start);
    if (end < 0) end = raw.length;
    const image = /^\s*\/Image\b/.test(entry('Subtype'));
    if (image) {
      const width = objects.integer(INDIRECT_OR_INT.exec(entry('W', 'Width')));
      const height = objects.integer(INDIRECT_OR_INT.exec(entry('H', 'Height')));
      if (width !== null && height !== null) checkPixels(width, height, limits, 'an image');
    }
    const description = !image && !notAPageDescription(entries);
    const earlyChange = /\/EarlyChange\s{1,64}0\b/.test(entry('DP', 'DecodeParms')) ? 0 : 1;
    const filters = objects.filters(entry('F', 'Filter'));
    const out = decodeStream(bytes.subarray(start, end), filters, limits, limits.maxDecodedBytes - decoded, description, earlyChange);
    decoded += out.length;
    if (!image) {
      nonImage += out.length;
      if (nonImage > limits.maxNonImageBytes) {
        throw new DocumentLimitError(
          'maxNonImageBytes',
          limits.maxNonImageBytes,
          `The PDF's streams other than images expand past ${mebibytes(limits.maxNonImageBytes)}, the limit for an attestation.`,
        );
      }
    }
    if (description) {
      content += out.length;
      if (content > limits.maxContentBytes) {
        throw new DocumentLimitError(
          'maxContentBytes',
          limits.maxContentBytes,
          `The PDF's page descriptions take more than ${mebibytes(limits.maxContentBytes)}, the limit for an attestation.`,
        );
      }
    }
    if (out.text !== null) {
      if (/\bBI\b/.test(out.text)) checkInlineImages(out.text, limits);
      // Each text-showing operator is at least one text item: refuse before pdfjs builds them all.
      textOperators += countTextOperators(out.text);
      if (textOperators > limits.maxTextItems) {
        throw new DocumentLimitError('maxTextItems', limits.maxTextItems, `The PDF holds more than ${limits.maxTextItems} text items, the limit for an attestation.`);
      }
    }
    streamRe.lastIndex = Math.max(end, start);
    previousEnd = streamRe.lastIndex;
  }
}

/**
 * A value `123` or `12 0 R`. Every quantifier here and below is bounded: the text is the attacker's, and an
 * unbounded \d+ before a pattern that fails backtracks over a long digit run from every start (quadratic).
 */
const INDIRECT_OR_INT = /^\s{0,64}(\d{1,12})(?:\s{1,64}(\d{1,5})\s{1,64}R)?/;

/**
 * Streams that do not describe pages: fonts (FontFile's /Length1-3, FontFile3's subtypes), file structure, metadata,
 * attachments, character maps, colour profiles (/N and /Alternate).
 */
function notAPageDescription(entries: Map<string, string>): boolean {
  if (entries.has('Length1') || entries.has('Length2') || entries.has('Length3')) return true;
  if (/^\s*\/(?:Type1C|CIDFontType0C|OpenType|XML)\b/.test(entries.get('Subtype') ?? '')) return true;
  if (/^\s*\/(?:XRef|ObjStm|Metadata|EmbeddedFile|CMap)\b/.test(entries.get('Type') ?? '')) return true;
  return entries.has('N') && entries.has('Alternate');
}

const DELIMITER = /[\s\0()<>[\]{}/%]/;

/** A name's text with its #xx escapes decoded (ISO 32000-1, 7.3.5), as pdfjs's lexer reads it. */
function unescapeName(name: string): string {
  return name.includes('#') ? name.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : name;
}

/**
 * The entries of the first dictionary in `text` (a stream's object: `N G obj << ... >>`), top level only: nested
 * dictionaries, arrays, strings and comments are stepped over, so a key inside /DecodeParms or a string is never
 * taken for the stream's own. Values are their source text with names unescaped; a later duplicate key wins, as in
 * pdfjs. One pass, linear in the text.
 */
export function topLevelEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  let depth = 0;
  let arrays = 0;
  let key: string | null = null;
  /** The current key has a value token already: the next top-level name is the next key. */
  let valued = false;
  let valueStart = 0;
  const close = (at: number) => {
    // Comments are whitespace to pdfjs: `/Width %x` then a line break, then `20000`, is a width of 20000.
    if (key !== null) entries.set(key, unescapeName(text.slice(valueStart, at).replace(/%[^\r\n]*/g, ' ')));
    key = null;
  };
  const token = () => {
    if (depth === 1 && key !== null) valued = true;
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '%') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '(') {
      token();
      let nesting = 0;
      for (; i < text.length; i++) {
        const d = text[i];
        if (d === '\\') i++;
        else if (d === '(') nesting++;
        else if (d === ')' && --nesting === 0) break;
      }
      i++;
    } else if (c === '<' && text[i + 1] === '<') {
      token();
      if (++depth === 1) valueStart = i + 2;
      i += 2;
    } else if (c === '<') {
      token();
      const endHex = text.indexOf('>', i);
      i = endHex < 0 ? text.length : endHex + 1;
    } else if (c === '>' && text[i + 1] === '>') {
      if (depth > 0 && --depth === 0) {
        close(i);
        return entries;
      }
      i += 2;
    } else if (c === '[') {
      token();
      arrays++;
      i++;
    } else if (c === ']') {
      arrays = Math.max(0, arrays - 1);
      i++;
    } else if (c === '/') {
      let j = i + 1;
      while (j < text.length && !DELIMITER.test(text[j]!)) j++;
      if (depth === 1 && arrays === 0) {
        // At the top level a name is a key, unless it is the value of the key before it.
        if (key === null || valued) {
          close(i);
          key = unescapeName(text.slice(i + 1, j));
          valueStart = j;
          valued = false;
        } else valued = true;
      }
      i = j;
    } else {
      if (!/[\s\0]/.test(c)) token();
      i++;
    }
  }
  close(text.length);
  return entries;
}

/** Tj, TJ, ' and " after their string or array operand. */
function countTextOperators(text: string): number {
  let count = 0;
  const re = /[)\]>]\s*(?:Tj|TJ|'|")/g;
  while (re.exec(text) !== null) count++;
  return count;
}

/**
 * Where each `N G obj` starts, found in one pass: a stream's dictionary is what lies between its object's header and
 * its `stream` keyword, and indirect values (`/Length 12 0 R`) are read at their object.
 */
class ObjectIndex {
  private readonly starts: number[] = [];
  private readonly byRef = new Map<string, number>();

  constructor(private readonly raw: string) {
    for (const m of raw.matchAll(/(?<![0-9])([0-9]{1,10})\s{1,64}([0-9]{1,5})\s{1,64}obj\b/g)) {
      this.starts.push(m.index);
      // The last definition wins, as an incremental update's does.
      this.byRef.set(`${m[1]} ${m[2]}`, m.index + m[0].length);
    }
  }

  /**
   * The dictionary before a `stream` keyword: back to its object's header, never before the previous stream's end
   * (so dictionaries never overlap: the walk stays linear), at most 1 MiB back.
   */
  dictionaryBefore(streamAt: number, floor: number): string {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! < streamAt) {
        found = this.starts[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const from = Math.max(found, floor, 0);
    if (streamAt - from > 1024 * 1024) {
      throw new DocumentLimitError('maxStreamBytes', 1024 * 1024, 'The PDF has a stream dictionary longer than 1 MiB: it is not a form.');
    }
    return this.raw.slice(from, streamAt);
  }

  /** A direct integer, or an indirect one read at its object (`N G obj 123 endobj`). */
  integer(found: RegExpExecArray | null): number | null {
    if (!found) return null;
    if (found[2] === undefined) return Number(found[1]);
    const at = this.byRef.get(`${found[1]} ${found[2]}`);
    if (at === undefined) return null;
    const value = /^\s{0,16}(\d{1,12})\s{1,16}endobj/.exec(this.raw.slice(at, at + 64));
    return value ? Number(value[1]) : null;
  }

  /**
   * The stream's filters in decoding order (abbreviations expanded), from the value of its /F or /Filter entry; an
   * indirect value is read at its object.
   */
  filters(value: string): string[] {
    const ref = /^\s{0,64}(\d{1,10})\s{1,64}(\d{1,5})\s{1,64}R/.exec(value);
    if (ref) {
      const at = this.byRef.get(`${ref[1]} ${ref[2]}`);
      value = at === undefined ? '/Unknown' : unescapeName(/^\s{0,64}(\/[^\s\0()<>[\]{}/%]{1,192}|\[[^\]]{0,1000}\])/.exec(this.raw.slice(at, at + 1100))?.[1] ?? '/Unknown');
    }
    return [...value.matchAll(/\/([^\s\0()<>[\]{}/%]{1,192})/g)].map((m) => FILTER_NAMES[m[1]!] ?? m[1]!);
  }
}

/** Where pdfjs starts a stream's data: after the first line end (CR, LF or CR LF) from the keyword on. */
function nextLine(raw: string, at: number): number {
  for (let i = at; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x0a) return i + 1;
    if (c === 0x0d) return raw.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
  }
  return raw.length;
}

function skipEol(raw: string, at: number): number {
  while (at < raw.length && (raw[at] === '\r' || raw[at] === '\n' || raw[at] === ' ')) at++;
  return at;
}

export function checkPixels(width: number, height: number, limits: DocumentLimits, what: string): void {
  if (width * height > limits.maxImagePixels) {
    throw new DocumentLimitError(
      'maxImagePixels',
      limits.maxImagePixels,
      `The document holds ${what} of ${width} x ${height} pixels, over the limit of ${limits.maxImagePixels} pixels per image.`,
    );
  }
}

/** Each BI ... ID: the inline image's dictionary, read in one pass over the BI and ID operators. */
function checkInlineImages(content: string, limits: DocumentLimits): void {
  let open = -1;
  for (const m of content.matchAll(/\b(BI|ID)\b/g)) {
    if (m[1] === 'BI') {
      open = m.index + 2;
      continue;
    }
    if (open < 0) continue;
    const dict = content.slice(open, Math.min(m.index, open + 4096));
    open = -1;
    const width = /\/(?:W|Width)\s{1,64}(\d{1,12})/.exec(dict)?.[1];
    const height = /\/(?:H|Height)\s{1,64}(\d{1,12})/.exec(dict)?.[1];
    if (width && height) checkPixels(Number(width), Number(height), limits, 'an inline image');
  }
}

interface Decoded {
  length: number;
  /** The decoded bytes as latin1, when the chain was decoded here (content streams: inline images are looked for). */
  text: string | null;
}

function decodeStream(
  data: Uint8Array,
  filters: string[],
  limits: DocumentLimits,
  budget: number,
  keepText: boolean,
  earlyChange: number,
): Decoded {
  const cap = Math.min(limits.maxStreamBytes, Math.max(0, budget));
  const over = (): never => {
    if (budget <= limits.maxStreamBytes) {
      throw new DocumentLimitError(
        'maxDecodedBytes',
        limits.maxDecodedBytes,
        `The PDF's compressed streams expand past ${mebibytes(limits.maxDecodedBytes)} in all, the limit for one document.`,
      );
    }
    throw new DocumentLimitError(
      'maxStreamBytes',
      limits.maxStreamBytes,
      `The PDF holds a compressed stream that expands past ${mebibytes(limits.maxStreamBytes)}, the limit for one stream.`,
    );
  };
  let current: Uint8Array = data;
  let decodedHere = true;
  let bound = data.length;
  for (const filter of filters) {
    if (!decodedHere) {
      // After a filter bounded by ratio only, what follows cannot be decoded here: bound it by the worst case.
      bound = filter === 'FlateDecode' ? Infinity : bound * ratioOf(filter);
      continue;
    }
    switch (filter) {
      case 'FlateDecode':
        current = inflateCapped(current, cap, over);
        bound = current.length;
        break;
      case 'ASCIIHexDecode':
        current = decodeAsciiHex(current);
        bound = current.length;
        break;
      case 'ASCII85Decode':
        current = decodeAscii85(current);
        bound = current.length;
        break;
      case 'LZWDecode':
        current = decodeLzw(current, earlyChange, cap, over);
        bound = current.length;
        break;
      case 'DCTDecode': {
        // A JPEG decoder sizes its output from the JPEG's own frame header, whatever the dictionary declares.
        const size = imageSize(current);
        if (size) checkPixels(size.width, size.height, limits, 'a JPEG image');
        decodedHere = false;
        bound = 0;
        break;
      }
      default:
        decodedHere = false;
        bound = current.length * ratioOf(filter);
    }
    if (bound > cap) over();
  }
  if (bound > cap) over();
  if (!decodedHere) return { length: Math.min(bound, cap), text: null };
  return { length: current.length, text: keepText ? Buffer.from(current.buffer, current.byteOffset, current.byteLength).toString('latin1') : null };
}

/** Image codecs decode to what their declared size says (checked as pixels); the other filters by their ratio. */
function ratioOf(filter: string): number {
  if (filter === 'RunLengthDecode') return RUN_LENGTH_MAX_RATIO;
  return 1;
}

/**
 * LZW as pdfjs decodes it (its LZWStream, step for step), the output capped. pdfjs reads a code past the table as
 * "the previous sequence plus its first byte" and lets that sequence grow without end, so n such codes expand to
 * about n^2/2 bytes: no ratio bounds it, only decoding it the same way does.
 */
function decodeLzw(data: Uint8Array, earlyChange: number, cap: number, over: () => never): Uint8Array {
  const size = 4096;
  const values = new Uint8Array(size);
  const lengths = new Uint16Array(size);
  const prevCodes = new Uint16Array(size);
  const sequence = new Uint8Array(size);
  for (let i = 0; i < 256; i++) {
    values[i] = i;
    lengths[i] = 1;
  }
  let out = new Uint8Array(Math.min(cap + 1, Math.max(1024, data.length * 4)));
  let length = 0;
  let sequenceLength = 0;
  let codeLength = 9;
  let nextCode = 258;
  let prevCode = 0;
  let at = 0;
  let cached = 0;
  let bits = 0;
  let eof = false;
  // pdfjs decodes blocks of 512 codes and stops after the block in which the data ran out (a missing code reads as 0).
  for (let block = 0; !eof; block++) {
    for (let i = 0; i < 512; i++) {
      let code = 0;
      while (bits < codeLength && !eof) {
        if (at >= data.length) eof = true;
        else {
          cached = ((cached << 8) | data[at++]!) >>> 0;
          bits += 8;
        }
      }
      if (bits >= codeLength) {
        bits -= codeLength;
        code = (cached >>> bits) & ((1 << codeLength) - 1);
      }
      const hasPrev = sequenceLength > 0;
      if (code < 256) {
        sequence[0] = code;
        sequenceLength = 1;
      } else if (code >= 258) {
        if (code < nextCode) {
          sequenceLength = lengths[code]!;
          for (let j = sequenceLength - 1, q = code; j >= 0; j--) {
            sequence[j] = values[q]!;
            q = prevCodes[q]!;
          }
        } else {
          sequence[sequenceLength++] = sequence[0]!;
        }
      } else if (code === 256) {
        codeLength = 9;
        nextCode = 258;
        sequenceLength = 0;
        continue;
      } else {
        return out.subarray(0, length);
      }
      if (hasPrev) {
        prevCodes[nextCode] = prevCode;
        lengths[nextCode] = lengths[prevCode]! + 1;
        values[nextCode] = sequence[0]!;
        nextCode++;
        codeLength =
          (nextCode + earlyChange) & (nextCode + earlyChange - 1)
            ? codeLength
            : Math.min(Math.log(nextCode + earlyChange) / 0.6931471805599453 + 1, 12) | 0;
      }
      prevCode = code;
      if (length + sequenceLength > cap) over();
      if (length + sequenceLength > out.length) {
        const grown = new Uint8Array(Math.min(cap + 1, Math.max(out.length * 2, length + sequenceLength)));
        grown.set(out.subarray(0, length));
        out = grown;
      }
      // Past the 4,096-byte sequence buffer pdfjs reads undefined, written as 0.
      for (let j = 0; j < sequenceLength; j++) out[length++] = j < size ? sequence[j]! : 0;
    }
  }
  return out.subarray(0, length);
}

function inflateCapped(data: Uint8Array, cap: number, over: () => never): Uint8Array {
  try {
    // Z_SYNC_FLUSH: PDF readers accept a stream without its final block; so must the measure.
    return inflateSync(data, { finishFlush: 2, maxOutputLength: Math.max(1, cap + 1) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) over();
    // A stream that does not inflate decodes to nothing a reader can use.
    return new Uint8Array(0);
  }
}

function decodeAsciiHex(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const end = text.indexOf('>');
  let hex = (end < 0 ? text : text.slice(0, end)).replace(/[^0-9A-Fa-f]/g, '');
  if (hex.length % 2) hex += '0';
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** ASCII85 (ISO 32000-1, 7.4.3): at most 4 bytes out per character ('z'), so the output is sized first. */
function decodeAscii85(data: Uint8Array): Uint8Array {
  let size = 0;
  let pending = 0;
  for (const c of data) {
    if (c === 0x7e) break;
    if (c === 0x7a && pending === 0) size += 4;
    else if (c >= 0x21 && c <= 0x75 && ++pending === 5) {
      size += 4;
      pending = 0;
    }
  }
  const out = new Uint8Array(size + 4);
  let at = 0;
  let group = 0;
  let count = 0;
  for (const c of data) {
    if (c === 0x7e) break; // '~>' ends the data
    if (c === 0x7a && count === 0) {
      at += 4; // four zero bytes
      continue;
    }
    if (c < 0x21 || c > 0x75) continue;
    group = group * 85 + (c - 0x21);
    if (++count === 5) {
      out[at++] = (group >>> 24) & 0xff;
      out[at++] = (group >>> 16) & 0xff;
      out[at++] = (group >>> 8) & 0xff;
      out[at++] = group & 0xff;
      group = 0;
      count = 0;
    }
  }
  if (count > 1) {
    for (let i = count; i < 5; i++) group = group * 85 + 84;
    for (let i = 0; i < count - 1; i++) out[at++] = (group >>> (24 - 8 * i)) & 0xff;
  }
  return out.subarray(0, at);
}

/**
 * Why a scan image (PNG, JPEG, TIFF) may not be decoded, from its header alone, or null when it may. An image whose
 * header cannot be read is left to the decoder, which refuses it on its own.
 */
export function scanImageOverLimit(bytes: Uint8Array, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): string | null {
  const size = imageSize(bytes);
  if (size === null) return null;
  try {
    checkPixels(size.width, size.height, limits, 'an image');
    return null;
  } catch (error) {
    if (error instanceof DocumentLimitError) return error.message;
    throw error;
  }
}
