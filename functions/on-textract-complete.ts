import { SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import * as z from 'zod';
import { completeExtraction } from '../shared/pipeline/complete-extraction.js';
import { lambdaDeps, type DepsSource } from './lib/deps-source.js';
import { sqsBatchHandler } from './lib/sqs-batch.js';
import { textractScanReader } from './lib/textract-wiring.js';
import { withOnlineRevocation } from './lib/revocation-wiring.js';

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

/** Textract's completion message out of an SQS body; null for anything else. */
export function parseCompletion(body: string): z.infer<typeof TextractCompletion> | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
    const envelope = SnsSqsNotificationSchema.safeParse(json);
    if (envelope.success) json = JSON.parse(envelope.data.Message);
  } catch {
    return null;
  }
  const parsed = TextractCompletion.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export const createHandler = (depsSource: DepsSource) =>
  sqsBatchHandler(depsSource, async (message, deps) => {
    const completion = parseCompletion(message.body);
    if (!completion) {
      deps.log.warn('ignored message: not a Textract completion', { messageId: message.messageId });
      return;
    }
    const outcome = await completeExtraction(deps, { jobId: completion.JobId, status: completion.Status, reference: completion.JobTag });
    deps.log.info('textract job completed', { jobId: completion.JobId, status: completion.Status, outcome });
    if (outcome === 'busy') throw new Error('intake busy: retry later');
  });

export const handler = createHandler(withOnlineRevocation(lambdaDeps(textractScanReader)));
