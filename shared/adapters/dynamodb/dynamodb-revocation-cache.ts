import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type DynamoDBDocumentClient, GetCommand, type GetCommandInput, PutCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CachedRevocation, RevocationCache } from '../../ports/revocation-fetcher.js';
import { intakeTableDesign } from './table-design.js';

/**
 * DynamoDB keeps an item up to 400 KB: a compressed CRL larger than this is not shared through the table (each
 * container then keeps its own copy in memory, shared/adapters/memory/memory-revocation-cache.ts).
 */
export const MAX_CACHED_BYTES = 350 * 1024;

/**
 * Fetched CRLs and OCSP answers in the app's table (docs/configuration.md, revocation.fetch), one item each:
 * pk REVOCATION#{sha256 of the cache key}, sk REVOCATION, the DER gzipped, the instant it goes stale, and a TTL so
 * DynamoDB deletes it. No index key: the items never appear in the intakes' indexes. DynamoDB deletes expired items
 * late (and DynamoDB Local never does), so `expiresAt` is checked on every read.
 */
export function revocationItemKey(key: string): { pk: string; sk: string } {
  return { pk: `REVOCATION#${createHash('sha256').update(key).digest('hex')}`, sk: 'REVOCATION' };
}

export function buildRevocationGet(tableName: string, key: string): GetCommandInput {
  return { TableName: tableName, Key: revocationItemKey(key), ConsistentRead: false };
}

/** The PutItem input, or null when the compressed answer would not fit an item. */
export function buildRevocationPut(tableName: string, key: string, der: Uint8Array, expiresAt: Date): PutCommandInput | null {
  const body = gzipSync(der);
  if (body.byteLength > MAX_CACHED_BYTES) return null;
  return {
    TableName: tableName,
    Item: {
      ...revocationItemKey(key),
      entity: 'revocation',
      source: key.slice(0, 2048),
      der: new Uint8Array(body),
      expiresAt: expiresAt.toISOString(),
      [intakeTableDesign.timeToLiveAttribute]: Math.ceil(expiresAt.getTime() / 1000),
    },
  };
}

export function fromRevocationItem(item: Record<string, unknown> | undefined, now: Date): CachedRevocation | undefined {
  if (!item || !(item.der instanceof Uint8Array) || typeof item.expiresAt !== 'string') return undefined;
  const expiresAt = new Date(item.expiresAt);
  if (!(expiresAt > now)) return undefined;
  try {
    return { der: new Uint8Array(gunzipSync(item.der)), expiresAt };
  } catch {
    return undefined;
  }
}

export class DynamoRevocationCache implements RevocationCache {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(key: string, now: Date): Promise<CachedRevocation | undefined> {
    const { Item } = await this.doc.send(new GetCommand(buildRevocationGet(this.tableName, key)));
    return fromRevocationItem(Item, now);
  }

  async put(key: string, der: Uint8Array, expiresAt: Date): Promise<void> {
    const input = buildRevocationPut(this.tableName, key, der, expiresAt);
    if (input) await this.doc.send(new PutCommand(input));
  }
}
