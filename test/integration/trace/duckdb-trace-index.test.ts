import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbTraceIndex } from '../../../shared/adapters/duckdb/duckdb-trace-index.js';
import { FileTraceKey, TRACE_KEY_FILE } from '../../../shared/adapters/local/file-trace-key.js';
import { traceHashHex, traceIndexKey } from '../../../shared/trace/index-layout.js';
import { traceEntries, traceIndexFile, type ReleaseFacts } from '../../../shared/trace/index-writer.js';
import { textSource } from '../../fixtures/lists.js';

/**
 * DuckDB over real Parquet files written by the index writer (docs/api.md): the one query finds exactly the
 * releases whose lists held the number, within the scope asked, across tenants and months; the key file.
 */
let dir: string;
let index: DuckDbTraceIndex;
let key: Uint8Array;

interface Release extends ReleaseFacts {
  tenant: string;
  phones: string[];
}

const releases: Release[] = [
  { tenant: 'acme', intakeId: 'FIL-A000000001', callCenter: 'cc-napoli', campaign: 'Novembre', releasedAt: new Date('2026-11-10T09:00:00Z'), phones: ['+393471000001', '+393471000002'] },
  { tenant: 'acme', intakeId: 'FIL-A000000002', callCenter: 'cc-roma', campaign: 'Dicembre', releasedAt: new Date('2026-12-01T09:00:00Z'), phones: ['+393471000001', '+393471000003'] },
  { tenant: 'beta', intakeId: 'FIL-B000000001', callCenter: 'cc-milano', campaign: 'Beta', releasedAt: new Date('2026-12-02T09:00:00Z'), phones: ['+393471000001', '+393471000004'] },
  { tenant: 'beta', intakeId: 'FIL-B000000002', callCenter: 'cc-milano', campaign: 'Beta 2', releasedAt: new Date('2026-12-03T09:00:00Z'), phones: ['+393471000004'] },
  // A tenant id that looks like a number stays text (hive_types_autocast off).
  { tenant: '123', intakeId: 'FIL-C000000001', callCenter: 'cc-x', campaign: 'Numerico', releasedAt: new Date('2026-12-03T10:00:00Z'), phones: ['+393471000001'] },
];

async function writeRelease(root: string, release: Release): Promise<string> {
  let list = 'nome;telefono;data_consenso;fonte_consenso\r\n';
  for (const [i, phone] of release.phones.entries()) list += `N${i};${phone};0${i + 1}/03/2026;https://example.it/${release.intakeId}\r\n`;
  const parts: Uint8Array[] = [];
  for await (const part of traceIndexFile(traceEntries(textSource(list), key, 1), release)) parts.push(part);
  const file = path.join(root, traceIndexKey(release.tenant, release.releasedAt, release.intakeId));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, Buffer.concat(parts));
  return file;
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'filiera-trace-'));
  key = await new FileTraceKey(dir).key();
  for (const release of releases) await writeRelease(path.join(dir, 'evidence'), release);
  index = new DuckDbTraceIndex({ root: path.join(dir, 'evidence') });
});

afterAll(async () => {
  await index?.close();
  await rm(dir, { recursive: true, force: true });
});

const ids = (rows: { intakeId: string }[]) => rows.map((r) => r.intakeId);

