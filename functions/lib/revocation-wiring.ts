import * as z from 'zod';
import { createDynamoDocumentClient } from '../../shared/adapters/dynamodb/dynamodb-intake-repository.js';
import { DynamoRevocationCache } from '../../shared/adapters/dynamodb/dynamodb-revocation-cache.js';
import { HttpRevocationFetcher } from '../../shared/adapters/http/http-revocation-fetcher.js';
import { MemoryRevocationCache } from '../../shared/adapters/memory/memory-revocation-cache.js';
import type { RevocationLookup } from '../../shared/ports/revocation-fetcher.js';
import { OnlineRevocation } from '../../shared/signature/online-revocation.js';
import type { DepsSource } from './deps-source.js';
import { parseEnvironment } from './environment-wiring.js';

export interface OnlineRevocationWiring {
  tableName: string;
  region: string;
  /** DynamoDB Local in the embedded stack. */
  dynamoEndpoint?: string;
  /** Loopback URLs in certificates are fetched (the embedded stack, tests); never in Lambda. */
  allowLoopback?: boolean;
}

/**
 * docs/configuration.md, revocation.fetch: OCSP and CRLs over HTTP (3 s a request, 5 s a verification), cached in the
 * container's memory and in the app's table (an item with a TTL), so that the functions of a deployment ask a CA once
 * per answer's validity. Built whatever the configuration says; the use case asks only when revocation.fetch is true.
 */
export function onlineRevocation(wiring: OnlineRevocationWiring): RevocationLookup {
  const doc = createDynamoDocumentClient({ region: wiring.region, ...(wiring.dynamoEndpoint ? { endpoint: wiring.dynamoEndpoint } : {}) });
  return new OnlineRevocation({
    fetcher: new HttpRevocationFetcher({ allowLoopback: wiring.allowLoopback ?? false }),
    cache: new MemoryRevocationCache({ behind: new DynamoRevocationCache(doc, wiring.tableName) }),
  });
}

const Environment = z.object({
  TABLE_NAME: z.string().min(1),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().optional(),
});

/**
 * The functions that verify signatures (on-upload, on-textract-complete, sweep) get the online revocation lookup
 * beside their other dependencies; built once per container, on the first invocation.
 */
export function withOnlineRevocation(source: DepsSource, env: Record<string, string | undefined> = process.env): DepsSource {
  let lookup: RevocationLookup | undefined;
  const wrapped: DepsSource = async () => {
    const deps = await source();
    if (!lookup) {
      const e = parseEnvironment(Environment, env);
      lookup = onlineRevocation({ tableName: e.TABLE_NAME, region: e.AWS_REGION ?? 'eu-south-1', ...(e.DYNAMODB_ENDPOINT ? { dynamoEndpoint: e.DYNAMODB_ENDPOINT } : {}) });
    }
    return { ...deps, revocation: lookup };
  };
  if (source.lambdaLogger) wrapped.lambdaLogger = source.lambdaLogger;
  return wrapped;
}
