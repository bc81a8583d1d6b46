import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { progress, progressDone, UsageError } from './cli-support.js';
import { terminalSafe, terminalSafeDeep } from './terminal-text.js';

/**
 * A thin client of the HTTP API for the CLI, with the bearer token and readable errors. What the API returns is
 * written by others (campaign names, findings quoting an attestation, justifications): every string of it is made
 * terminal-safe here (./terminal-text.ts), before any command can print it.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body);
    return terminalSafeDeep((await response.json()) as T);
  }

  async bytes(path: string): Promise<Uint8Array> {
    const response = await this.fetch('GET', path);
    return new Uint8Array(await response.arrayBuffer());
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new ApiError(0, 'unreachable', `cannot reach ${this.baseUrl} (${(err as Error).cause ?? (err as Error).message}); is "npm start" running?`);
    }
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      let code = 'error';
      try {
        const parsed = JSON.parse(text) as { error?: string; message?: string };
        message = parsed.message ?? text;
        code = parsed.error ?? code;
      } catch {
        // not JSON: keep the text
      }
      throw new ApiError(response.status, terminalSafe(code), `${method} ${path}: ${response.status} ${terminalSafe(message)}`);
    }
    return response;
  }
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function apiClient(flags: { url?: string; token?: string }): ApiClient {
  const token = flags.token ?? process.env.FILIERA_TOKEN;
  if (!token) throw new UsageError('a bearer token is needed: --token TOKEN or FILIERA_TOKEN (locally: filiera token --role ...)');
  return new ApiClient(flags.url ?? process.env.FILIERA_URL ?? 'http://127.0.0.1:4510', token);
}

/** PUTs a file to a presigned link with its exact length (S3 refuses chunked uploads), showing progress. */
export async function uploadFile(file: string, link: { url: string; method: string; headers: Record<string, string> }, label: string): Promise<void> {
  const size = (await stat(file)).size;
  const url = new URL(link.url);
  const transport = url.protocol === 'https:' ? https : http;
  await new Promise<void>((resolve, reject) => {
    const request = transport.request(
      url,
      { method: link.method, headers: { ...link.headers, 'content-length': String(size) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          progressDone();
          if ((response.statusCode ?? 0) >= 300) {
            reject(new ApiError(response.statusCode ?? 0, 'upload_failed', `upload of ${label} failed: ${response.statusCode} ${terminalSafe(Buffer.concat(chunks).toString('utf8').slice(0, 300))}`));
          } else resolve();
        });
      },
    );
    request.on('error', reject);
    let sent = 0;
    const source = createReadStream(file);
    source.on('data', (chunk) => {
      sent += chunk.length;
      progress(`uploading ${label} ${bar(sent, size)}`);
    });
    source.on('error', reject);
    source.pipe(request);
  });
}

/** Streams a link to a file (never the whole file in memory), showing progress; returns the SHA-256 of the bytes. */
export async function downloadTo(url: string, file: string, label: string): Promise<{ sha256: string; bytes: number }> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new ApiError(response.status, 'download_failed', `download of ${label} failed: ${response.status}`);
  const total = Number(response.headers.get('content-length') ?? 0);
  const hash = createHash('sha256');
  let received = 0;
  const out = createWriteStream(file);
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.byteLength;
      if (!out.write(chunk)) await once(out, 'drain');
      progress(`downloading ${label} ${bar(received, total)}`);
    }
  } finally {
    out.end();
    await once(out, 'close');
    progressDone();
  }
  return { sha256: hash.digest('hex'), bytes: received };
}

function bar(done: number, total: number): string {
  if (!total) return `${(done / 1048576).toFixed(1)} MiB`;
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor((done / total) * 100)}% of ${(total / 1048576).toFixed(1)} MiB`;
}
