import * as z from 'zod';
import { createTextractClient, TextractExtractor } from '../../shared/adapters/textract/textract-extractor.js';
import { parseEnvironment, type ScanReaderWiring } from './environment-wiring.js';

/**
 * Amazon Textract as the scan reader, for the three functions that read attestations (on-upload, sweep,
 * on-textract-complete). Its own module so that only those bundle the Textract client; the CDK app grants Textract to
 * those functions alone and sets SCAN_READER=textract on them.
 */
const TextractEnvironment = z.object({
  /** Textract's completion channel for multi-page scans: the SNS topic and the role Textract publishes with. */
  TEXTRACT_SNS_TOPIC_ARN: z.string().optional(),
  TEXTRACT_ROLE_ARN: z.string().optional(),
  /** Textract calls in flight per container (the function's reserved concurrency caps containers). */
  TEXTRACT_MAX_CONCURRENT: z.coerce.number().int().min(1).max(50).default(2),
});

export const textractScanReader: ScanReaderWiring = (env, region) => {
  const e = parseEnvironment(TextractEnvironment, env);
  const textract = new TextractExtractor({
    client: createTextractClient({ region }),
    maxConcurrent: e.TEXTRACT_MAX_CONCURRENT,
    ...(e.TEXTRACT_SNS_TOPIC_ARN && e.TEXTRACT_ROLE_ARN ? { notification: { snsTopicArn: e.TEXTRACT_SNS_TOPIC_ARN, roleArn: e.TEXTRACT_ROLE_ARN } } : {}),
  });
  return { extractors: { scans: textract }, extractionJobs: textract };
};
