import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  type CompleteMultipartUploadCommandInput,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  type CopyObjectCommandInput,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  attachmentDisposition,
  type ObjectHead,
  ObjectNotFoundError,
  type ObjectStore,
  ObjectTooLargeError,
  PreconditionFailedError,
  type PresignedRequest,
  type PutObjectOptions,
  type VersionChoice,
} from '../../ports/object-store.js';
import { LOCAL_CREDENTIALS } from '../local-engines.js';

/** Streams are uploaded in parts of this size (S3's minimum is 5 MiB, except for the last). */
export const PART_SIZE = 8 * 1024 * 1024;

export interface S3ClientOptions {
  /** http://127.0.0.1:PORT for the local engine (not localhost: the SDK would try bucket.localhost). */
  endpoint?: string;
  region?: string;
  /** With an endpoint: the local engines' credentials unless given (shared/adapters/local-engines.ts). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * An S3 client as Filiera uses it. Checksums only when an operation requires them: with the SDK's default, presigned
 * PUTs would need a checksum header the uploader cannot know, and s3rver stores the aws-chunked framing as content.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const config: S3ClientConfig = {
    region: options.region ?? process.env.AWS_REGION ?? 'eu-south-1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    config.forcePathStyle = true;
    config.credentials = options.credentials ?? LOCAL_CREDENTIALS;
  }
  return new S3Client(config);
}

/**
 * x-amz-copy-source: the bucket, then the key URL-encoded segment by segment. Encoding the slashes too
 * (encodeURIComponent of the whole key) is valid for S3 but s3rver answers 404 to it.
 */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export function buildCopyObjectInput(
  source: { bucket: string; key: string },
  target: { bucket: string; key: string },
  options: { contentType?: string } = {},
): CopyObjectCommandInput {
  return {
    Bucket: target.bucket,
    Key: target.key,
    CopySource: copySource(source.bucket, source.key),
    ...(options.contentType ? { MetadataDirective: 'REPLACE', ContentType: options.contentType } : { MetadataDirective: 'COPY' }),
  };
}

export function buildCompleteMultipartInput(
  bucket: string,
  key: string,
  uploadId: string,
  parts: { ETag: string; PartNumber: number }[],
  ifNoneMatch?: '*',
): CompleteMultipartUploadCommandInput {
  return {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    MultipartUpload: { Parts: parts },
    ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}),
  };
}

