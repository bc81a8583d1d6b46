import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { completeExtraction } from '../shared/pipeline/complete-extraction.js';
import { pipelineDeps } from './lib/runtime.js';
import { textractScanReader } from './lib/textract-wiring.js';

/**
 * Textract's job completions (SNS topic -> SQS queue -> this function): the second step of reading a multi-page
 * scan. The body is SNS's envelope (its Message holds Textract's JSON), or Textract's JSON itself when the
 * subscription uses raw message delivery. A failed message is reported back (partial batch failure): SQS retries
 * it, then dead-letters it, and the sweep resumes the intake.
 */
const TextractCompletion = z.object({
  JobId: z.string().min(1),
  Status: z.string().min(1),
  API: z.string().optional(),
  JobTag: z.string().min(1),
  Timestamp: z.number().optional(),
  DocumentLocation: z.object({ S3ObjectName: z.string(), S3Bucket: z.string() }).partial().optional(),
});
const SnsEnvelope = z.object({ Type: z.literal('Notification'), Message: z.string() });

/** Textract's completion message out of an SQS body; null for anything else. */
export function parseCompletion(body: string): z.infer<typeof TextractCompletion> | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
    const envelope = SnsEnvelope.safeParse(json);
    if (envelope.success) json = JSON.parse(envelope.data.Message);
  } catch {
    return null;
  }
  const parsed = TextractCompletion.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(async (event) => {
  const deps = await pipelineDeps(textractScanReader);
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    try {
      const completion = parseCompletion(message.body);
      if (!completion) {
        deps.log.warn('ignored message: not a Textract completion', { messageId: message.messageId });
        continue;
      }
      const outcome = await completeExtraction(deps, { jobId: completion.JobId, status: completion.Status, reference: completion.JobTag });
      deps.log.info('textract job completed', { jobId: completion.JobId, status: completion.Status, outcome });
      if (outcome === 'busy') throw new Error('intake busy: retry later');
    } catch (err) {
      deps.log.error('textract completion failed', { messageId: message.messageId, error: String(err) });
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
});
