import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks SigV4 requests the way S3 does, for the local S3 engine: s3rver itself only checks the access key id and the
 * expiry of a presigned link, accepts any header-signed request without computing its signature, and serves
 * anonymous requests. Without this an upload link could write to any key, an unsigned `x-amz-copy-source` sent with
 * an upload link would copy another tenant's list, and any page or process reaching the port could read everything.
 *
 * The canonical request is rebuilt from what the client actually sent (method, raw path, query, the headers it
 * signed) and signed again with the local secret: a changed key, method, content type, length or expiry gives a
 * different signature. As S3 does, every `x-amz-*` header sent must be one of the signed headers (S3: "There were
 * headers present in the request which were not signed"), and on a presigned link so must the headers stored and
 * served with the object (unsignedAmzHeaders); a request signed neither way is refused.
 *
 * Reference: AWS Signature Version 4, "Authenticating Requests: Using Query Parameters" and "Using the Authorization
 * Header". Not checked: the body against `x-amz-content-sha256` and the chunk signatures of aws-chunked uploads
 * (the local handlers' own clients, on loopback).
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
  code: 'AuthorizationQueryParametersError' | 'AuthorizationHeaderMalformed' | 'AccessDenied' | 'SignatureDoesNotMatch' | 'InvalidAccessKeyId';
  message: string;
}

/** The request's header names (lower case), for the unsigned-header rule. */
export interface SignedCheckInput extends PresignedCheckInput {
  headerNames: string[];
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
export function checkPresignedRequest(input: PresignedCheckInput & { headerNames?: string[] }): PresignedRefusal | null {
  const [rawPath = '/', rawQuery = ''] = input.url.split('?', 2) as [string, string?];
  let pairs: [string, string][];
  try {
    pairs = parseQuery(rawQuery);
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

  // Only a write stores headers with the object: a browser's Cache-Control on a download link changes nothing stored.
  const unsigned = unsignedAmzHeaders(input, signedHeaders, input.method.toUpperCase() === 'PUT' || input.method.toUpperCase() === 'POST');
  if (unsigned) return unsigned;
  return verifySignature({
    method: input.method,
    rawPath,
    pairs: pairs.filter(([k]) => k !== 'X-Amz-Signature'),
    signedHeaders,
    header: input.header,
    payloadHash: input.header('x-amz-content-sha256') ?? param('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    amzDate,
    scope: [scopeDate, region, service],
    secret,
    signature,
  });
}

/**
 * Any request to the engine: a presigned link, a request signed in its Authorization header, or a refusal (an
 * anonymous request is AccessDenied, as on a bucket that grants nothing to everyone).
 */
export function checkSignedRequest(input: SignedCheckInput): PresignedRefusal | null {
  if (isPresigned(input.url)) {
    return input.header('authorization') === undefined
      ? checkPresignedRequest(input)
      : { status: 400, code: 'AuthorizationQueryParametersError', message: 'Only one auth mechanism allowed.' };
  }
  const authorization = input.header('authorization');
  if (authorization === undefined) return { status: 403, code: 'AccessDenied', message: 'Anonymous requests are not allowed.' };
  return checkHeaderSignedRequest(input, authorization);
}

function checkHeaderSignedRequest(input: SignedCheckInput, authorization: string): PresignedRefusal | null {
  const malformed = (message: string): PresignedRefusal => ({ status: 400, code: 'AuthorizationHeaderMalformed', message });
  const m = /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/.exec(authorization.trim());
  if (!m) return malformed('The authorization header must be AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...');
  const credential = m[1]!.split('/');
  if (credential.length !== 5 || credential[4] !== 'aws4_request') {
    return malformed('Credential must be <key id>/<date>/<region>/<service>/aws4_request.');
  }
  const [accessKeyId, scopeDate, region, service] = credential as [string, string, string, string, string];
  const signedHeaders = m[2]!.split(';');
  if (!signedHeaders.includes('host')) return malformed('SignedHeaders must include host.');
  const amzDate = input.header('x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || !amzDate.startsWith(scopeDate)) return malformed('x-amz-date is missing, malformed or outside the credential scope.');
  const payloadHash = input.header('x-amz-content-sha256');
  if (!payloadHash) return { status: 400, code: 'AuthorizationHeaderMalformed', message: 'x-amz-content-sha256 is required.' };
  const secret = input.secretFor(accessKeyId);
  if (secret === undefined) {
    return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  }
  const now = input.now ?? new Date();
  if (Math.abs(now.getTime() - signedAt.getTime()) > 15 * 60_000) {
    return { status: 403, code: 'AccessDenied', message: 'The difference between the request time and the current time is too large.' };
  }
  const unsigned = unsignedAmzHeaders(input, signedHeaders, false);
  if (unsigned) return unsigned;
  const [rawPath = '/', rawQuery = ''] = input.url.split('?', 2) as [string, string?];
  let pairs: [string, string][];
  try {
    pairs = parseQuery(rawQuery);
  } catch {
    return { status: 400, code: 'AuthorizationQueryParametersError', message: 'The query string is not valid percent-encoding.' };
  }
  return verifySignature({
    method: input.method,
    rawPath,
    pairs,
    signedHeaders,
    header: input.header,
    payloadHash,
    amzDate,
    scope: [scopeDate, region, service],
    secret,
    signature: m[3]!,
  });
}

/**
 * Headers a signed request may carry only if it signed them: S3's rule for x-amz-* (metadata, copy source, ACL,
 * tagging, encryption), and, stricter than S3, the headers S3 stores with the object and serves back with it
 * (Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires): an upload link cannot make the
 * attestation a compliance officer later downloads decompress or open differently. Content-Type stays free where
 * the link does not bind it, as clients set it on their own (document links download as attachments anyway).
 */
const STORED_WITH_OBJECT = new Set(['content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires']);

function unsignedAmzHeaders(
  input: PresignedCheckInput & { headerNames?: string[] },
  signedHeaders: string[],
  /** Links handed to people; the handlers' own SDK clients leave Cache-Control unsigned by design. */
  storedToo: boolean,
): PresignedRefusal | null {
  const signed = new Set(signedHeaders);
  const unsigned = (input.headerNames ?? [])
    .map((n) => n.toLowerCase())
    .filter((n) => (n.startsWith('x-amz-') || (storedToo && STORED_WITH_OBJECT.has(n))) && !signed.has(n));
  if (unsigned.length === 0) return null;
  return { status: 403, code: 'AccessDenied', message: `There were headers present in the request which were not signed: ${unsigned.join(', ')}` };
}

function parseQuery(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? [decodeQueryComponent(part), ''] : [decodeQueryComponent(part.slice(0, eq)), decodeQueryComponent(part.slice(eq + 1))]);
  }
  return pairs;
}

function verifySignature(request: {
  method: string;
  rawPath: string;
  /** The query's parameters, the signature itself left out. */
  pairs: [string, string][];
  signedHeaders: string[];
  header(name: string): string | undefined;
  payloadHash: string;
  amzDate: string;
  scope: [date: string, region: string, service: string];
  secret: string;
  signature: string;
}): PresignedRefusal | null {
  const canonicalQuery = request.pairs
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = request.signedHeaders
    .map((name) => `${name}:${(request.header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    request.rawPath,
    canonicalQuery,
    canonicalHeaders,
    request.signedHeaders.join(';'),
    request.payloadHash,
  ].join('\n');
  const [scopeDate, region, service] = request.scope;
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, request.amzDate, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${request.secret}`, scopeDate), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(request.signature, 'hex'))) {
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    };
  }
  return null;
}
