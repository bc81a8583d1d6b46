import { createHash } from 'node:crypto';
import type {
  AnalyzeDocumentCommandInput,
  GetDocumentAnalysisCommandInput,
  Query,
  StartDocumentAnalysisCommandInput,
} from '@aws-sdk/client-textract';
import type { AttestationFieldName } from '../../attestation/model.js';
import type { StoredDocument } from '../../ports/document-extractor.js';

/**
 * Textract's inputs as plain data (STYLE 4: built here, sent by the extractor), so that the queries, the job tag and
 * the idempotency token are tested without a client.
 */

/**
 * One question per field of the form (docs/attestation-format.md). Textract answers queries asked in English, in ASCII
 * (its Query.Text pattern); the Italian label, where it is ASCII, helps it find the line. The alias is the field.
 */
export const fieldQueries: Record<AttestationFieldName, string> = {
  intakeId: 'What is the intake reference (Riferimento intake)?',
  controllerName: 'Who is the data controller (Titolare del trattamento)?',
  controllerVat: 'What is the VAT number (Partita IVA)?',
  signatory: 'Who is the legal representative (Legale rappresentante)?',
  listSha256: 'What is the SHA-256 of the list?',
  rowCount: 'What is the number of contacts (Numero di contatti)?',
  legalBasis: 'What is the legal basis (Base giuridica)?',
  purpose: 'What is the purpose of the processing?',
  collectionPeriod: 'What is the collection period (Periodo di raccolta)?',
  source: 'What is the data source (Fonte dei dati)?',
  rpoCheckDate: 'What is the date of the last RPO check?',
  extraEuTransfer: 'Is there a transfer outside the EU (Trasferimento extra UE)?',
  processor: 'Which call center is the processor (Call center incaricato)?',
  placeAndDate: 'What are the place and date (Luogo e data)?',
};

/** Query.Text and Query.Alias: 1-200 characters of printable ASCII. */
const QUERY_TEXT = /^[a-zA-Z0-9\s!"#$%'&()*+,\-./:;=?@[\\\]^_`{|}~><]{1,200}$/;

export function queries(pages?: string[]): Query[] {
  return Object.entries(fieldQueries).map(([alias, text]) => {
    if (!QUERY_TEXT.test(text)) throw new Error(`Textract query for ${alias} is not printable ASCII: ${text}`);
    return { Text: text, Alias: alias, ...(pages ? { Pages: pages } : {}) };
  });
}

/** The synchronous API reads request bytes up to 10 MB; beyond, it reads the stored object. */
export const MAX_SYNC_BYTES = 10 * 1024 * 1024;

export function analyzeDocumentInput(document: { bytes: Uint8Array; stored?: StoredDocument }): AnalyzeDocumentCommandInput {
  const useStorage = document.bytes.length > MAX_SYNC_BYTES && document.stored !== undefined;
  return {
    Document: useStorage ? { S3Object: s3Object(document.stored!) } : { Bytes: document.bytes },
    FeatureTypes: ['FORMS', 'QUERIES'],
    QueriesConfig: { Queries: queries() },
  };
}

export interface StartJob {
  stored: StoredDocument;
  /** The intake: echoed as the completion message's JobTag. */
  reference: string;
  /** SHA-256 of the document: with the reference, the idempotency token. */
  sha256: string;
  notification: { snsTopicArn: string; roleArn: string };
}

export function startDocumentAnalysisInput(job: StartJob): StartDocumentAnalysisCommandInput {
  return {
    DocumentLocation: { S3Object: s3Object(job.stored) },
    FeatureTypes: ['FORMS', 'QUERIES'],
    // Queries apply to page 1 unless told otherwise; the form may run over several pages.
    QueriesConfig: { Queries: queries(['*']) },
    NotificationChannel: { SNSTopicArn: job.notification.snsTopicArn, RoleArn: job.notification.roleArn },
    JobTag: jobTag(job.reference),
    // A worker that resumes the intake while the job runs gets the same JobId back instead of a second job.
    ClientRequestToken: createHash('sha256').update(`${job.reference}\n${job.sha256}`).digest('hex').slice(0, 64),
  };
}

/** Textract reads the stored object with the caller's permissions, at the version that was verified when one is known. */
function s3Object(stored: StoredDocument): { Bucket: string; Name: string; Version?: string } {
  return { Bucket: stored.bucket, Name: stored.key, ...(stored.versionId ? { Version: stored.versionId } : {}) };
}

/** JobTag: 1-64 characters of [a-zA-Z0-9_.:-]; intake ids already are. */
export function jobTag(reference: string): string {
  const tag = reference.replace(/[^a-zA-Z0-9_.:-]/g, '_').slice(0, 64);
  if (tag !== reference) throw new Error(`intake reference ${reference} cannot travel as a Textract JobTag`);
  return tag;
}

export function getDocumentAnalysisInput(jobId: string, nextToken?: string, maxResults = 1000): GetDocumentAnalysisCommandInput {
  return { JobId: jobId, MaxResults: maxResults, ...(nextToken ? { NextToken: nextToken } : {}) };
}
