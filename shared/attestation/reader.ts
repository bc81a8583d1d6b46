import { createHash } from 'node:crypto';
import { CmsError, parseSignedData } from '../signature/cms.js';
import type { CadesEvidence, SignedEvidence } from '../signature/model.js';
import type { DocumentToRead, Extraction, StoredDocument } from '../ports/document-extractor.js';
import { extractorFor, type ExtractorWiring } from './extraction.js';
import type { AttestationDocument } from './model.js';
import { locatePadesSignature } from './pades.js';
import { decodeBase64Cms, looksLikeCmsSignedData, pdfHeaderOffset, sniffAttestationKind } from './sniff.js';

export interface ReadOptions {
  /** The runtime's extractors (default: the PDF text layer only; scans then go to a person unread). */
  extractors?: ExtractorWiring;
  /** Where the attestation file is stored (an asynchronous extractor reads long scans from there). */
  stored?: StoredDocument;
  /** The intake the attestation belongs to: ties an asynchronous extraction job to it. */
  reference?: string;
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
 * 3. read the fields with the extractor the kind and the wiring choose (extraction.ts): the PDF text layer, or for a
 *    scan (an image, or a PDF whose text layer is empty) the runtime's scan reader, if any.
 * A document that cannot be read gets a readError sentence: this function does not throw on bad input. It throws on
 * an extractor's fault (an engine down, throttling beyond its retries), so that the caller retries.
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
        // The stored file is the envelope, not this PDF: an engine reading from storage could not use it.
        await readPdfInto(document, evidence.content, { ...options, stored: undefined });
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
      await extractScanInto(document, { kind, bytes, pages: 1 }, options);
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
  const textLayer = extractorFor('pdf', options.extractors)!;
  const outcome = await textLayer.extract({ kind: document.kind, bytes: pdf });
  if (outcome.status === 'no-text') {
    await extractScanInto(document, { kind: 'scan-pdf', bytes: pdf, pages: outcome.pages }, options);
    return true;
  }
  apply(document, outcome);
  return false;
}

async function extractScanInto(document: AttestationDocument, scan: DocumentToRead, options: ReadOptions): Promise<void> {
  // Without a scan reader a scan has no fields, and no error: the verdict sends it to a person.
  const reader = extractorFor(scan.kind, options.extractors);
  if (!reader) return;
  const outcome = await reader.extract({
    ...scan,
    ...(options.stored ? { stored: options.stored } : {}),
    ...(options.reference ? { reference: options.reference } : {}),
  });
  if (outcome.status === 'unreadable') {
    document.readError = `The scanned attestation could not be read: ${outcome.reason.replace(/\.$/, '')}.`;
  } else {
    apply(document, outcome);
  }
}

function apply(document: AttestationDocument, outcome: Extraction): void {
  switch (outcome.status) {
    case 'read':
      document.text = outcome.text;
      document.fields = outcome.fields;
      break;
    case 'unreadable':
      document.readError = outcome.reason;
      break;
    case 'pending':
      document.pendingJob = outcome.jobId;
      break;
    case 'no-text':
      // Only the text layer says so, and readPdfInto hands such a PDF to the scan reader.
      break;
  }
}
