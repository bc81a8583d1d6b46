import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks a presigned (query-string) SigV4 request the way S3 does, for the local S3 engine: s3rver itself only
 * checks the access key id and the expiry, so without this an upload link could write to any key. The canonical
 * request is rebuilt from what the client actually sent (method, raw path, query, the headers it signed) and signed
 * again with the local secret: a changed key, method, content type or expiry gives a different signature.
 *
 * Reference: AWS Signature Version 4, "Authenticating Requests: Using Query Parameters".
 */

export interface PresignedCheckInput {
  method: string;
  /** The request target as received: raw (still percent-encoded) path and query. */
  url: string;
  /** Header lookup, case-insensitive (the value as received). */
  header(name: string): string | undefined;
  secretFor(accessKeyId: string): string | undefined;
  now?: Date;
}

export interface PresignedRefusal {
  status: 400 | 403;
  code: 'AuthorizationQueryParametersError' | 'AccessDenied' | 'SignatureDoesNotMatch' | 'InvalidAccessKeyId';
  message: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** S3 refuses presigned links valid longer than seven days. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

/** True when the request is query-string signed (a presigned link). */
export function isPresigned(url: string): boolean {
  const query = url.split('?')[1] ?? '';
  return /(^|&)X-Amz-Signature=/.test(query);
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeQueryComponent(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, '%20'));
}

function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? null : date;
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** Returns null when the presigned request is genuine and current, otherwise what S3 would answer. */
export function checkPresignedRequest(input: PresignedCheckInput): PresignedRefusal | null {
  const [rawPath = '/', rawQuery = ''] = input.url.split('?', 2) as [string, string?];
  const pairs: [string, string][] = [];
  try {
    for (const part of rawQuery.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      pairs.push(eq < 0 ? [decodeQueryComponent(part), ''] : [decodeQueryComponent(part.slice(0, eq)), decodeQueryComponent(part.slice(eq + 1))]);
    }
  } catch {
    return { status: 400, code: 'AuthorizationQueryParametersError', message: 'The query string is not valid percent-encoding.' };
  }
  const param = (name: string) => pairs.find(([k]) => k === name)?.[1];
  const malformed = (message: string): PresignedRefusal => ({ status: 400, code: 'AuthorizationQueryParametersError', message });

  if (param('X-Amz-Algorithm') !== ALGORITHM) return malformed(`X-Amz-Algorithm must be ${ALGORITHM}.`);
  const credential = param('X-Amz-Credential')?.split('/');
  if (!credential || credential.length !== 5 || credential[4] !== 'aws4_request') {
    return malformed('X-Amz-Credential must be <key id>/<date>/<region>/<service>/aws4_request.');
  }
  const [accessKeyId, scopeDate, region, service] = credential as [string, string, string, string, string];
  const amzDate = param('X-Amz-Date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || !amzDate.startsWith(scopeDate)) return malformed('X-Amz-Date is missing, malformed or outside the credential scope.');
  const expires = Number(param('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
    return malformed(`X-Amz-Expires must be a whole number of seconds between 1 and ${MAX_EXPIRES_SECONDS}.`);
  }
  const signedHeaders = param('X-Amz-SignedHeaders')?.split(';') ?? [];
  if (!signedHeaders.includes('host')) return malformed('X-Amz-SignedHeaders must include host.');
  const signature = param('X-Amz-Signature') ?? '';
  if (!/^[0-9a-f]{64}$/.test(signature)) return malformed('X-Amz-Signature must be 64 lowercase hex digits.');

  const secret = input.secretFor(accessKeyId);
  if (secret === undefined) {
    return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  }
  const now = input.now ?? new Date();
  if (now.getTime() > signedAt.getTime() + expires * 1000) {
    return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
  }
  if (signedAt.getTime() - now.getTime() > 15 * 60_000) {
    return { status: 403, code: 'AccessDenied', message: 'Request is not valid yet' };
  }

  const canonicalQuery = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(input.header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    input.method.toUpperCase(),
    rawPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    input.header('x-amz-content-sha256') ?? param('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    };
  }
  return null;
}
