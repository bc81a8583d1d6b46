import { createHash } from 'node:crypto';
import {
  AnalyzeDocumentCommand,
  type Block,
  GetDocumentAnalysisCommand,
  StartDocumentAnalysisCommand,
  TextractClient,
} from '@aws-sdk/client-textract';
import type { DocumentExtractor, DocumentToRead, Extraction, ExtractionJobs } from '../../ports/document-extractor.js';
import { fieldsFromBlocks } from './blocks.js';
import { analyzeDocumentInput, getDocumentAnalysisInput, startDocumentAnalysisInput } from './requests.js';
import { type BackoffOptions, ConcurrencyLimit, withBackoff } from './throttle.js';

/** What Textract says about a document it cannot read: a finding for the verdict, not a fault to retry. */
const UNREADABLE = new Set(['BadDocumentException', 'UnsupportedDocumentException', 'DocumentTooLargeException']);

export interface TextractExtractorOptions {
  client: TextractClient;
  /** The SNS topic Textract publishes job completions to, and the role it publishes with (multi-page scans). */
  notification?: { snsTopicArn: string; roleArn: string };
  /** Textract calls in flight from one container at most (default 2); the function's reserved concurrency caps the rest. */
  maxConcurrent?: number;
  backoff?: BackoffOptions;
}

/** Our own backoff handles throttling (tested, with jitter); the SDK's retries would multiply its attempts. */
export function createTextractClient(options: { region?: string; endpoint?: string } = {}): TextractClient {
  return new TextractClient({
    region: options.region ?? process.env.AWS_REGION ?? 'eu-south-1',
    maxAttempts: 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
}

/**
 * Amazon Textract as the scan reader in AWS (FORMS and QUERIES):
 * - an image, or a PDF of one page: AnalyzeDocument, answered at once;
 * - a PDF of several pages: StartDocumentAnalysis with an SNS completion channel, reading the file from S3. The
 *   answer is 'pending'; the completion message (functions/on-textract-complete.ts) collects it with
 *   GetDocumentAnalysis, page by page (NextToken). No polling.
 */
export class TextractExtractor implements DocumentExtractor, ExtractionJobs {
  readonly source = 'textract' as const;
  private readonly limit: ConcurrencyLimit;

  constructor(private readonly options: TextractExtractorOptions) {
    this.limit = new ConcurrencyLimit(options.maxConcurrent ?? 2);
  }

  async extract(document: DocumentToRead): Promise<Extraction> {
    const multiPage = document.kind === 'scan-pdf' && (document.pages ?? 1) > 1;
    if (!multiPage) return this.analyze(document);
    if (!document.stored || !document.reference) {
      // Textract reads long documents only from S3: a PDF held inside a .p7m envelope is not stored on its own.
      return { status: 'unreadable', reason: `a scanned PDF of ${document.pages} pages can be read by Amazon Textract only as a stored file` };
    }
    return this.start(document as DocumentToRead & Required<Pick<DocumentToRead, 'stored' | 'reference'>>);
  }

  private async analyze(document: DocumentToRead): Promise<Extraction> {
    try {
      const output = await this.send(() => this.options.client.send(new AnalyzeDocumentCommand(analyzeDocumentInput(document))));
      const read = fieldsFromBlocks(output.Blocks ?? []);
      return { status: 'read', source: 'textract', ...read, pages: output.DocumentMetadata?.Pages ?? read.pages };
    } catch (error) {
      const unreadable = asUnreadable(error);
      if (unreadable) return unreadable;
      throw error;
    }
  }

  private async start(document: DocumentToRead & Required<Pick<DocumentToRead, 'stored' | 'reference'>>): Promise<Extraction> {
    if (!this.options.notification) throw new Error('Textract: multi-page scans need the SNS completion topic and its role (TEXTRACT_SNS_TOPIC_ARN, TEXTRACT_ROLE_ARN)');
    const input = startDocumentAnalysisInput({
      stored: document.stored,
      reference: document.reference,
      sha256: createHash('sha256').update(document.bytes).digest('hex'),
      notification: this.options.notification,
    });
    let jobId: string;
    try {
      const output = await this.send(() => this.options.client.send(new StartDocumentAnalysisCommand(input)));
      if (!output.JobId) throw new Error('Textract StartDocumentAnalysis returned no JobId');
      jobId = output.JobId;
    } catch (error) {
      const unreadable = asUnreadable(error);
      if (unreadable) return unreadable;
      throw error;
    }
    // The same token returns the same job: a worker resuming the intake may find it finished already, and its
    // completion message is not sent twice. One look, not a polling loop.
    const first = await this.send(() => this.options.client.send(new GetDocumentAnalysisCommand(getDocumentAnalysisInput(jobId, undefined, 1))));
    if (first.JobStatus === 'IN_PROGRESS') return { status: 'pending', jobId };
    return this.collect(jobId);
  }

  /** A finished job's blocks, every page of them; a FAILED job is a document Textract could not read. */
  async collect(jobId: string): Promise<Extraction> {
    const blocks: Block[] = [];
    let nextToken: string | undefined;
    let pages: number | undefined;
    do {
      const output = await this.send(() =>
        this.options.client.send(new GetDocumentAnalysisCommand(getDocumentAnalysisInput(jobId, nextToken))),
      );
      switch (output.JobStatus) {
        case 'IN_PROGRESS':
          return { status: 'pending', jobId };
        case 'FAILED':
          return { status: 'unreadable', reason: `Amazon Textract could not analyse the document (${output.StatusMessage ?? 'job failed'})` };
        case 'SUCCEEDED':
        case 'PARTIAL_SUCCESS': // pages that failed simply give no fields: missing required fields go to a person
          break;
        default:
          throw new Error(`Textract job ${jobId}: unexpected status ${String(output.JobStatus)}`);
      }
      blocks.push(...(output.Blocks ?? []));
      pages ??= output.DocumentMetadata?.Pages;
      nextToken = output.NextToken;
    } while (nextToken);
    const read = fieldsFromBlocks(blocks);
    return { status: 'read', source: 'textract', ...read, pages: pages ?? read.pages };
  }

  private send<T>(call: () => Promise<T>): Promise<T> {
    return this.limit.run(() => withBackoff(call, this.options.backoff));
  }
}

function asUnreadable(error: unknown): Extraction | null {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (!UNREADABLE.has(name)) return null;
  const detail = (error as Error).message || name;
  return { status: 'unreadable', reason: `Amazon Textract cannot read the document (${name}: ${detail})` };
}
