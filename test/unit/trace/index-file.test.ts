import { createHmac } from 'node:crypto';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { textSource } from '../../fixtures/lists.js';
import { isTraceHash, traceHash, traceHashHex, traceIndexKey, traceMonth, traceQuery } from '../../../shared/trace/index-layout.js';
import { MAX_CONSENT_SOURCE_CHARS, traceEntries, traceIndexFile, type TraceIndexEntry } from '../../../shared/trace/index-writer.js';

/** The trace index's pieces (docs/api.md): the keyed hash, the key layout, the query, the Parquet rows. */
const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);
const RELEASE = { intakeId: 'FIL-TRACE00001', callCenter: 'cc-napoli', campaign: 'Inverno 2026', releasedAt: new Date('2026-12-01T10:00:00Z') };

async function fileOf(list: string, batchRows?: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of traceIndexFile(traceEntries(textSource(list), KEY, batchRows), RELEASE)) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

async function rowsOf(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file, utf8: false })) as Record<string, unknown>[];
}

describe('the keyed hash', () => {
  it('is HMAC-SHA-256 of the E.164 text under the key (as openssl computes it)', () => {
    // openssl dgst -sha256 -mac HMAC -macopt hexkey:07…07 <(printf '+393471234567')
    expect(traceHashHex(KEY, '+393471234567')).toBe('0396e5ca34b7776e9d12444606eed125b55336da904a60bf23458770f7146f2d');
    expect(traceHashHex(KEY, '+393471234567')).toBe(createHmac('sha256', KEY).update('+393471234567').digest('hex'));
  });

  it('differs under another key and for another number', () => {
    const hash = traceHashHex(KEY, '+393471234567');
    expect(traceHashHex(OTHER_KEY, '+393471234567')).not.toBe(hash);
    expect(traceHashHex(KEY, '+393471234568')).not.toBe(hash);
    expect(isTraceHash(hash)).toBe(true);
  });

  it.each([['3471234567'], ['+39 347 1234567'], ['']])('refuses what is not E.164 (%j): only normalised numbers are hashed', (text) => {
    expect(() => traceHash(KEY, text)).toThrow(/E\.164/);
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => traceHash(new Uint8Array(31), '+393471234567')).toThrow(/32 bytes/);
  });
});

describe('the index key', () => {
  it('is a Hive-style partition by tenant and month', () => {
    expect(traceIndexKey('acme', RELEASE.releasedAt, RELEASE.intakeId)).toBe('trace/tenant=acme/month=2026-12/FIL-TRACE00001.parquet');
  });

  it('takes the month in Europe/Rome (a release at 00:30 on 1 January in Rome is January)', () => {
    expect(traceMonth(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01');
    expect(traceMonth(new Date('2026-12-31T22:30:00Z'))).toBe('2026-12');
  });

  it.each([['../acme'], ['acme/x'], ['tenant=x'], ['']])('refuses an unsafe tenant id %j', (tenant) => {
    expect(() => traceIndexKey(tenant, RELEASE.releasedAt, RELEASE.intakeId)).toThrow(RangeError);
  });
});

describe('the one trace query', () => {
  const hash = traceHashHex(KEY, '+393471234567');

  it('compares the hash as bytes (the one parameter) and filters the tenants in scope', () => {
    const q = traceQuery('"db"."t"', ['acme', 'beta'], hash)!;
    expect(q.sql).toContain('FROM "db"."t"');
    expect(q.sql).toContain("WHERE hash = from_hex(?) AND tenant IN ('acme', 'beta')");
    expect(q.params).toEqual([hash]);
    expect(q.sql).not.toContain(hash);
  });

  it('has no tenant filter for every tenant, and asks nothing for no tenant', () => {
    expect(traceQuery('x', 'all', hash)!.sql).not.toContain('tenant IN');
    expect(traceQuery('x', [], hash)).toBeNull();
  });

  it('refuses a hash that is not 64 lower-case hex digits, and an unsafe tenant', () => {
    expect(() => traceQuery('x', 'all', "' OR 1=1 --")).toThrow(RangeError);
    expect(() => traceQuery('x', ["acme') OR ('1'='1"], hash)).toThrow(RangeError);
  });
});

describe('the index file of a release', () => {
  const list =
    'nome;telefono;data_consenso;fonte_consenso;note\r\n' +
    'Anna;+393471000001;15/03/2026;https://example.it/modulo;"a; b"\r\n' +
    'Bruno;+393471000002;2026-03-16;;\r\n' +
    'Carla;+390212345678;;\'=cmd;\r\n';

  it('holds one row per released number: its keyed hash, consent date (ISO) and source, and the release facts', async () => {
    const rows = await rowsOf(await fileOf(list));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => Buffer.from(r.hash as Uint8Array).toString('hex'))).toEqual(
      ['+393471000001', '+393471000002', '+390212345678'].map((n) => traceHashHex(KEY, n)),
    );
    expect(rows.map((r) => [r.consent_date, r.consent_source])).toEqual([
      ['2026-03-15', 'https://example.it/modulo'],
      ['2026-03-16', null],
      [null, "'=cmd"],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ intake_id: RELEASE.intakeId, call_center: 'cc-napoli', campaign: 'Inverno 2026', released_at: '2026-12-01T10:00:00.000Z' });
      expect(row).not.toHaveProperty('tenant'); // the partition, in the key
    }
  });

  it('holds no number in clear, in any notation', async () => {
    const text = Buffer.from(await fileOf(list)).toString('latin1');
    for (const digits of ['3471000001', '3471000002', '0212345678', '1000001']) expect(text).not.toContain(digits);
  });

  it('is written in row groups of the batch size, each handed on as written (bounded memory)', async () => {
    let many = 'telefono\r\n';
    for (let i = 0; i < 25; i++) many += `+39347${2000000 + i}\r\n`;
    const batches: TraceIndexEntry[][] = [];
    for await (const batch of traceEntries(textSource(many), KEY, 10)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);

    const parts: Uint8Array[] = [];
    async function* again() {
      yield* batches;
    }
    for await (const part of traceIndexFile(again(), RELEASE)) parts.push(part);
    expect(parts.length).toBeGreaterThanOrEqual(4); // one per row group, then the footer
    const bytes = new Uint8Array(Buffer.concat(parts));
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([10, 10, 5]);
    // No bloom filter on the hash: DuckDB reads hyparquet-writer's as excluding every group (index-writer.ts).
    expect(meta.row_groups[0]!.columns[0]!.meta_data!.bloom_filter_offset).toBeUndefined();
    expect(await rowsOf(bytes)).toHaveLength(25);
  });

  it('cuts a long consent source', async () => {
    const rows = await rowsOf(await fileOf(`telefono;consent_source\r\n+393471000001;${'x'.repeat(2000)}\r\n`));
    expect((rows[0]!.consent_source as string).length).toBe(MAX_CONSENT_SOURCE_CHARS);
  });

  it('is a valid empty file for a release of no rows', async () => {
    expect(await rowsOf(await fileOf('telefono;data_consenso\r\n'))).toEqual([]);
  });

  it('refuses a list without a phone column', async () => {
    await expect(fileOf('nome;email\r\nAnna;a@b.it\r\n')).rejects.toThrow(/no phone column/);
  });
});
