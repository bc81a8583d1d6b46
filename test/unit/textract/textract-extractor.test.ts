import {
  AnalyzeDocumentCommand,
  BadDocumentException,
  GetDocumentAnalysisCommand,
  ProvisionedThroughputExceededException,
  StartDocumentAnalysisCommand,
  TextractClient,
  ThrottlingException,
} from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startDocumentAnalysisInput } from '../../../shared/adapters/textract/requests.js';
import { TextractExtractor } from '../../../shared/adapters/textract/textract-extractor.js';
import type { Extraction } from '../../../shared/ports/document-extractor.js';
import { textractPage } from '../../fixtures/textract.js';

const textract = mockClient(TextractClient);
// The test files share a worker (vitest.config.ts): give the real client back to the next file.
afterAll(() => textract.restore());
const sleeps: number[] = [];
const HASH = 'a3f1c9e0b7d24c6f8e5a1b3c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c3d5e';
const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3);
const NOTIFY = { snsTopicArn: 'arn:aws:sns:eu-south-1:111122223333:AmazonTextract-filiera', roleArn: 'arn:aws:iam::111122223333:role/filiera-textract-publish' };

function extractor(maxConcurrent = 2) {
  return new TextractExtractor({
    client: new TextractClient({ region: 'eu-south-1' }),
    notification: NOTIFY,
    maxConcurrent,
    backoff: { attempts: 4, baseDelayMs: 100, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  });
}

const throttled = () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

function read(outcome: Extraction) {
  if (outcome.status !== 'read') throw new Error(`expected a reading, got ${JSON.stringify(outcome)}`);
  return outcome;
}

beforeEach(() => {
  textract.reset();
  sleeps.length = 0;
});

describe('AnalyzeDocument (an image, FORMS and QUERIES)', () => {
  const blocks = textractPage(
    1,
    [
      { key: 'Riferimento intake:', value: 'FIL-7K3M9Q2XAB', keyConfidence: 96.4, valueConfidence: 94.0, wordConfidences: [91.25] },
      { key: 'Partita IVA:', value: 'IT01234567897' },
      { key: 'Numero di contatti:', value: '1.234', valueConfidence: 71.5 },
      { key: 'Base giuridica:', value: 'Consenso (art. 6.1.a GDPR)' },
      // Paired by Textract, but with a value it misread into something that is not a date
      { key: 'Data ultima verifica RPO:', value: '1B/11/2O26', wordConfidences: [62] },
      { key: 'Firma del legale rappresentante', value: 'M. Rossi' },
    ],
    [
      { alias: 'listSha256', text: 'What is the SHA-256 of the list?', answer: HASH, confidence: 87.5 },
      { alias: 'rpoCheckDate', text: 'What is the date of the last RPO check?', answer: '18/11/2026', confidence: 83 },
      { alias: 'placeAndDate', text: 'What are the place and date (Luogo e data)?' }, // no answer
    ],
  );

  it('asks for FORMS and QUERIES in ASCII English and maps keys by their Italian labels, with confidences', async () => {
    // Prepare
    textract.on(AnalyzeDocumentCommand).resolves({ DocumentMetadata: { Pages: 1 }, Blocks: blocks, AnalyzeDocumentModelVersion: '1.0' });
    // Act
    const outcome = read(await extractor().extract({ kind: 'scan-png', bytes: PNG, pages: 1 }));
    // Assess: the request
    const input = textract.commandCalls(AnalyzeDocumentCommand)[0]!.args[0].input;
    expect(input.FeatureTypes).toEqual(['FORMS', 'QUERIES']);
    expect(input.Document?.Bytes).toEqual(PNG);
    const queries = input.QueriesConfig?.Queries ?? [];
    expect(queries.map((q) => q.Alias).sort()).toEqual(
      ['collectionPeriod', 'controllerName', 'controllerVat', 'extraEuTransfer', 'intakeId', 'legalBasis', 'listSha256', 'placeAndDate', 'processor', 'purpose', 'rowCount', 'rpoCheckDate', 'signatory', 'source'],
    );
    for (const q of queries) expect(q.Text).toMatch(/^[\x20-\x7e]+\?$/);
    // Assess: the fields. A pair is as sure as the least sure of key, value and value words.
    const f = outcome.fields;
    expect(outcome.pages).toBe(1);
    expect(f.intakeId).toEqual({ raw: 'FIL-7K3M9Q2XAB', value: 'FIL-7K3M9Q2XAB', confidence: 0.9125, source: 'textract' });
    expect(f.controllerVat).toEqual({ raw: 'IT01234567897', value: '01234567897', confidence: 0.9325, source: 'textract' });
    expect(f.rowCount).toEqual({ raw: '1.234', value: 1234, confidence: 0.715, source: 'textract' });
    expect(f.legalBasis?.value).toBe('consent');
    // From QUERIES alone
    expect(f.listSha256).toEqual({ raw: HASH, value: HASH, confidence: 0.875, source: 'textract' });
    // The query's well-formed answer beats the pair's misread value
    expect(f.rpoCheckDate).toEqual({ raw: '18/11/2026', value: '2026-11-18', confidence: 0.83, source: 'textract' });
    // An unanswered query and a key that is not one of the form's labels give nothing
    expect(f.placeAndDate).toBeUndefined();
    expect(f.signatory).toBeUndefined();
    expect(outcome.text).toContain('Riferimento intake:');
  });

  it('retries throttling with backoff, then reads', async () => {
    textract
      .on(AnalyzeDocumentCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(new ProvisionedThroughputExceededException({ message: 'Provisioned rate exceeded', $metadata: {} }))
      .resolves({ DocumentMetadata: { Pages: 1 }, Blocks: blocks });
    const outcome = read(await extractor().extract({ kind: 'scan-jpeg', bytes: PNG }));
    expect(outcome.fields.intakeId?.value).toBe('FIL-7K3M9Q2XAB');
    expect(textract.commandCalls(AnalyzeDocumentCommand)).toHaveLength(3);
    // Full jitter over 100, 200 ms (random() = 0.5)
    expect(sleeps).toEqual([50, 100]);
  });

  it('throttling that outlasts the attempts is a fault for the queue to retry, not a verdict', async () => {
    textract.on(AnalyzeDocumentCommand).rejects(throttled());
    await expect(extractor().extract({ kind: 'scan-png', bytes: PNG })).rejects.toThrow(/Rate exceeded/);
    expect(textract.commandCalls(AnalyzeDocumentCommand)).toHaveLength(4);
  });

  it('a document Textract cannot read is an outcome, not an exception', async () => {
    textract.on(AnalyzeDocumentCommand).rejects(new BadDocumentException({ message: 'Unable to read the document', $metadata: {} }));
    const outcome = await extractor().extract({ kind: 'scan-tiff', bytes: PNG });
    expect(outcome).toEqual({ status: 'unreadable', reason: expect.stringMatching(/BadDocumentException: Unable to read the document/) });
    expect(textract.commandCalls(AnalyzeDocumentCommand)).toHaveLength(1);
  });

  it('caps the calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    textract.on(AnalyzeDocumentCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return { DocumentMetadata: { Pages: 1 }, Blocks: blocks };
    });
    const reader = extractor(2);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => reader.extract({ kind: 'scan-png', bytes: PNG })));
    expect(outcomes.map((o) => o.status)).toEqual(['read', 'read', 'read', 'read', 'read']);
    expect(most).toBe(2);
  });
});

