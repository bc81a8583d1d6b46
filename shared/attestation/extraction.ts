import type { DocumentExtractor } from '../ports/document-extractor.js';
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
 * Which extractor reads a document of this kind (PRODUCT.md section 4): the choice depends only on the sniffed kind
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
    case 'scan-png':
    case 'scan-jpeg':
    case 'scan-tiff':
      return wiring.scans ?? null;
    case 'unknown':
      return null;
  }
}
