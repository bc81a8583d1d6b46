import { createHash } from 'node:crypto';
import { GetDocumentAnalysisCommand, StartDocumentAnalysisCommand, TextractClient } from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { MemoryObjectStore } from '../../../shared/adapters/memory/memory-object-store.js';
import { TextractExtractor } from '../../../shared/adapters/textract/textract-extractor.js';
import { parseConfig } from '../../../shared/config.js';
import { Intake } from '../../../shared/intake/intake.js';
import { completeExtraction } from '../../../shared/pipeline/complete-extraction.js';
import { silentLogger, type PipelineDeps } from '../../../shared/pipeline/deps.js';
import { EXTRACTION_STARTED, handleObjectCreated } from '../../../shared/pipeline/process-intake.js';
import { parseCompletion } from '../../../functions/on-textract-complete.js';
import { makeScan } from '../../fixtures/attestations.js';
import { textractPage } from '../../fixtures/textract.js';

/**
 * A multi-page scan in AWS: the upload starts a Textract job and leaves the intake PROCESSING; the completion message
 * (second step) collects the result and records the verdict. Storage and repository are the in-memory adapters;
 * Textract is aws-sdk-client-mock over raw responses.
 */
const textract = mockClient(TextractClient);
// The test files share a worker (vitest.config.ts): give the real client back to the next file.
afterAll(() => textract.restore());
const BUCKETS = { intake: 'filiera-intake', release: 'filiera-release', evidence: 'filiera-evidence' };
const NOW = new Date();
const list = 'telefono;data_consenso\r\n+39 347 1000001;15/03/2026\r\n+39 347 1000002;16/03/2026\r\n';
const listSha = createHash('sha256').update(list).digest('hex');
let scanPdf: Uint8Array;

beforeAll(async () => {
  // A scanner's PDF of two pages: images only, no text layer.
  const png = await makeScan('png');
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(png);
  for (let i = 0; i < 2; i++) doc.addPage([595.28, 841.89]).drawImage(image, { x: 0, y: 0, width: 595.28, height: 841.89 });
  scanPdf = await doc.save();
});

beforeEach(() => textract.reset());

async function uploadedIntake() {
  const textractReader = new TextractExtractor({
    client: new TextractClient({ region: 'eu-south-1' }),
    notification: { snsTopicArn: 'arn:aws:sns:eu-south-1:111122223333:textract', roleArn: 'arn:aws:iam::111122223333:role/textract-sns' },
    backoff: { sleep: async () => undefined },
  });
  const deps: PipelineDeps = {
    intakes: new MemoryIntakeRepository(),
    objects: new MemoryObjectStore(Object.values(BUCKETS)),
    buckets: BUCKETS,
    config: async () => ({
      config: parseConfig({
        tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: 'IT01234567897', signatories: [], callCenters: ['cc-napoli'] }],
        callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
        trustAnchors: [],
        // Not about the consent sample (docs/consent-sampling.md): the verdict is recorded straight away.
        policy: { consentSampleSize: 0 },
      }),
      file: 'test',
      trustAnchorPems: [],
    }),
    now: () => NOW,
    log: silentLogger,
    extractors: { scans: textractReader },
    extractionJobs: textractReader,
  };
  const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'luce', actor: 'committente:acme', now: NOW });
  await deps.intakes.create(intake, event);
  const outcomes = [];
  for (const [kind, body] of [['list', new TextEncoder().encode(list)], ['attestation', scanPdf]] as const) {
    const key = intake.uploadKey(kind);
    const head = await deps.objects.putObject(BUCKETS.intake, key, body, { contentType: 'application/octet-stream' });
    outcomes.push(await handleObjectCreated(deps, { bucket: BUCKETS.intake, key, size: head.size, etag: head.etag }));
  }
  return { deps, intakeId: intake.intakeId, outcomes };
}

function completedPages(intakeId: string) {
  return [
    textractPage(1, [
      { key: 'Riferimento intake:', value: intakeId },
      { key: 'Partita IVA:', value: 'IT01234567897' },
      { key: 'Impronta SHA-256 della lista:', value: listSha },
      { key: 'Numero di contatti:', value: '2' },
      { key: 'Base giuridica:', value: 'Consenso (art. 6.1.a GDPR)' },
    ]),
    textractPage(2, [
      { key: 'Periodo di raccolta:', value: 'dal 01/01/2026 al 31/03/2026' },
      { key: 'Data ultima verifica RPO:', value: `${String(NOW.getUTCDate()).padStart(2, '0')}/${String(NOW.getUTCMonth() + 1).padStart(2, '0')}/${NOW.getUTCFullYear()}` },
      { key: 'Trasferimento extra UE:', value: 'No' },
      { key: 'Luogo e data:', value: `Milano, ${String(NOW.getUTCDate()).padStart(2, '0')}/${String(NOW.getUTCMonth() + 1).padStart(2, '0')}/${NOW.getUTCFullYear()}` },
    ]),
  ];
}

