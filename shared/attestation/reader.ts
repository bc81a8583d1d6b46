import { createHash } from 'node:crypto';
import { CmsError, italianCmsReason, unwrapCades } from '../signature/cms.js';
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
 * Reads an attestation (docs/attestation-format.md):
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
        // Nested envelopes (.p7m in .p7m): the innermost content is the document (docs/attestation-format.md).
        evidence.content = unwrapCades(evidence.cms).content;
      } catch (error) {
        const reason = error instanceof CmsError ? error.message : (error as Error).message;
        unreadable(document, `The CAdES envelope (.p7m) cannot be opened: ${reason}.`, `La busta CAdES (.p7m) non può essere aperta: ${italianCmsReason(reason)}.`);
        break;
      }
      if (!evidence.content) {
        unreadable(
          document,
          'The CAdES envelope (.p7m) carries no document: it is a detached signature without the signed PDF.',
          'La busta CAdES (.p7m) non contiene il documento: è una firma separata senza il PDF firmato.',
        );
      } else if (pdfHeaderOffset(evidence.content) < 0) {
        unreadable(document, 'The document inside the CAdES envelope (.p7m) is not a PDF.', 'Il documento contenuto nella busta CAdES (.p7m) non è un PDF.');
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
      if (bytes.length === 0) unreadable(document, 'The attestation file is empty.', 'Il file della dichiarazione è vuoto.');
      else {
        unreadable(
          document,
          'The file is not an attestation Filiera can read: neither a PDF, a CAdES .p7m (DER or base64) nor an image (PNG, JPEG, TIFF).',
          'Il file non è una dichiarazione che Filiera sappia leggere: non è un PDF, né una busta CAdES .p7m (DER o base64), né un\'immagine (PNG, JPEG, TIFF).',
        );
      }
      break;
  }
  return { document, signed };
}

/** The document cannot be read: the sentence in both languages (a finding's Italian message carries no English detail). */
function unreadable(document: AttestationDocument, en: string, it: string): void {
  document.readError = en;
  document.readErrorIt = it;
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
    unreadable(
      document,
      `The scanned attestation could not be read: ${outcome.reason.replace(/\.$/, '')}.`,
      `La dichiarazione scansionata non è stata letta: ${italianReadReason(outcome.reason).replace(/\.$/, '')}.`,
    );
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
      unreadable(document, outcome.reason, italianReadReason(outcome.reason));
      break;
    case 'pending':
      document.pendingJob = outcome.jobId;
      break;
    case 'no-text':
      // Only the text layer says so, and readPdfInto hands such a PDF to the scan reader.
      break;
  }
}

/**
 * The extractors' reasons in Italian. Their variable parts are library messages in English (pdf.js, Tesseract,
 * Textract): the Italian sentence names the cause without them; the English finding keeps them for support.
 */
function italianReadReason(reason: string): string {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^The PDF is encrypted with a password/, () => 'Il PDF è protetto da password e non può essere letto.'],
    [/^The file is not a readable PDF/, () => 'Il file non è un PDF leggibile.'],
    [/^The PDF could not be read/, () => 'Il PDF non può essere letto.'],
    [/^the scanned PDF cannot be rendered/, () => 'il PDF scansionato non può essere convertito in immagine'],
    [/^the image cannot be read by OCR/, () => "l'immagine non può essere letta dal riconoscimento ottico"],
    [/^the image cannot be decoded/, () => "l'immagine non può essere decodificata"],
    [/^a scanned PDF of (\d+) pages can be read by Amazon Textract only as a stored file/, (m) => `un PDF scansionato di ${m[1]} pagine può essere letto da Amazon Textract solo come file archiviato`],
    [/^Amazon Textract could not analyse the document/, () => 'Amazon Textract non è riuscito ad analizzare il documento'],
    [/^Amazon Textract cannot read the document/, () => 'Amazon Textract non può leggere il documento'],
  ];
  for (const [re, say] of rules) {
    const m = re.exec(reason);
    if (m) return say(m);
  }
  return 'il documento non può essere letto (il dettaglio tecnico è nel messaggio in inglese)';
}
