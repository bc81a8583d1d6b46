import { createHash } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  CONSENT_SAMPLE_DRAWN,
  ConsentSampleSelector,
  consentSampleDrawnData,
  consentSampleDrawnEvent,
  consentSampleSeed,
  consentSeedFromAuditTrail,
  drawConsentSample,
  drawSampleIndices,
  sampleColumns,
  newConsentSampleNonce,
  type ConsentSampleCandidate,
} from '../../../shared/consent/draw.js';
import { keyWordsHex, sampleKey, SampleKeyHasher } from '../../../shared/consent/sample-key.js';
import { chainAuditEvent, type AuditEvent } from '../../../shared/intake/audit.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The definition written out the slow, obvious way: every key, sorted, the first n, back in row order. */
function referenceSample(seed: string, size: number, rows: number): number[] {
  const seedBytes = Buffer.from(seed, 'hex');
  const keyed = Array.from({ length: rows }, (_, i) => {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    return { i, key: createHash('sha256').update(Buffer.concat([seedBytes, counter])).digest() };
  });
  keyed.sort((a, b) => Buffer.compare(a.key, b.key) || a.i - b.i);
  return keyed
    .slice(0, size)
    .map((k) => k.i)
    .sort((a, b) => a - b);
}

function feed(rows: number): ConsentSampleCandidate[] {
  return Array.from({ length: rows }, (_, i) => ({
    index: i,
    row: i + 2, // a row excluded before the first released one shifts the numbering
    phone: `+39347${String(1000000 + i)}`,
    consentDate: null,
    consentSource: null,
  }));
}

describe('the seed and the keys (Filiera specification §10)', () => {
  it('match values computed with Python hashlib from the definition', () => {
    // python3: hashlib.sha256(bytes.fromhex(list) + bytes.fromhex(att) + bytes.fromhex(nonce)).hexdigest()
    const listSha = sha('list');
    const attestationSha = sha('attestation');
    const nonce = 'ab'.repeat(32);
    const seed = consentSampleSeed(listSha, attestationSha, nonce);
    expect(seed).toBe('28e53785cb9d04f88af70593dedb64206e3fa094bc359cda8620a1181af3fd56');
    expect(sampleKey(Buffer.from(seed, 'hex'), 0).toString('hex')).toBe(
      '2399465693b87a707f60b54966de40963a9c3c8847b9e46124c071f84d748dee',
    );
    // python3: sorted(i for _, i in sorted((sha256(seed + i.to_bytes(4, 'big')).digest(), i) for i in range(100))[:5])
    expect(drawConsentSample(seed, 5, feed(100)).map((r) => r.index)).toEqual([6, 8, 9, 23, 67]);
  });

  it('reads the three hashes as bytes, whatever the case of their hex digits', () => {
    const seed = consentSampleSeed(sha('a').toUpperCase(), sha('b'), 'CD'.repeat(32));
    expect(seed).toBe(consentSampleSeed(sha('a'), sha('b'), 'cd'.repeat(32)));
    expect(() => consentSampleSeed('abc', sha('b'), 'cd'.repeat(32))).toThrow(/list SHA-256/);
    expect(() => consentSampleSeed(sha('a'), sha('b'), 'zz'.repeat(32))).toThrow(/nonce/);
  });

  it('computes every key as node:crypto does, the fast one-block hasher included', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.oneof(fc.nat({ max: 1000 }), fc.constantFrom(0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff), fc.nat({ max: 0xffffffff })),
        (seed, index) => {
          const out = new Uint32Array(8);
          new SampleKeyHasher(seed).keyInto(index, out);
          expect(keyWordsHex(out)).toBe(sampleKey(seed, index).toString('hex'));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses an index that uint32be cannot carry', () => {
    const hasher = new SampleKeyHasher(new Uint8Array(32));
    expect(() => hasher.keyInto(2 ** 32, new Uint32Array(8))).toThrow(RangeError);
    expect(() => sampleKey(new Uint8Array(32), -1)).toThrow(RangeError);
    expect(() => sampleKey(new Uint8Array(31), 0)).toThrow(/32 bytes/);
  });
});

