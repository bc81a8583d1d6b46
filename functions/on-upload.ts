import middy from '@middy/core';
import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { handleObjectCreated } from '../shared/pipeline/process-intake.js';
import { pipelineDeps } from './lib/runtime.js';
import { textractScanReader } from './lib/textract-wiring.js';

/**
 * S3 object-created events, delivered through SQS. Each message is processed on its own; a failed one is reported
 * back (partial batch failure) so SQS retries only it, and after the retries it lands in the dead-letter queue.
 * Duplicated events are harmless: the use case is idempotent.
 */
const S3Record = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().optional(), eTag: z.string().optional(), versionId: z.string().optional() }),
  }),
});
const Notification = z.object({ Records: z.array(S3Record).default([]) }).passthrough();

/** S3 URL-encodes keys in events, spaces as '+'. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(async (event) => {
  const deps = await pipelineDeps(textractScanReader);
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    try {
      const parsed = Notification.safeParse(JSON.parse(message.body));
      if (!parsed.success) {
        // Not an S3 notification (s3:TestEvent has no Records): nothing to retry.
        deps.log.warn('ignored message', { messageId: message.messageId });
        continue;
      }
      for (const record of parsed.data.Records as S3Event['Records']) {
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
    } catch (err) {
      deps.log.error('upload event failed', { messageId: message.messageId, error: String(err) });
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
});
