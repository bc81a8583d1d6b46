import { inflateSync } from 'node:zlib';
import type { AttestationKind } from './model.js';

/** Scanners and mail gateways sometimes put junk before the header; PDF readers accept it within the first 1 KiB. */
const PDF_HEADER_WINDOW = 1024;
/** DER of OID 1.2.840.113549.1.7.2 (id-signedData), tag and length included. */
const SIGNED_DATA_OID = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);
/**
 * Inflating every stream of a huge PDF to look for fonts is not worth it: past this much, the text layer decides. It
 * caps each inflation's output too (docs/limits-and-retention.md): one stream of a small PDF may inflate to a GiB.
 */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
/** Streams inflated at most: each costs a decoder's set-up (about 0.4 ms), and 100,000 tiny ones fit in 3 MB. */
const MAX_INFLATED_STREAMS = 1000;

export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, end - start)).toString('latin1');
}

/** Offset of `%PDF-` within the first KiB, or -1. */
export function pdfHeaderOffset(bytes: Uint8Array): number {
  return latin1(bytes, 0, Math.min(bytes.length, PDF_HEADER_WINDOW + 5)).indexOf('%PDF-');
}

/**
 * True when the bytes start like a CMS ContentInfo carrying SignedData: SEQUENCE (definite or indefinite length)
 * whose first element is the id-signedData OID. Only the header is looked at.
 */
export function looksLikeCmsSignedData(bytes: Uint8Array): boolean {
  if (bytes.length < 2 + SIGNED_DATA_OID.length || bytes[0] !== 0x30) return false;
  const first = bytes[1]!;
  let offset: number;
  if (first < 0x80 || first === 0x80) offset = 2;
  else {
    const count = first & 0x7f;
    if (count > 4) return false;
    offset = 2 + count;
  }
  if (bytes.length < offset + SIGNED_DATA_OID.length) return false;
  return SIGNED_DATA_OID.every((b, i) => bytes[offset + i] === b);
}

const BASE64_TEXT = /^[A-Za-z0-9+/=\s]+$/;
const PEM_ARMOUR = /-----(BEGIN|END)[^-]*-----/g;

/**
 * Decodes base64 text (PEM armour and whitespace allowed) to the DER of a CMS SignedData; null when the bytes are
 * not such text.
 */
export function decodeBase64Cms(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < 16) return null;
  // Text only: base64 alphabet, whitespace and the armour lines. A UTF-8 BOM is tolerated.
  let text = latin1(bytes);
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  const body = text.replace(PEM_ARMOUR, '');
  if (!BASE64_TEXT.test(body)) return null;
  const compact = body.replace(/\s+/g, '');
  // Padding only at the end. Counted by hand: /=+$/ backtracks over a run of '=' from each of its characters.
  let end = compact.length;
  while (end > 0 && compact.charCodeAt(end - 1) === 0x3d) end--;
  const firstPad = compact.indexOf('=');
  if (compact.length < 16 || (firstPad >= 0 && firstPad < end)) return null;
  const der = new Uint8Array(Buffer.from(compact, 'base64'));
  return looksLikeCmsSignedData(der) ? der : null;
}

/** A signature dictionary: /ByteRange with numbers, /Contents hex, /Type /Sig (or a /SubFilter naming a CMS). */
export function hasSignatureDictionary(pdfText: string): boolean {
  return (
    /\/ByteRange\s*\[\s*\d+\s+\d+\s+\d+\s+\d+\s*\]/.test(pdfText) &&
    /\/Contents\s*</.test(pdfText) &&
    (/\/Type\s*\/Sig\b/.test(pdfText) || /\/SubFilter\s*\/(adbe\.pkcs7|ETSI\.CAdES)/.test(pdfText))
  );
}

/**
 * The objects of a PDF as text: the raw file plus every Flate stream inflated (object streams hide dictionaries,
 * content streams hide text operators).
 */
export function pdfObjectsText(bytes: Uint8Array, raw: string, maxInflatedBytes = MAX_INFLATED_BYTES): string {
  const parts = [raw];
  let inflated = 0;
  let streams = 0;
  let previousEnd = 0;
  const streamRe = /stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = streamRe.exec(raw)) !== null) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    // The stream's dictionary: from its object's header, within 64 KiB and after the previous stream (a search back
    // to the start of the file for each stream would make many streams quadratic).
    const window = raw.slice(Math.max(previousEnd, match.index - 64 * 1024), match.index);
    const header = window.lastIndexOf('obj');
    const dict = header >= 0 ? window.slice(header) : window;
    if (/\/FlateDecode/.test(dict) && !/\/Subtype\s*\/Image/.test(dict)) {
      if (++streams > MAX_INFLATED_STREAMS) break;
      try {
        const out = inflateSync(bytes.subarray(start, end), {
          finishFlush: 2, // Z_SYNC_FLUSH: tolerate a missing tail
          maxOutputLength: maxInflatedBytes - inflated + 1,
        });
        inflated += out.length;
        parts.push(out.toString('latin1'));
      } catch (error) {
        // Over the budget: stop here, the text layer reads the rest (and refuses a PDF over its own bounds).
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) break;
        // A stream that does not inflate says nothing about fonts or images.
      }
    }
    if (inflated > maxInflatedBytes) break;
    streamRe.lastIndex = end;
    previousEnd = end;
  }
  return parts.join('\n');
}

/** Image-only PDF: images and no font anywhere (a PDF with text, even invisible OCR text, declares a font). */
export function looksLikeScanPdf(bytes: Uint8Array, raw = latin1(bytes)): boolean {
  const all = pdfObjectsText(bytes, raw);
  const hasImage = /\/Subtype\s*\/Image\b/.test(all) || /\bBI\b[\s\S]{0,200}?\bID\b/.test(all);
  const hasFont = /\/Font\b/.test(all) || /\/Type\s*\/Font\b/.test(all);
  return hasImage && !hasFont;
}

/** What the bytes are, from the bytes alone (never from a file name). docs/attestation-format.md. */
export function sniffAttestationKind(bytes: Uint8Array): AttestationKind {
  if (bytes.length === 0) return 'unknown';
  // Before the PDF header: a DER .p7m holds the PDF it signs within its first bytes.
  if (looksLikeCmsSignedData(bytes)) return 'cades-pdf';
  if (pdfHeaderOffset(bytes) >= 0) {
    const raw = latin1(bytes);
    if (hasSignatureDictionary(raw)) return 'pades-pdf';
    return looksLikeScanPdf(bytes, raw) ? 'scan-pdf' : 'pdf';
  }
  if (decodeBase64Cms(bytes) !== null) return 'cades-pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'scan-png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'scan-jpeg';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'scan-tiff';
  return 'unknown';
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}
