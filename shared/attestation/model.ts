import type { DateRange, IsoDate } from '../list/model.js';

/** The attestation form's fields (docs/attestation-format.md). */
export const attestationFieldNames = [
  'intakeId',
  'controllerName',
  'controllerVat',
  'signatory',
  'listSha256',
  'rowCount',
  'legalBasis',
  'purpose',
  'collectionPeriod',
  'source',
  'rpoCheckDate',
  'extraEuTransfer',
  'processor',
  'placeAndDate',
] as const;
export type AttestationFieldName = (typeof attestationFieldNames)[number];

export const requiredFields = [
  'intakeId',
  'controllerVat',
  'listSha256',
  'rowCount',
  'legalBasis',
  'rpoCheckDate',
] as const satisfies readonly AttestationFieldName[];

export type LegalBasis =
  | 'consent'
  | 'contract'
  | 'legal_obligation'
  | 'vital_interests'
  | 'public_task'
  | 'legitimate_interests'
  | 'unknown';

export interface FieldValues {
  intakeId: string;
  controllerName: string;
  /** 11 digits, without the IT prefix. */
  controllerVat: string;
  signatory: string;
  /** lower-case hex */
  listSha256: string;
  rowCount: number;
  legalBasis: LegalBasis;
  purpose: string;
  collectionPeriod: DateRange;
  source: string;
  rpoCheckDate: IsoDate;
  extraEuTransfer: { declared: boolean; details?: string };
  processor: string;
  placeAndDate: { place: string; date: IsoDate };
}

export type ExtractionSource = 'text-layer' | 'ocr' | 'textract';

export interface ExtractedField<K extends AttestationFieldName = AttestationFieldName> {
  /** The text as read, trimmed. */
  raw: string;
  /** The normalised value, or null when the text could not be understood (a malformed field). */
  value: FieldValues[K] | null;
  /** 0..1; 1 for a digital text layer. */
  confidence: number;
  source: ExtractionSource;
}

export type AttestationFields = { [K in AttestationFieldName]?: ExtractedField<K> };

/** What the bytes are, sniffed from the bytes alone. */
export type AttestationKind =
  | 'cades-pdf' // .p7m enveloping a PDF (DER or base64)
  | 'pades-pdf' // PDF with a signature dictionary
  | 'pdf' // unsigned PDF with a text layer
  | 'scan-pdf' // image-only PDF
  | 'scan-png'
  | 'scan-jpeg'
  | 'scan-tiff'
  | 'unknown';

export interface AttestationDocument {
  kind: AttestationKind;
  /** SHA-256 of the attestation file as uploaded. */
  sha256: string;
  bytes: number;
  fields: AttestationFields;
  /** Set when the document could not be read at all (not a PDF, corrupt, encrypted...). */
  readError?: string;
  /** readError in Italian, when the reader wrote it in both languages. */
  readErrorIt?: string;
  /** Pages of text as extracted, for the console. */
  text?: string;
  /**
   * Set while an asynchronous extraction (Textract, multi-page scan) runs: the fields come with its completion, and
   * no verdict may be decided before.
   */
  pendingJob?: string;
}
