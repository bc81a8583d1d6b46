import type { DocumentExtractor, DocumentToRead, Extraction } from '../ports/document-extractor.js';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './document-limits.js';
import { parseAttestationText } from './fields.js';
import { PdfReadError, readPdfText } from './pdf-text.js';

/**
 * The PDF's own text layer: exact (confidence 1) and free, so it reads every digital PDF (signed or not, and the PDF
 * inside a .p7m) in every runtime. A PDF whose pages hold only images answers 'no-text': it is a scan, for whatever
 * scan reader the runtime wired. A PDF over a bound of docs/limits-and-retention.md is unreadable, the bound named.
 */
export const pdfTextLayer: DocumentExtractor = pdfTextLayerWithin(DEFAULT_DOCUMENT_LIMITS);

/** The text layer held to other limits (tests lower them to keep their documents small). */
export function pdfTextLayerWithin(limits: DocumentLimits): DocumentExtractor {
  return {
    source: 'text-layer',
    extract: (document) => extractTextLayer(document, limits),
  };
}

async function extractTextLayer(document: DocumentToRead, limits: DocumentLimits): Promise<Extraction> {
  try {
    const { text, images, pages } = await readPdfText(document.bytes, limits);
    if (text.trim() === '' && images > 0) return { status: 'no-text', pages };
    return { status: 'read', source: 'text-layer', fields: parseAttestationText(text, 'text-layer'), text, pages };
  } catch (error) {
    const reason = error instanceof PdfReadError ? error.message : `The PDF could not be read (${(error as Error).message}).`;
    return { status: 'unreadable', reason };
  }
}
