/**
 * A file PUT straight to its presigned link (docs/api.md) with upload progress: XMLHttpRequest, since fetch
 * reports no upload progress. The link binds the key, the method, the headers it names and the declared size
 * (Content-Length), so the file goes as is with exactly those headers.
 */
export interface PresignedLink {
  url: string;
  method: string;
  headers: Record<string, string>;
}

export type UploadFailure =
  /** The link's time ran out (15 minutes): renew it and upload again. */
  | 'expired'
  /** The store refused the request (a size other than the one declared, a link for another file): renew it. */
  | 'refused'
  /** No answer (network, or the store unreachable). */
  | 'network';

export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    readonly kind: UploadFailure,
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

/** What a failed PUT means for the person uploading, from the store's status and S3 error body. */
export function classifyUploadFailure(status: number, body: string): UploadFailure {
  if (status === 0) return 'network';
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '';
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '';
  if (status === 403 && code === 'AccessDenied' && /expired/i.test(message)) return 'expired';
  return 'refused';
}

/** Headers the browser sets itself and refuses from scripts; the size is in the body's length anyway. */
const FORBIDDEN = new Set(['content-length', 'host']);

export function putWithProgress(link: PresignedLink, file: Blob, onProgress: (sent: number, total: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(link.method, link.url);
    for (const [name, value] of Object.entries(link.headers)) {
      if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        reject(new UploadError(classifyUploadFailure(xhr.status, xhr.responseText), xhr.status, `HTTP ${xhr.status}`));
      }
    });
    xhr.addEventListener('error', () => reject(new UploadError('network', 0, 'network error')));
    xhr.addEventListener('abort', () => reject(new UploadError('network', 0, 'aborted')));
    xhr.send(file);
  });
}