describe('the selector', () => {
  it('selects the same rows as sorting every key, on random seeds, sizes and lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat({ max: 40 }), fc.nat({ max: 300 }), (seedBytes, size, rows) => {
        const seed = Buffer.from(seedBytes).toString('hex');
        const drawn = drawConsentSample(seed, size, feed(rows));
        expect(drawn.map((r) => r.index)).toEqual(referenceSample(seed, size, rows));
      }),
      { numRuns: 150 },
    );
  });

  it('draws the same indices from the number of released rows alone (the receipt, without the list)', () => {
    const seed = sha('receipt');
    expect(drawSampleIndices(seed, 500, 59)).toEqual(referenceSample(seed, 59, 500));
    expect(drawSampleIndices(seed, 500, 59)).toEqual(drawConsentSample(seed, 59, feed(500)).map((r) => r.index));
  });

  it('takes every row when the list is shorter than the sample, and none for size 0', () => {
    const seed = sha('short');
    expect(drawConsentSample(seed, 59, feed(7)).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(drawConsentSample(seed, 0, feed(7))).toEqual([]);
  });

  it('names each sampled row by its uploaded data row, with its phone, date, source and key, in row order', () => {
    const seed = sha('named');
    const selector = new ConsentSampleSelector(seed, 3);
    selector.offer(0, 1, '+393471111111', '14/03/2026', '  concorso web ');
    selector.offer(1, 4, '+393472222222', '2026-03-15', '');
    selector.offer(2, 5, '+393473333333', '2026-03-16T00:30:00+01:00', 'x'.repeat(400));
    const rows = selector.rows();
    expect(rows.map((r) => [r.row, r.index, r.phone, r.consentDate])).toEqual([
      [1, 0, '+393471111111', '2026-03-14'],
      [4, 1, '+393472222222', '2026-03-15'],
      [5, 2, '+393473333333', '2026-03-16'],
    ]);
    expect(rows[0]!.consentSource).toBe('concorso web');
    expect(rows[1]!.consentSource).toBeNull();
    expect(rows[2]!.consentSource).toHaveLength(256);
    expect(rows[2]!.key).toBe(sampleKey(Buffer.from(seed, 'hex'), 2).toString('hex'));
  });

  it('refuses a row offered out of released order (a skipped row would draw another sample)', () => {
    const selector = new ConsentSampleSelector(sha('order'), 5);
    selector.offer(0, 1, '+393471111111', null, null);
    expect(() => selector.offer(2, 3, '+393472222222', null, null)).toThrow(/expected index 1/);
    expect(() => selector.offer(0, 1, '+393471111111', null, null)).toThrow(/expected index 1/);
  });

  it('holds copies of the retained cells, not the chunks the list reader sliced them from', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const selector = new ConsentSampleSelector(sha('slices'), 64);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 64; i++) {
      // A 512 KB chunk of decoded text per row; the cells are slices of it, as the CSV reader makes them.
      const chunk = `+3934712${String(10000 + i)};${'https://acme.example/promo;'.repeat(20_000)}`;
      const phone = chunk.slice(0, 13);
      selector.offer(i, i + 1, phone, null, chunk.slice(14, 40));
    }
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(selector.retained).toBe(64);
    expect(selector.rows()[0]!.consentSource).toBe('https://acme.example/promo');
    expect(retained).toBeLessThan(4 * 1024 * 1024); // 64 chunks would be over 32 MB
  });

  it('keeps at most n rows over a 1,000,000-row feed (the heap, never the list)', () => {
    const n = 59;
    const selector = new ConsentSampleSelector(sha('a million'), n);
    let maxRetained = 0;
    for (let i = 0; i < 1_000_000; i++) {
      selector.offer(i, i + 1, '+393470000000', null, null);
      if (selector.retained > maxRetained) maxRetained = selector.retained;
    }
    expect(selector.offered).toBe(1_000_000);
    expect(maxRetained).toBe(n);
    const rows = selector.rows();
    expect(rows).toHaveLength(n);
    expect(rows.map((r) => r.index)).toEqual([...rows.map((r) => r.index)].sort((a, b) => a - b));
    // The largest retained key is below what 59 smallest of a million uniform keys should be: about 59/1e6 of 2^256.
    const largest = rows.map((r) => BigInt(`0x${r.key}`)).reduce((a, b) => (a > b ? a : b));
    expect(Number((largest * 1_000_000n) >> 200n) / 2 ** 56).toBeLessThan(2 * n);
  });
});

