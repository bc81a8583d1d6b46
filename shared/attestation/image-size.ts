/**
 * The pixel size of a PNG, JPEG or TIFF read from its header alone, so that an image too large to decode is refused
 * before any decoder allocates width x height (docs/limits-and-retention.md: a 20,000 x 20,000 PNG is a few hundred KB).
 */

export interface ImageSize {
  width: number;
  height: number;
}

/** The size of the image, the largest page of a multi-page TIFF; null when the header cannot be read. */
export function imageSize(bytes: Uint8Array): ImageSize | null {
  if (isPng(bytes)) return pngSize(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegSize(bytes);
  if (bytes.length >= 8 && ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d))) return tiffSize(bytes);
  return null;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** IHDR is the first chunk: width and height at offsets 16 and 20, big-endian. */
function pngSize(bytes: Uint8Array): ImageSize | null {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const v = view(bytes);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/** The first start-of-frame segment (SOF0-SOF15 but DHT, JPG and DAC): height, then width. */
function jpegSize(bytes: Uint8Array): ImageSize | null {
  const v = view(bytes);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or scan data before any frame header
    const length = v.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) return null;
      return { height: v.getUint16(at + 5), width: v.getUint16(at + 7) };
    }
    at += 2 + length;
  }
  return null;
}

const TIFF_MAX_PAGES = 256;

/** Every IFD's ImageWidth (256) and ImageLength (257), SHORT or LONG; the largest page wins. */
function tiffSize(bytes: Uint8Array): ImageSize | null {
  const v = view(bytes);
  const little = bytes[0] === 0x49;
  if (v.getUint16(2, little) !== 42) return null;
  let offset = v.getUint32(4, little);
  let best: ImageSize | null = null;
  const seen = new Set<number>();
  for (let page = 0; page < TIFF_MAX_PAGES && offset !== 0 && !seen.has(offset); page++) {
    seen.add(offset);
    if (offset + 2 > bytes.length) break;
    const entries = v.getUint16(offset, little);
    let width = 0;
    let height = 0;
    for (let i = 0; i < entries; i++) {
      const entry = offset + 2 + i * 12;
      if (entry + 12 > bytes.length) break;
      const tag = v.getUint16(entry, little);
      if (tag !== 256 && tag !== 257) continue;
      const type = v.getUint16(entry + 2, little);
      const value = type === 3 ? v.getUint16(entry + 8, little) : type === 4 ? v.getUint32(entry + 8, little) : 0;
      if (tag === 256) width = value;
      else height = value;
    }
    if (width > 0 && height > 0 && (best === null || width * height > best.width * best.height)) best = { width, height };
    const next = offset + 2 + entries * 12;
    if (next + 4 > bytes.length) break;
    offset = v.getUint32(next, little);
  }
  return best;
}
