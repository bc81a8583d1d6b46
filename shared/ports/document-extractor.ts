import type { AttestationFields, AttestationKind, ExtractionSource } from '../attestation/model.js';

/**
 * Reads the attestation form's fields out of a document (docs/attestation-format.md), each with its confidence.
 * Implementations: the PDF text layer (shared/attestation/text-layer.ts: exact, free, used for every digital PDF in
 * every runtime), Amazon Textract (shared/adapters/textract) and offline OCR (shared/adapters/ocr). Which one reads a
 * document is decided from its sniffed kind and the runtime's wiring (shared/attestation/extraction.ts), never in a
 * handler.
 */
export interface DocumentExtractor {
  /** What the adapter is, as recorded on every field it reads. */
  readonly source: ExtractionSource;
  extract(document: DocumentToRead): Promise<Extraction>;
}

export interface DocumentToRead {
  /** Sniffed from the bytes. */
  kind: AttestationKind;
  bytes: Uint8Array;
  /** Pages, when known (a PDF's page count comes from its text layer). */
  pages?: number;
  /** Where storage keeps these bytes: an engine that reads long documents asynchronously reads them from there. */
  stored?: StoredDocument;
  /** Ties an asynchronous job to the work that asked for it (the intake id); echoed in the completion message. */
  reference?: string;
}

/** A document in object storage: the exact version that was read, when the bucket keeps versions. */
export interface StoredDocument {
  bucket: string;
  key: string;
  versionId?: string;
}

/**
 * What an extractor made of a document. A document the engine cannot read is an outcome (it becomes a finding),
 * not an exception; exceptions are faults (throttling that outlasted the retries, an engine that is down) and the
 * caller retries the whole step.
 */
export type Extraction =
  | {
      status: 'read';
      source: ExtractionSource;
      fields: AttestationFields;
      /** The text as read, pages separated by a form feed line (for the console and the auditor). */
      text: string;
      pages: number;
    }
  /** A PDF with no text at all, only images: a scan, for a scan reader. */
  | { status: 'no-text'; pages: number }
  | { status: 'unreadable'; reason: string }
  /** An asynchronous job was started; its completion message resumes the work (see ExtractionJobs). */
  | { status: 'pending'; jobId: string };

/** An extractor whose long documents finish later: the second step collects a finished job's result. */
export interface ExtractionJobs {
  collect(jobId: string): Promise<Extraction>;
}