describe('a multi-page scan read by Textract in two steps', () => {
  it('the upload starts a job and the intake waits PROCESSING; the completion message records the verdict', async () => {
    // Prepare
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-42' });
    textract.on(GetDocumentAnalysisCommand, { JobId: 'job-42', MaxResults: 1 }).resolves({ JobStatus: 'IN_PROGRESS' });
    // Act 1: both uploads
    const { deps, intakeId, outcomes } = await uploadedIntake();
    // Assess 1
    expect(outcomes).toEqual(['recorded', 'extracting']);
    expect((await deps.intakes.get(intakeId))!.status).toBe('PROCESSING');
    const started = (await deps.intakes.auditTrail(intakeId)).filter((e) => e.type === EXTRACTION_STARTED);
    expect(started.map((e) => e.data.jobId)).toEqual(['job-42']);
    const start = textract.commandCalls(StartDocumentAnalysisCommand)[0]!.args[0].input;
    expect(start.JobTag).toBe(intakeId);
    expect(start.DocumentLocation?.S3Object).toEqual({ Bucket: BUCKETS.intake, Name: (await deps.intakes.get(intakeId))!.uploads.attestation!.key });

    // Act 2: Textract's message, as SNS delivers it to SQS
    const [p1, p2] = completedPages(intakeId);
    textract.on(GetDocumentAnalysisCommand, { JobId: 'job-42', NextToken: undefined, MaxResults: 1000 }).resolves({ JobStatus: 'SUCCEEDED', DocumentMetadata: { Pages: 2 }, Blocks: p1, NextToken: 'n2' });
    textract.on(GetDocumentAnalysisCommand, { JobId: 'job-42', NextToken: 'n2' }).resolves({ JobStatus: 'SUCCEEDED', DocumentMetadata: { Pages: 2 }, Blocks: p2 });
    const body = JSON.stringify({
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: 'arn:aws:sns:eu-south-1:111122223333:textract',
      Timestamp: new Date().toISOString(),
      Message: JSON.stringify({ JobId: 'job-42', Status: 'SUCCEEDED', API: 'StartDocumentAnalysis', JobTag: intakeId, Timestamp: Date.now(), DocumentLocation: { S3ObjectName: 'x', S3Bucket: BUCKETS.intake } }),
    });
    const message = parseCompletion(body)!;
    const outcome = await completeExtraction(deps, { jobId: message.JobId, status: message.Status, reference: message.JobTag });
    // Assess 2: unsigned scan, every required field bound: a person decides
    expect(outcome).toBe('processed');
    const done = (await deps.intakes.get(intakeId))!.toSnapshot();
    expect(done.status).toBe('IN_REVIEW');
    expect(done.findings?.map((f) => f.code)).toContain('attestation_unsigned');
    expect(done.findings?.filter((f) => f.severity === 'reject')).toEqual([]);
    expect(done.attestation).toMatchObject({ fields: { listSha256: { value: listSha, source: 'textract' } } });
    // A duplicate message changes nothing
    expect(await completeExtraction(deps, { jobId: 'job-42', status: 'SUCCEEDED', reference: intakeId })).toBe('ignored');
  });

  it('a FAILED job ends the intake with a finding, not a stuck intake', async () => {
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-7' });
    textract.on(GetDocumentAnalysisCommand, { JobId: 'job-7', MaxResults: 1 }).resolves({ JobStatus: 'IN_PROGRESS' });
    const { deps, intakeId } = await uploadedIntake();
    textract.on(GetDocumentAnalysisCommand, { JobId: 'job-7', MaxResults: 1000 }).resolves({ JobStatus: 'FAILED', StatusMessage: 'UNSUPPORTED_DOCUMENT' });
    expect(await completeExtraction(deps, { jobId: 'job-7', status: 'FAILED', reference: intakeId })).toBe('processed');
    const done = (await deps.intakes.get(intakeId))!.toSnapshot();
    expect(done.status).toBe('REJECTED');
    expect(done.findings?.find((f) => f.code === 'attestation_unreadable')?.message).toMatch(/UNSUPPORTED_DOCUMENT/);
  });

  it('a message for a job the intake did not start is ignored', async () => {
    textract.on(StartDocumentAnalysisCommand).resolves({ JobId: 'job-8' });
    textract.on(GetDocumentAnalysisCommand).resolves({ JobStatus: 'IN_PROGRESS' });
    const { deps, intakeId } = await uploadedIntake();
    expect(await completeExtraction(deps, { jobId: 'job-someone-else', status: 'SUCCEEDED', reference: intakeId })).toBe('ignored');
    expect((await deps.intakes.get(intakeId))!.status).toBe('PROCESSING');
  });
});
