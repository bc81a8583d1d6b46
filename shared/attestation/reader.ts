import { createHash } from 'node:crypto';
import { CmsError, parseSignedData } from '../signature/cms.js';
import type { CadesEvidence, SignedEvidence } from '../signature/model.js';
import { parseAttestationText } from './fields.js';
import type { AttestationDocument, AttestationFields, AttestationKind } from './model.js';
import { locatePadesSignature } from './pades.js';
import { PdfReadError, readPdfText } from './pdf-text.js';
import { decodeBase64Cms, looksLikeCmsSignedData, pdfHeaderOffset, sniffAttestationKind } from './sniff.js';

/** Reads a scan (OCR, Textract): injected, because it lives outside the domain (a later issue). */
export type ScanExtractor = (doc: { kind: AttestationKind; bytes: Uint8Array }) => Promise<{ fields: AttestationFields; text: string }>;

export interface ReadOptions {
  extractScan?: ScanExtractor;
}

export interface ReadAttestationResult {
  document: AttestationDocument;
  /** What the signature verifier needs, or null for an unsigned PDF or a scan. */
  signed: SignedEvidence | null;
}

/**
 * Reads an attestation (PRODUCT.md section 4):
 * 1. sniff the kind from the bytes;
 * 2. CAdES: unwrap the envelope, the content must be a PDF; PAdES: locate the last signature dictionary;
 * 3. read the PDF's text layer and parse the form's fields; a scan goes to the injected extractor, if any.
 * A document that cannot be read gets a readError sentence: this function does not throw on bad input.
 */
export async function readAttestation(bytes: Uint8Array, options: ReadOptions = {}): Promise<ReadAttestationResult> {
  const kind = sniffAttestationKind(bytes);
  const document: AttestationDocument = {
    kind,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    fields: {},
  };
  let signed: SignedEvidence | null = null;
  switch (kind) {
    case 'cades-pdf': {
      const der = looksLikeCmsSignedData(bytes) ? bytes : decodeBase64Cms(bytes);
      const evidence: CadesEvidence = { type: 'CAdES', cms: der ?? new Uint8Array(0), content: null, fileLength: bytes.length };
      signed = evidence;
      try {
        evidence.content = parseSignedData(evidence.cms).content;
      } catch (error) {
        const reason = error instanceof CmsError ? error.message : (error as Error).message;
        document.readError = `The CAdES envelope (.p7m) cannot be opened: ${reason}.`;
        break;
      }
      if (!evidence.content) {
        document.readError = 'The CAdES envelope (.p7m) carries no document: it is a detached signature without the signed PDF.';
      } else if (pdfHeaderOffset(evidence.content) < 0) {
        document.readError = 'The document inside the CAdES envelope (.p7m) is not a PDF.';
      } else {
        await readPdfInto(document, evidence.content, options);
      }
      break;
    }
    case 'pades-pdf':
      signed = locatePadesSignature(bytes);
      await readPdfInto(document, bytes, options);
      break;
    case 'pdf':
    case 'scan-pdf': {
      const isScan = await readPdfInto(document, bytes, options);
      if (!document.readError) document.kind = isScan ? 'scan-pdf' : 'pdf';
      break;
    }
    case 'scan-png':
    case 'scan-jpeg':
    case 'scan-tiff':
      await extractScanInto(document, kind, bytes, options);
      break;
    case 'unknown':
      document.readError =
        bytes.length === 0
          ? 'The attestation file is empty.'
          : 'The file is not an attestation Filiera can read: neither a PDF, a CAdES .p7m (DER or base64) nor an image (PNG, JPEG, TIFF).';
      break;
  }
  return { document, signed };
}

/** Reads a PDF's text layer into the document; returns true when the PDF turned out to be a scan (images, no text). */
async function readPdfInto(document: AttestationDocument, pdf: Uint8Array, options: ReadOptions): Promise<boolean> {
  try {
    const { text, images } = await readPdfText(pdf);
    if (text.trim() === '' && images > 0) {
      await extractScanInto(document, 'scan-pdf', pdf, options);
      return true;
    }
    document.text = text;
    document.fields = parseAttestationText(text, 'text-layer');
    return false;
  } catch (error) {
    document.readError = error instanceof PdfReadError ? error.message : `The PDF could not be read (${(error as Error).message}).`;
    return false;
  }
}

async function extractScanInto(document: AttestationDocument, kind: AttestationKind, bytes: Uint8Array, options: ReadOptions): Promise<void> {
  // Without an extractor a scan has no fields, and no error: the verdict sends it to a person.
  if (!options.extractScan) return;
  try {
    const { fields, text } = await options.extractScan({ kind, bytes });
    document.fields = fields;
    document.text = text;
  } catch (error) {
    document.readError = `The scanned attestation could not be read (${(error as Error).message}).`;
  }
}
