import type { DocumentExtractor } from '../ports/document-extractor.js';
import { scanImageOverLimit } from './document-limits.js';
import type { AttestationKind } from './model.js';
import { pdfTextLayer } from './text-layer.js';

/** The extractors a runtime wires: in AWS Textract reads scans, locally the offline OCR engine. */
export interface ExtractorWiring {
  /** Digital PDFs (default: the PDF text layer, exact and free in every runtime). */
  textLayer?: DocumentExtractor;
  /** Scans: PNG, JPEG, TIFF and image-only PDFs. Absent: a scan is not read and goes to a person. */
  scans?: DocumentExtractor;
}

/**
 * Which extractor reads a document of this kind (docs/attestation-format.md): the choice depends only on the sniffed kind
 * and the wiring, so a handler never makes it. A PDF sniffed as digital whose text layer turns out empty is handed
 * to the scan reader by the attestation reader, as 'scan-pdf'.
 */
export function extractorFor(kind: AttestationKind, wiring: ExtractorWiring = {}): DocumentExtractor | null {
  switch (kind) {
    case 'pdf':
    case 'pades-pdf':
    case 'cades-pdf':
      return wiring.textLayer ?? pdfTextLayer;
    case 'scan-pdf':
      return wiring.scans ?? null;
    case 'scan-png':
    case 'scan-jpeg':
    case 'scan-tiff':
      return wiring.scans ? withinPixelLimit(wiring.scans) : null;
    case 'unknown':
      return null;
  }
}

/**
 * docs/limits-and-retention.md: an image over the pixel bound is unreadable before any reader decodes it (a 20,000 x 20,000
 * PNG is a few hundred KB and hundreds of MB once decoded), whichever engine the runtime wired.
 */
function withinPixelLimit(reader: DocumentExtractor): DocumentExtractor {
  return {
    source: reader.source,
    async extract(document) {
      const over = scanImageOverLimit(document.bytes);
      return over === null ? reader.extract(document) : { status: 'unreadable', reason: over };
    },
  };
}