describe('the columns the sample carries', () => {
  it('finds the consent date and source as the list engine matches header names', () => {
    expect(sampleColumns(['Nome', 'Telefono', 'Data Consenso', 'Fonte consenso'])).toEqual({ consentDate: 2, consentSource: 3 });
    expect(sampleColumns(['phone', 'CONSENT_SOURCE', 'consent date'])).toEqual({ consentDate: 2, consentSource: 1 });
    expect(sampleColumns(['telefono', 'fonte', 'data'])).toEqual({ consentDate: -1, consentSource: -1 });
  });

  it('takes the cells of a released row as the list reader holds them, once the header is bound', () => {
    const selector = new ConsentSampleSelector(sha('cells'), 5);
    selector.bindHeader(['nome', 'telefono', 'Fonte consenso', 'data_consenso']);
    const cells = ['Anna', '347 1234567', 'fiera', '14/03/2026', 'stale cell of a longer record'];
    selector.offerCells(0, 1, '+393471234567', cells, 4);
    selector.offerCells(1, 2, '+393471234568', cells, 2); // a short record: its missing cells are empty
    expect(selector.rows().map((r) => [r.consentDate, r.consentSource])).toEqual([
      ['2026-03-14', 'fiera'],
      [null, null],
    ]);
    const unbound = new ConsentSampleSelector(sha('cells'), 5);
    unbound.offerCells(0, 1, '+393471234567', cells, 4);
    expect(unbound.rows()[0]).toMatchObject({ consentDate: null, consentSource: null });
  });
});

describe('the nonce and its audit event', () => {
  it('is 32 random bytes in 64 hex digits, from the injected source', () => {
    const nonce = newConsentSampleNonce((size) => new Uint8Array(size).fill(0xa5));
    expect(nonce).toBe('a5'.repeat(32));
    expect(newConsentSampleNonce()).toMatch(/^[0-9a-f]{64}$/);
    expect(newConsentSampleNonce()).not.toBe(newConsentSampleNonce());
    expect(() => newConsentSampleNonce(() => new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it('is recorded as consent_sample.drawn with data { nonce } and nothing else', () => {
    const nonce = 'A5'.repeat(32);
    expect(consentSampleDrawnData(nonce)).toEqual({ nonce: 'a5'.repeat(32) });
    expect(consentSampleDrawnEvent(nonce, new Date('2026-03-14T10:00:00Z'))).toEqual({
      type: 'consent_sample.drawn',
      actor: 'system:pipeline',
      at: '2026-03-14T10:00:00.000Z',
      data: { nonce: 'a5'.repeat(32) },
    });
    expect(CONSENT_SAMPLE_DRAWN).toBe('consent_sample.drawn');
    expect(() => consentSampleDrawnData('not hex')).toThrow(/nonce/);
  });
});

function trail(...drafts: Parameters<typeof chainAuditEvent>[2][]): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const draft of drafts) events.push(chainAuditEvent('int-1', events[events.length - 1], draft));
  return events;
}

const created = { type: 'intake.created', actor: 'committente:acme/alice', at: '2026-03-14T09:00:00Z' };

describe('the seed from the audit trail alone', () => {
  const listSha = sha('the list');
  const attestationSha = sha('the attestation');
  const nonce = 'c3'.repeat(32);

  it('recomputes the seed from the drawn event and the two hashes', () => {
    const events = trail(created, consentSampleDrawnEvent(nonce, '2026-03-14T09:05:00Z'));
    const result = consentSeedFromAuditTrail(JSON.parse(JSON.stringify(events)) as AuditEvent[], listSha, attestationSha);
    expect(result).toMatchObject({ ok: true, nonce, seed: consentSampleSeed(listSha, attestationSha, nonce) });
  });

  it('refuses a trail that does not re-check, that has no draw, or that has two', () => {
    const events = trail(created, consentSampleDrawnEvent(nonce, '2026-03-14T09:05:00Z'));
    const tampered = events.map((e) => (e.seq === 2 ? { ...e, data: { nonce: 'c4'.repeat(32) } } : e));
    expect(consentSeedFromAuditTrail(tampered, listSha, attestationSha)).toMatchObject({ ok: false, reason: /does not re-check at event 2/ });
    expect(consentSeedFromAuditTrail(trail(created), listSha, attestationSha)).toMatchObject({ ok: false, reason: /no consent_sample.drawn/ });
    const twice = trail(created, consentSampleDrawnEvent(nonce, '2026-03-14T09:05:00Z'), consentSampleDrawnEvent('d4'.repeat(32), '2026-03-14T09:06:00Z'));
    expect(consentSeedFromAuditTrail(twice, listSha, attestationSha)).toMatchObject({ ok: false, reason: /2 consent_sample.drawn events \(seq 2, 3\)/ });
    const noNonce = trail(created, { type: 'consent_sample.drawn', actor: 'system:pipeline', at: '2026-03-14T09:05:00Z', data: {} });
    expect(consentSeedFromAuditTrail(noNonce, listSha, attestationSha)).toMatchObject({ ok: false, reason: /no 64-hex nonce/ });
  });
});
