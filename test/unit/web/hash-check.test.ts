import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkReleasedList, releasedHash, sha256Hex } from '../../../web/src/hash-check.js';

const list = new TextEncoder().encode('telefono\r\n+393471000001\r\n');
const sha = createHash('sha256').update(list).digest('hex');

describe("the call center's check of a downloaded list against its receipt (WebCrypto)", () => {
  it('hashes with WebCrypto as node:crypto does', async () => {
    expect(await sha256Hex(list)).toBe(sha);
    expect(await sha256Hex(list.buffer.slice(0))).toBe(sha);
  });

  it("verifies the list whose SHA-256 is the receipt's released.sha256 (case-insensitive), and nothing else", async () => {
    expect(await checkReleasedList({ released: { sha256: sha, bytes: list.length, rows: 1 } }, list)).toEqual({ expected: sha, actual: sha, verified: true });
    expect((await checkReleasedList({ released: { sha256: sha.toUpperCase() } }, list)).verified).toBe(true);
    const altered = new TextEncoder().encode('telefono\r\n+393471000002\r\n');
    expect(await checkReleasedList({ released: { sha256: sha } }, altered)).toMatchObject({ expected: sha, verified: false });
    // The uploaded list's hash is not the released one: only released.sha256 counts.
    expect((await checkReleasedList({ list: { sha256: sha }, released: null }, list)).verified).toBe(false);
  });

  it('a receipt naming no hash (or not JSON at all) is never verified', async () => {
    for (const receipt of [null, 'text', {}, { released: {} }, { released: { sha256: 'abc' } }]) {
      expect(releasedHash(receipt)).toBeNull();
      expect((await checkReleasedList(receipt, list)).verified).toBe(false);
    }
  });
});