describe('StartDocumentAnalysis and GetDocumentAnalysis (a multi-page scanned PDF)', () => {
  const stored = { bucket: 'filiera-intake-111122223333', key: 'uploads/acme/FIL-7K3M9Q2XAB/attestation' };
  const doc = { kind: 'scan-pdf' as const, bytes: Uint8Array.of(0x25, 0x50, 0x44, 0x46), pages: 3, stored, reference: 'FIL-7K3M9Q2XAB' };

  it('starts a job that reports to SNS and answers pending', async () => {
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-1' });
    textract.on(GetDocumentAnalysisCommand).resolves({ JobStatus: 'IN_PROGRESS' });
    const outcome = await extractor().extract(doc);
    expect(outcome).toEqual({ status: 'pending', jobId: 'job-1' });
    const input = textract.commandCalls(StartDocumentAnalysisCommand)[0]!.args[0].input;
    expect(input.DocumentLocation).toEqual({ S3Object: { Bucket: stored.bucket, Name: stored.key } });
    expect(input.NotificationChannel).toEqual({ SNSTopicArn: NOTIFY.snsTopicArn, RoleArn: NOTIFY.roleArn });
    expect(input.JobTag).toBe('FIL-7K3M9Q2XAB');
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(input.QueriesConfig?.Queries?.every((q) => q.Pages?.[0] === '*')).toBe(true);
    expect(input.FeatureTypes).toEqual(['FORMS', 'QUERIES']);
  });

  it('the same document and intake give the same idempotency token: a resumed worker gets the same job back', () => {
    const a = startDocumentAnalysisInput({ stored, reference: 'FIL-7K3M9Q2XAB', sha256: 'ab', notification: NOTIFY });
    const b = startDocumentAnalysisInput({ stored, reference: 'FIL-7K3M9Q2XAB', sha256: 'ab', notification: NOTIFY });
    const c = startDocumentAnalysisInput({ stored, reference: 'FIL-7K3M9Q2XAC', sha256: 'ab', notification: NOTIFY });
    expect(a.ClientRequestToken).toBe(b.ClientRequestToken);
    expect(c.ClientRequestToken).not.toBe(a.ClientRequestToken);
  });

  it('collects every page through NextToken, retrying throttling on the way', async () => {
    // Prepare: three result pages, fields on document pages 1 and 2
    const page1 = textractPage(1, [
      { key: 'Riferimento intake:', value: 'FIL-7K3M9Q2XAB' },
      { key: 'Impronta SHA-256 della lista:', value: HASH, wordConfidences: [78.5] },
    ]);
    const page2 = textractPage(2, [
      { key: 'Data ultima verifica RPO:', value: '18/11/2026', valueConfidence: 90.5 },
      { key: 'Luogo e data:', value: 'Milano, 19/11/2026' },
    ], [{ alias: 'rowCount', text: 'What is the number of contacts (Numero di contatti)?', answer: '1.234', confidence: 97.5 }]);
    const page3 = textractPage(3, []);
    const half = Math.floor(page1.length / 2);
    textract
      .on(GetDocumentAnalysisCommand, { JobId: 'job-1', NextToken: undefined })
      .resolves({ JobStatus: 'SUCCEEDED', DocumentMetadata: { Pages: 3 }, Blocks: page1.slice(0, half), NextToken: 'token-2' });
    textract
      .on(GetDocumentAnalysisCommand, { JobId: 'job-1', NextToken: 'token-2' })
      .rejectsOnce(throttled())
      .resolves({ JobStatus: 'SUCCEEDED', DocumentMetadata: { Pages: 3 }, Blocks: [...page1.slice(half), ...page2], NextToken: 'token-3' });
    textract
      .on(GetDocumentAnalysisCommand, { JobId: 'job-1', NextToken: 'token-3' })
      .resolves({ JobStatus: 'SUCCEEDED', DocumentMetadata: { Pages: 3 }, Blocks: page3 });
    // Act
    const outcome = read(await extractor().collect('job-1'));
    // Assess
    expect(textract.commandCalls(GetDocumentAnalysisCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'token-2', 'token-2', 'token-3']);
    expect(outcome.pages).toBe(3);
    expect(outcome.fields.intakeId?.value).toBe('FIL-7K3M9Q2XAB');
    expect(outcome.fields.listSha256).toEqual({ raw: HASH, value: HASH, confidence: 0.785, source: 'textract' });
    expect(outcome.fields.rpoCheckDate).toEqual({ raw: '18/11/2026', value: '2026-11-18', confidence: 0.905, source: 'textract' });
    expect(outcome.fields.placeAndDate?.value).toEqual({ place: 'Milano', date: '2026-11-19' });
    expect(outcome.fields.rowCount).toEqual({ raw: '1.234', value: 1234, confidence: 0.975, source: 'textract' });
    expect(outcome.text.split('\n\f\n')).toHaveLength(2); // pages with lines: 1 and 2
  });

  it('a FAILED job is a document Textract could not read', async () => {
    textract.on(GetDocumentAnalysisCommand).resolves({ JobStatus: 'FAILED', StatusMessage: 'INVALID_IMAGE_TYPE' });
    expect(await extractor().collect('job-9')).toEqual({ status: 'unreadable', reason: expect.stringMatching(/INVALID_IMAGE_TYPE/) });
  });

  it('a job found finished when started again (a resumed intake) is collected at once: its message will not come twice', async () => {
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-1' });
    textract
      .on(GetDocumentAnalysisCommand)
      .resolves({ JobStatus: 'SUCCEEDED', DocumentMetadata: { Pages: 3 }, Blocks: textractPage(1, [{ key: 'Partita IVA:', value: 'IT01234567897' }]) });
    const outcome = read(await extractor().extract(doc));
    expect(outcome.fields.controllerVat?.value).toBe('01234567897');
  });

  it('a multi-page scan that is not stored on its own (inside a .p7m) cannot go to Textract: a finding', async () => {
    const outcome = await extractor().extract({ ...doc, stored: undefined });
    expect(outcome.status).toBe('unreadable');
    expect(textract.calls()).toHaveLength(0);
  });
});
