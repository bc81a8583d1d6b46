import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import * as z from 'zod';
import { handleObjectCreated } from '../shared/pipeline/process-intake.js';
import { lambdaDeps, type DepsSource } from './lib/deps-source.js';
import { sqsBatchHandler } from './lib/sqs-batch.js';
import { textractScanReader } from './lib/textract-wiring.js';
import { withOnlineRevocation } from './lib/revocation-wiring.js';

/**
 * S3 object-created events, delivered through SQS. Each message is processed on its own; a failed one is reported
 * back (partial batch failure) so SQS retries only it, and after the retries it lands in the dead-letter queue.
 * Duplicated events are harmless: the use case is idempotent.
 */
const S3TestEvent = z.object({ Event: z.literal('s3:TestEvent') });

/** S3 URL-encodes keys in events, spaces as '+'. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** A message body that is neither an S3 notification nor S3's test event: nothing a retry could fix. */
export class UnreadableMessageError extends Error {
  override name = 'UnreadableMessageError';
}

export const createHandler = (depsSource: DepsSource) =>
  sqsBatchHandler(depsSource, async (message, deps) => {
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      body = undefined;
    }
    const parsed = S3Schema.safeParse(body);
    if (!parsed.success) {
      if (S3TestEvent.safeParse(body).success) return; // sent once when the notification is configured
      // Not retried into success: reported as failed, so that it ends in the dead-letter queue where a person sees it.
      deps.log.error('unreadable upload message', { messageId: message.messageId, issue: parsed.error.issues[0]?.message });
      throw new UnreadableMessageError(`message ${message.messageId} is not an S3 notification`);
    }
    for (const record of parsed.data.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const outcome = await handleObjectCreated(deps, {
        bucket: record.s3.bucket.name,
        key: decodeS3Key(record.s3.object.key),
        size: record.s3.object.size ?? 0,
        etag: (record.s3.object.eTag ?? '').replace(/"/g, ''),
        ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
      });
      deps.log.info('object created', { key: record.s3.object.key, outcome });
      if (outcome === 'busy') throw new Error('intake busy: retry later');
    }
  });

export const handler = createHandler(withOnlineRevocation(lambdaDeps(textractScanReader)));
