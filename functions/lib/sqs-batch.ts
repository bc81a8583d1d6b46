import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { PipelineDeps } from '../../shared/pipeline/deps.js';
import { lambdaMiddlewares, type DepsSource } from './deps-source.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * An SQS-fed function: each message is handled on its own, in order, and a failed one is reported back (partial batch
 * failure, Powertools Batch) so SQS retries only it and, after its retries, dead-letters it. A batch whose every
 * message failed is reported the same way rather than thrown, so the local queue and SQS see one shape.
 */
export function sqsBatchHandler(depsSource: DepsSource, handleRecord: (record: SQSRecord, deps: PipelineDeps) => Promise<void>): SqsHandler {
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(lambdaMiddlewares(depsSource))
    .handler(async (event, context) => {
    const deps = await depsSource();
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, (record: SQSRecord) => handleRecord(record, deps), processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  });
}