describe('DuckDB over the index files', () => {
  it('finds exactly the releases that held the number, newest first, across tenants and months', async () => {
    const rows = await index.find('all', traceHashHex(key, '+393471000001'));
    expect(ids(rows)).toEqual(['FIL-C000000001', 'FIL-B000000001', 'FIL-A000000002', 'FIL-A000000001']);
    expect(rows.find((r) => r.intakeId === 'FIL-A000000002')).toEqual({
      intakeId: 'FIL-A000000002',
      tenant: 'acme',
      callCenter: 'cc-roma',
      campaign: 'Dicembre',
      releasedAt: '2026-12-01T09:00:00.000Z',
      consentDate: '2026-03-01',
      consentSource: 'https://example.it/FIL-A000000002',
    });
  });

  it('reads only the tenants in scope', async () => {
    const hash = traceHashHex(key, '+393471000001');
    expect(ids(await index.find(['acme'], hash))).toEqual(['FIL-A000000002', 'FIL-A000000001']);
    expect(ids(await index.find(['beta'], hash))).toEqual(['FIL-B000000001']);
    expect(ids(await index.find(['123'], hash))).toEqual(['FIL-C000000001']);
    expect(ids(await index.find(['acme', 'beta'], hash))).toEqual(['FIL-B000000001', 'FIL-A000000002', 'FIL-A000000001']);
    expect(await index.find([], hash)).toEqual([]);
    expect(await index.find(['gamma'], hash)).toEqual([]);
  });

  it('finds a number held by one release only, and nothing for a number no release held', async () => {
    expect(ids(await index.find('all', traceHashHex(key, '+393471000003')))).toEqual(['FIL-A000000002']);
    expect(ids(await index.find('all', traceHashHex(key, '+393471000004')))).toEqual(['FIL-B000000002', 'FIL-B000000001']);
    expect(await index.find('all', traceHashHex(key, '+393479999999'))).toEqual([]);
  });

  it('answers concurrent traces each with its own rows (they queue on the one connection)', async () => {
    const numbers = ['+393471000001', '+393471000003', '+393471000004', '+393479999999', '+393471000002'];
    const answers = await Promise.all(numbers.map((n) => index.find('all', traceHashHex(key, n))));
    expect(answers.map(ids)).toEqual([
      ['FIL-C000000001', 'FIL-B000000001', 'FIL-A000000002', 'FIL-A000000001'],
      ['FIL-A000000002'],
      ['FIL-B000000002', 'FIL-B000000001'],
      [],
      ['FIL-A000000001'],
    ]);
  });

  it('finds nothing under another key: the hash is keyed', async () => {
    expect(await index.find('all', traceHashHex(new Uint8Array(32).fill(1), '+393471000001'))).toEqual([]);
  });

  it('answers an empty index (no release yet) with nothing', async () => {
    const empty = new DuckDbTraceIndex({ root: path.join(dir, 'nothing-here') });
    try {
      expect(await empty.find('all', traceHashHex(key, '+393471000001'))).toEqual([]);
    } finally {
      await empty.close();
    }
  });

  it('reads files named as the local S3 engine keeps objects', async () => {
    const root = path.join(dir, 's3rver');
    const file = await writeRelease(root, releases[0]!);
    await writeFile(`${file}._S3rver_object`, await readFile(file));
    await writeFile(`${file}._S3rver_metadata.json`, '{"content-type":"application/vnd.apache.parquet"}');
    await rm(file);
    const s3rver = new DuckDbTraceIndex({ root, fileSuffix: '.parquet._S3rver_object' });
    try {
      expect(ids(await s3rver.find(['acme'], traceHashHex(key, '+393471000002')))).toEqual(['FIL-A000000001']);
    } finally {
      await s3rver.close();
    }
  });

  it('finds the one row among 200,000 in several row groups', async () => {
    const root = path.join(dir, 'large');
    let list = 'telefono\r\n';
    for (let i = 0; i < 200_000; i++) list += `+39347${String(2_000_000 + i)}\r\n`;
    const release = { tenant: 'acme', intakeId: 'FIL-L000000001', callCenter: 'cc-napoli', campaign: 'Grande', releasedAt: new Date('2026-12-01T09:00:00Z'), phones: [] };
    const parts: Uint8Array[] = [];
    for await (const part of traceIndexFile(traceEntries(textSource(list), key), release)) parts.push(part);
    const file = path.join(root, traceIndexKey('acme', release.releasedAt, release.intakeId));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, Buffer.concat(parts));
    const large = new DuckDbTraceIndex({ root });
    try {
      expect(ids(await large.find(['acme'], traceHashHex(key, '+393472123456')))).toEqual(['FIL-L000000001']);
      expect(ids(await large.find(['acme'], traceHashHex(key, '+393472000000')))).toEqual(['FIL-L000000001']);
      expect(ids(await large.find(['acme'], traceHashHex(key, '+393472199999')))).toEqual(['FIL-L000000001']);
      const groups = await large.run(`SELECT count(*)::INTEGER AS n FROM parquet_metadata('${file}') WHERE path_in_schema = 'hash'`);
      expect(groups[0]!.n).toBe(4);
    } finally {
      await large.close();
    }
  });
});

describe('the folder', () => {
  it('holds no number in clear: not in the index files, not in the key file', async () => {
    for (const file of await filesUnder(dir)) {
      const text = (await readFile(file)).toString('latin1');
      for (const digits of ['3471000001', '3471000002', '3471000003', '3471000004', '3472123456']) expect(text, file).not.toContain(digits);
    }
  });
});

describe('the key file', () => {
  it('is made at first use, 0600, 32 random bytes, and kept: a second source reads the same key', async () => {
    const file = path.join(dir, TRACE_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(key.byteLength).toBe(32);
    expect(await new FileTraceKey(dir).key()).toEqual(key);
  });

  it('is made once when several sources start together', async () => {
    const fresh = await mkdtemp(path.join(tmpdir(), 'filiera-trace-key-'));
    try {
      const keys = await Promise.all(Array.from({ length: 8 }, () => new FileTraceKey(fresh).key()));
      for (const k of keys) expect(Buffer.from(k).equals(Buffer.from(keys[0]!))).toBe(true);
      expect(await readdir(fresh)).toEqual([TRACE_KEY_FILE]);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('refuses a key file shorter than 32 bytes', async () => {
    const short = await mkdtemp(path.join(tmpdir(), 'filiera-trace-key-'));
    try {
      await writeFile(path.join(short, TRACE_KEY_FILE), Buffer.alloc(16).toString('base64'));
      await expect(new FileTraceKey(short).key()).rejects.toThrow(/fewer than 32 bytes/);
    } finally {
      await rm(short, { recursive: true, force: true });
    }
  });
});
