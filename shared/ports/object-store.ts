/**
 * Object storage as the domain needs it: presigned links for people, streams for the engine (a list is never read
 * whole into memory), small reads for attestations and receipts. Implementations: S3 (shared/adapters/s3) and memory.
 */
export interface ObjectStore {
  /**
   * A link that lets its holder PUT exactly this key until it expires; send `headers` with the PUT. With
   * `contentLength`, the link takes a body of exactly that many bytes (signed Content-Length) and nothing else.
   */
  presignPut(bucket: string, key: string, options: { expiresInSeconds: number; contentType?: string; contentLength?: number }): Promise<PresignedRequest>;
  /** A download link; `downloadName` sets Content-Disposition: attachment; `versionId` pins the link to one version. */
  presignGet(bucket: string, key: string, options: { expiresInSeconds: number; downloadName?: string } & VersionChoice): Promise<PresignedRequest>;
  /** Null when there is no such object. */
  head(bucket: string, key: string): Promise<ObjectHead | null>;
  /** Streams the object (the given version, else the current one); fails with ObjectNotFoundError on first read when it does not exist. */
  getStream(bucket: string, key: string, options?: VersionChoice): AsyncIterable<Uint8Array>;
  /** The whole object, for small ones; ObjectTooLargeError beyond maxBytes, ObjectNotFoundError when absent. */
  getBytes(bucket: string, key: string, maxBytes: number, options?: VersionChoice): Promise<Uint8Array>;
  /**
   * Writes an object; an AsyncIterable is uploaded in parts without holding the whole body. With `ifNoneMatch: '*'`
   * the write fails with PreconditionFailedError if the key already holds an object.
   */
  putObject(bucket: string, key: string, body: Uint8Array | AsyncIterable<Uint8Array>, options: PutObjectOptions): Promise<ObjectHead>;
  copyObject(source: { bucket: string; key: string }, target: { bucket: string; key: string }, options?: { contentType?: string }): Promise<ObjectHead>;
  /** Deleting a missing object succeeds (as in S3). */
  deleteObject(bucket: string, key: string): Promise<void>;
}

/**
 * One version of an object in a versioned bucket; without `versionId`, the current one. An upload is read, handed to
 * Textract and linked for review at the version recorded when it arrived (its S3 event's `versionId`), so that a file
 * written later at the same key changes neither the verdict nor what compliance opens.
 */
export interface VersionChoice {
  versionId?: string;
}

/** The read options for a recorded upload: its version when storage reported one. */
export function versionOf(recorded: { versionId?: string } | undefined): VersionChoice {
  return recorded?.versionId ? { versionId: recorded.versionId } : {};
}

export interface PresignedRequest {
  url: string;
  method: 'PUT' | 'GET';
  /** Headers the request must carry for the signature to hold (lower-case names). */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface ObjectHead {
  size: number;
  /** Without the surrounding quotes. */
  etag: string;
  versionId?: string;
  contentType?: string;
  lastModified?: string;
}

export interface PutObjectOptions {
  contentType: string;
  ifNoneMatch?: '*';
}

export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
  readonly code = 'object_not_found';
  constructor(readonly bucket: string, readonly key: string) {
    super(`no object ${key} in bucket ${bucket}`);
  }
}

export class ObjectTooLargeError extends Error {
  override name = 'ObjectTooLargeError';
  readonly code = 'object_too_large';
  constructor(readonly bucket: string, readonly key: string, readonly maxBytes: number) {
    super(`object ${key} in bucket ${bucket} is larger than ${maxBytes} bytes`);
  }
}

export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
  readonly code = 'precondition_failed';
  constructor(readonly bucket: string, readonly key: string) {
    super(`object ${key} in bucket ${bucket} already exists`);
  }
}

/** Content-Disposition for a download, with an ASCII fallback and the RFC 5987 UTF-8 name. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
