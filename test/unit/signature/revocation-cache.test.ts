/**
 * docs/configuration.md, revocation.fetch: fetched answers kept in the app's DynamoDB table (one item with a TTL each)
 * and in memory. The table's inputs are pure data, tested without a table.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_BYTES, buildRevocationGet, buildRevocationPut, fromRevocationItem, revocationItemKey } from '../../../shared/adapters/dynamodb/dynamodb-revocation-cache.js';
import { intakeTableDesign } from '../../../shared/adapters/dynamodb/table-design.js';
import { MemoryRevocationCache } from '../../../shared/adapters/memory/memory-revocation-cache.js';

const now = new Date('2026-06-01T10:00:00Z');
const later = new Date('2026-06-02T10:00:00Z');

describe('revocation items in the table', () => {
  it('one item per cache key, outside the intakes\' partitions and indexes, with a TTL at its expiry', () => {
    const der = new Uint8Array(Buffer.from('3082'.repeat(200), 'hex'));
    const put = buildRevocationPut('filiera', 'crl http://crl.test/a.crl', der, later)!;
    expect(put.Item).toMatchObject({ pk: expect.stringMatching(/^REVOCATION#[0-9a-f]{64}$/), sk: 'REVOCATION', entity: 'revocation', expiresAt: later.toISOString() });
    expect(put.Item![intakeTableDesign.timeToLiveAttribute]).toBe(later.getTime() / 1000);
    for (const index of intakeTableDesign.globalSecondaryIndexes) expect(put.Item).not.toHaveProperty(index.partitionKey.name);
    expect(buildRevocationGet('filiera', 'crl http://crl.test/a.crl').Key).toEqual(revocationItemKey('crl http://crl.test/a.crl'));
    expect(revocationItemKey('crl http://crl.test/a.crl')).not.toEqual(revocationItemKey('crl http://crl.test/b.crl'));
  });

  it('the DER goes in compressed and comes back whole until it expires (DynamoDB deletes expired items late)', () => {
    const der = new Uint8Array(Buffer.from('30820122'.repeat(500), 'hex'));
    const put = buildRevocationPut('filiera', 'k', der, later)!;
    expect((put.Item!.der as Uint8Array).byteLength).toBeLessThan(der.byteLength);
    expect(fromRevocationItem(put.Item, now)).toEqual({ der, expiresAt: later });
    expect(fromRevocationItem(put.Item, new Date(later.getTime() + 1))).toBeUndefined();
    expect(fromRevocationItem(undefined, now)).toBeUndefined();
    expect(fromRevocationItem({ ...put.Item, der: new Uint8Array([1, 2, 3]) }, now)).toBeUndefined();
  });

  it('an answer that would not fit an item (400 KB) is not written', () => {
    expect(buildRevocationPut('filiera', 'k', new Uint8Array(randomBytes(MAX_CACHED_BYTES + 1024)), later)).toBeNull();
  });
});

describe('the memory cache', () => {
  it('reads through to the shared cache on a miss and keeps what it read; writes to both', async () => {
    const shared = new MemoryRevocationCache();
    const local = new MemoryRevocationCache({ behind: shared });
    await shared.put('a', Uint8Array.of(1), later);
    expect(await local.get('a', now)).toEqual({ der: Uint8Array.of(1), expiresAt: later });
    await local.put('b', Uint8Array.of(2), later);
    expect(await shared.get('b', now)).toEqual({ der: Uint8Array.of(2), expiresAt: later });
    expect(await local.get('b', later)).toBeUndefined();
  });

  it('keeps at most its byte budget, oldest out first', async () => {
    const cache = new MemoryRevocationCache({ maxBytes: 10 });
    await cache.put('a', new Uint8Array(6), later);
    await cache.put('b', new Uint8Array(6), later);
    expect(await cache.get('a', now)).toBeUndefined();
    expect(await cache.get('b', now)).toBeDefined();
  });
});
