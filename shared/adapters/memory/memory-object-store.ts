import { createHash } from 'node:crypto';
import {
  type ObjectHead,
  ObjectNotFoundError,
  type ObjectStore,
  ObjectTooLargeError,
  PreconditionFailedError,
  type PresignedRequest,
  type PutObjectOptions,
  type VersionChoice,
} from '../../ports/object-store.js';

interface StoredObject {
  bytes: Uint8Array;
  etag: string;
  contentType: string;
  lastModified: string;
  /** Set when the store keeps versions. */
  versionId?: string;
}

/**
 * The ObjectStore in memory, for unit tests. Presigned links are `memory://` URLs that nothing serves: a test that
 * needs a real PUT uses the S3 adapter against the local engine. Use `put`/`bytes` helpers to arrange and assess.
 *
 * With `versioning`, it behaves like a versioned S3 bucket: every write gets a new versionId, earlier versions stay
 * readable by id, and a deleted key keeps its versions.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  /** Every version ever written, per bucket and key (versioning only). */
  private readonly versions = new Map<string, StoredObject[]>();
  private nextVersion = 1;
  /** Presigned requests issued, for assertions. */
  readonly issued: (PresignedRequest & { bucket: string; key: string; versionId?: string })[] = [];

  constructor(buckets: string[] = [], private readonly options: { versioning?: boolean } = {}) {
    for (const bucket of buckets) this.buckets.set(bucket, new Map());
  }

  /** The headers a client must send, as the S3 adapter names them (the signed content type and length). */
  async presignPut(bucket: string, key: string, options: { expiresInSeconds: number; contentType?: string; contentLength?: number }): Promise<PresignedRequest> {
    return this.presign('PUT', bucket, key, options.expiresInSeconds, {
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...(options.contentLength !== undefined ? { 'content-length': String(options.contentLength) } : {}),
    });
  }

  async presignGet(bucket: string, key: string, options: { expiresInSeconds: number; downloadName?: string } & VersionChoice): Promise<PresignedRequest> {
    return this.presign('GET', bucket, key, options.expiresInSeconds, {}, options.versionId);
  }

  async head(bucket: string, key: string): Promise<ObjectHead | null> {
    const object = this.bucket(bucket).get(key);
    return object ? headOf(object) : null;
  }

  async *getStream(bucket: string, key: string, options: VersionChoice = {}): AsyncIterable<Uint8Array> {
    const object = this.find(bucket, key, options);
    if (!object) throw new ObjectNotFoundError(bucket, key);
    const chunkSize = 64 * 1024;
    for (let offset = 0; offset < object.bytes.byteLength; offset += chunkSize) {
      yield object.bytes.slice(offset, offset + chunkSize);
    }
  }

  async getBytes(bucket: string, key: string, maxBytes: number, options: VersionChoice = {}): Promise<Uint8Array> {
    const object = this.find(bucket, key, options);
    if (!object) throw new ObjectNotFoundError(bucket, key);
    if (object.bytes.byteLength > maxBytes) throw new ObjectTooLargeError(bucket, key, maxBytes);
    return object.bytes.slice();
  }

  async putObject(bucket: string, key: string, body: Uint8Array | AsyncIterable<Uint8Array>, options: PutObjectOptions): Promise<ObjectHead> {
    const objects = this.bucket(bucket);
    let bytes: Uint8Array;
    if (body instanceof Uint8Array) {
      bytes = body.slice();
    } else {
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) chunks.push(chunk);
      bytes = Buffer.concat(chunks);
    }
    // Checked after the body is read, as S3 checks at completion.
    if (options.ifNoneMatch === '*' && objects.has(key)) throw new PreconditionFailedError(bucket, key);
    const stored: StoredObject = {
      bytes,
      etag: createHash('md5').update(bytes).digest('hex'),
      contentType: options.contentType,
      lastModified: new Date().toISOString(),
    };
    this.store(bucket, key, stored);
    return headOf(stored);
  }

  async copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options: { contentType?: string } = {},
  ): Promise<ObjectHead> {
    const object = this.bucket(source.bucket).get(source.key);
    if (!object) throw new ObjectNotFoundError(source.bucket, source.key);
    const copy: StoredObject = {
      ...object,
      bytes: object.bytes.slice(),
      contentType: options.contentType ?? object.contentType,
      lastModified: new Date().toISOString(),
    };
    delete copy.versionId;
    this.store(target.bucket, target.key, copy);
    return headOf(copy);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    this.bucket(bucket).delete(key);
  }

  /** Test helper: the keys of a bucket, sorted. */
  keys(bucket: string): string[] {
    return [...this.bucket(bucket).keys()].sort();
  }

  /** The current object, or the asked version of it (which outlives a newer write or a delete). */
  private find(bucket: string, key: string, options: VersionChoice): StoredObject | undefined {
    if (!options.versionId) return this.bucket(bucket).get(key);
    return this.versions.get(`${bucket}/${key}`)?.find((v) => v.versionId === options.versionId);
  }

  private store(bucket: string, key: string, object: StoredObject): void {
    if (this.options.versioning) {
      object.versionId = `v${this.nextVersion++}`;
      const id = `${bucket}/${key}`;
      this.versions.set(id, [...(this.versions.get(id) ?? []), object]);
    }
    this.bucket(bucket).set(key, object);
  }

  private bucket(name: string): Map<string, StoredObject> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private presign(
    method: 'PUT' | 'GET',
    bucket: string,
    key: string,
    expiresInSeconds: number,
    headers: Record<string, string>,
    versionId?: string,
  ): PresignedRequest {
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString();
    const version = versionId ? `&versionId=${encodeURIComponent(versionId)}` : '';
    const url = `memory://${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?method=${method}&expires=${encodeURIComponent(expiresAt)}${version}`;
    const request: PresignedRequest = { url, method, headers, expiresAt };
    this.issued.push({ ...request, bucket, key, ...(versionId ? { versionId } : {}) });
    return request;
  }
}

function headOf(object: StoredObject): ObjectHead {
  return {
    size: object.bytes.byteLength,
    etag: object.etag,
    contentType: object.contentType,
    lastModified: object.lastModified,
    ...(object.versionId ? { versionId: object.versionId } : {}),
  };
}