export const unquoteEtag = (etag: string | undefined): string => (etag ?? '').replace(/^W\//, '').replace(/"/g, '');

export class S3ObjectStore implements ObjectStore {
  /** `now`: the signing clock (links are signed at, and expire counted from, this time; tests move it). */
  constructor(
    private readonly client: S3Client,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async presignPut(
    bucket: string,
    key: string,
    options: { expiresInSeconds: number; contentType?: string; contentLength?: number },
  ): Promise<PresignedRequest> {
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      ...(options.contentLength !== undefined ? { ContentLength: options.contentLength } : {}),
    });
    const signedAt = this.now();
    // The content type and length are part of the signature: the uploader must send exactly these (S3 compares the
    // signed Content-Length with the body it receives, so a link bound to a size takes no other object).
    const signed = [...(options.contentType ? ['content-type'] : []), ...(options.contentLength !== undefined ? ['content-length'] : [])];
    const url = await getSignedUrl(this.client, command, {
      expiresIn: options.expiresInSeconds,
      signingDate: signedAt,
      ...(signed.length ? { signableHeaders: new Set(signed) } : {}),
    });
    return {
      url,
      method: 'PUT',
      headers: {
        ...(options.contentType ? { 'content-type': options.contentType } : {}),
        ...(options.contentLength !== undefined ? { 'content-length': String(options.contentLength) } : {}),
      },
      expiresAt: new Date(signedAt.getTime() + options.expiresInSeconds * 1000).toISOString(),
    };
  }

  async presignGet(
    bucket: string,
    key: string,
    options: { expiresInSeconds: number; downloadName?: string } & VersionChoice,
  ): Promise<PresignedRequest> {
    const command = new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...versionInput(options),
      ...(options.downloadName ? { ResponseContentDisposition: attachmentDisposition(options.downloadName) } : {}),
    });
    const signedAt = this.now();
    const url = await getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds, signingDate: signedAt });
    return { url, method: 'GET', headers: {}, expiresAt: new Date(signedAt.getTime() + options.expiresInSeconds * 1000).toISOString() };
  }

  async head(bucket: string, key: string): Promise<ObjectHead | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        size: res.ContentLength ?? 0,
        etag: unquoteEtag(res.ETag),
        ...(res.VersionId && res.VersionId !== 'null' ? { versionId: res.VersionId } : {}),
        ...(res.ContentType ? { contentType: res.ContentType } : {}),
        ...(res.LastModified ? { lastModified: res.LastModified.toISOString() } : {}),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async *getStream(bucket: string, key: string, options: VersionChoice = {}): AsyncIterable<Uint8Array> {
    let body: AsyncIterable<Uint8Array>;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...versionInput(options) }));
      body = res.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(bucket, key);
      throw err;
    }
    // In Node the body is an IncomingMessage: iterating it streams, and breaking out of the loop destroys it.
    yield* body;
  }

  async getBytes(bucket: string, key: string, maxBytes: number, options: VersionChoice = {}): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this.getStream(bucket, key, options)) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new ObjectTooLargeError(bucket, key, maxBytes);
      chunks.push(chunk);
    }
    return concat(chunks, total);
  }

  async putObject(
    bucket: string,
    key: string,
    body: Uint8Array | AsyncIterable<Uint8Array>,
    options: PutObjectOptions,
  ): Promise<ObjectHead> {
    if (body instanceof Uint8Array) return this.putSingle(bucket, key, body, options);
    const iterator = body[Symbol.asyncIterator]();
    // Read the first part: a body smaller than a part goes in one PutObject.
    const first = await readPart(iterator);
    if (first.done) return this.putSingle(bucket, key, first.bytes, options);
    return this.putMultipart(bucket, key, first.bytes, iterator, options);
  }

  async copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options: { contentType?: string } = {},
  ): Promise<ObjectHead> {
    try {
      await this.client.send(new CopyObjectCommand(buildCopyObjectInput(source, target, options)));
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(source.bucket, source.key);
      throw err;
    }
    const head = await this.head(target.bucket, target.key);
    if (!head) throw new ObjectNotFoundError(target.bucket, target.key);
    return head;
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  private async putSingle(bucket: string, key: string, bytes: Uint8Array, options: PutObjectOptions): Promise<ObjectHead> {
    try {
      const res = await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          // S3 refuses a PUT into an Object Lock bucket (the evidence bucket) without an integrity header; with
          // checksums only WHEN_REQUIRED the SDK sends none, so the MD5 goes with every single PUT.
          ContentMD5: createHash('md5').update(bytes).digest('base64'),
          ContentType: options.contentType,
          ...(options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
        }),
      );
      return {
        size: bytes.byteLength,
        etag: unquoteEtag(res.ETag),
        contentType: options.contentType,
        ...(res.VersionId ? { versionId: res.VersionId } : {}),
      };
    } catch (err) {
      if (isPreconditionFailed(err)) throw new PreconditionFailedError(bucket, key);
      throw err;
    }
  }

  /** Parts of PART_SIZE, one in memory at a time; the upload is aborted if anything fails. */
  private async putMultipart(
    bucket: string,
    key: string,
    firstPart: Uint8Array,
    rest: AsyncIterator<Uint8Array>,
    options: PutObjectOptions,
  ): Promise<ObjectHead> {
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType }),
    );
    const uploadId = created.UploadId!;
    const parts: { ETag: string; PartNumber: number }[] = [];
    let size = 0;
    try {
      let part: { bytes: Uint8Array; done: boolean } = { bytes: firstPart, done: false };
      for (let number = 1; ; number++) {
        if (part.bytes.byteLength > 0 || number === 1) {
          const res = await this.client.send(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: number,
              Body: part.bytes,
              ContentLength: part.bytes.byteLength,
            }),
          );
          parts.push({ ETag: res.ETag!, PartNumber: number });
          size += part.bytes.byteLength;
        }
        if (part.done) break;
        part = await readPart(rest);
      }
      const done = await this.client.send(
        new CompleteMultipartUploadCommand(buildCompleteMultipartInput(bucket, key, uploadId, parts, options.ifNoneMatch)),
      );
      return {
        size,
        etag: unquoteEtag(done.ETag),
        contentType: options.contentType,
        ...(done.VersionId ? { versionId: done.VersionId } : {}),
      };
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => {});
      if (isPreconditionFailed(err)) throw new PreconditionFailedError(bucket, key);
      throw err;
    }
  }
}

/** Reads up to one part (at least PART_SIZE unless the stream ends). `done` = the stream ended. */
async function readPart(iterator: AsyncIterator<Uint8Array>): Promise<{ bytes: Uint8Array; done: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < PART_SIZE) {
    const next = await iterator.next();
    if (next.done) return { bytes: concat(chunks, total), done: true };
    const chunk = typeof next.value === 'string' ? new TextEncoder().encode(next.value) : next.value;
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  return { bytes: concat(chunks, total), done: false };
}

/** S3's VersionId for a read, when one version is asked for. */
function versionInput(options: VersionChoice): { VersionId?: string } {
  return options.versionId ? { VersionId: options.versionId } : {};
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(err) === 404;
}

function isPreconditionFailed(err: unknown): boolean {
  return (err as Error)?.name === 'PreconditionFailed' || httpStatus(err) === 412;
}
