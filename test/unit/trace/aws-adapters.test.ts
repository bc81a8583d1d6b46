import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AthenaTraceIndex, startTraceQuery } from '../../../shared/adapters/athena/athena-trace-index.js';
import { SecretTraceKey } from '../../../shared/adapters/secrets-manager/secret-trace-key.js';

/**
 * The AWS adapters of the trace (docs/api.md): Athena (start, poll, page through results) and the key's
 * secret. No local engine answers as Athena does, so the client is mocked (STYLE.md 9).
 */
const athena = mockClient(AthenaClient);
const secrets = mockClient(SecretsManagerClient);
const HASH = 'ab'.repeat(32);
const OPTIONS = { workGroup: 'filiera-trace', database: 'filiera_trace', table: 'trace_index' };

beforeEach(() => {
  athena.reset();
  secrets.reset();
});

afterAll(() => {
  athena.restore();
  secrets.restore();
});

const columns = ['intake_id', 'tenant', 'call_center', 'campaign', 'released_at', 'consent_date', 'consent_source'];
const cells = (values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });
const metadata = { ColumnInfo: columns.map((Name) => ({ Name, Type: 'varchar' })) };

describe('Athena: the trace query as StartQueryExecution input', () => {
  it('runs the shared query in the workgroup, on the Glue table, the hash as a quoted parameter', () => {
    const input = startTraceQuery(OPTIONS, ['acme', 'beta'], HASH)!;
    expect(input.WorkGroup).toBe('filiera-trace');
    expect(input.QueryExecutionContext).toEqual({ Database: 'filiera_trace' });
    expect(input.QueryString).toContain('FROM "filiera_trace"."trace_index"');
    expect(input.QueryString).toContain("WHERE hash = from_hex(?) AND tenant IN ('acme', 'beta')");
    expect(input.ExecutionParameters).toEqual([`'${HASH}'`]);
  });

  it('asks nothing for an empty scope, and refuses unsafe names', () => {
    expect(startTraceQuery(OPTIONS, [], HASH)).toBeNull();
    expect(() => startTraceQuery({ ...OPTIONS, table: 'x"; DROP' }, 'all', HASH)).toThrow(RangeError);
  });
});

describe('Athena: a trace', () => {
  it('starts the query, polls until it succeeds, reads every page and skips the header row', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1' })
      .resolvesOnce({ ResultSet: { ResultSetMetadata: metadata, Rows: [cells(columns), cells(['FIL-2', 'acme', 'cc-roma', 'Dicembre', '2026-12-01T09:00:00.000Z', '2026-03-01', undefined])] }, NextToken: 't2' })
      .resolvesOnce({ ResultSet: { ResultSetMetadata: metadata, Rows: [cells(['FIL-1', 'acme', 'cc-napoli', 'Novembre', '2026-11-01T09:00:00.000Z', undefined, 'https://x.it'])] } });
    const sleeps: number[] = [];
    const index = new AthenaTraceIndex(new AthenaClient({ region: 'eu-central-1' }), { ...OPTIONS, pollMs: 250, sleep: async (ms) => void sleeps.push(ms) });

    const rows = await index.find(['acme'], HASH);

    expect(rows).toEqual([
      { intakeId: 'FIL-2', tenant: 'acme', callCenter: 'cc-roma', campaign: 'Dicembre', releasedAt: '2026-12-01T09:00:00.000Z', consentDate: '2026-03-01', consentSource: null },
      { intakeId: 'FIL-1', tenant: 'acme', callCenter: 'cc-napoli', campaign: 'Novembre', releasedAt: '2026-11-01T09:00:00.000Z', consentDate: null, consentSource: 'https://x.it' },
    ]);
    expect(sleeps).toEqual([250, 250]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.ExecutionParameters).toEqual([`'${HASH}'`]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 't2']);
  });

  it('fails with Athena\'s reason when the query fails (a scan over the workgroup limit, say)', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Query exhausted bytes scanned limit' } } });
    const index = new AthenaTraceIndex(new AthenaClient({ region: 'eu-central-1' }), { ...OPTIONS, sleep: async () => {} });
    await expect(index.find('all', HASH)).rejects.toThrow(/q-2 failed: Query exhausted bytes scanned limit/);
  });

  it('gives up after its timeout, on an injected clock', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    let now = 0;
    const index = new AthenaTraceIndex(new AthenaClient({ region: 'eu-central-1' }), {
      ...OPTIONS,
      timeoutMs: 1000,
      pollMs: 400,
      now: () => now,
      sleep: async (ms) => void (now += ms),
    });
    await expect(index.find('all', HASH)).rejects.toThrow(/did not finish in time/);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(4);
  });

  it('asks Athena nothing for an empty scope', async () => {
    const index = new AthenaTraceIndex(new AthenaClient({ region: 'eu-central-1' }), OPTIONS);
    expect(await index.find([], HASH)).toEqual([]);
    expect(athena.calls()).toHaveLength(0);
  });
});

describe('the key in Secrets Manager', () => {
  it('is the secret\'s bytes, read once', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'arn:secret' }).resolves({ SecretString: 'k'.repeat(64) });
    const source = new SecretTraceKey(new SecretsManagerClient({ region: 'eu-central-1' }), 'arn:secret');
    expect(Buffer.from(await source.key()).toString()).toBe('k'.repeat(64));
    await source.key();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('refuses a secret shorter than 32 bytes, and tries again on the next call after a failure', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'short' }).resolves({ SecretString: 'x'.repeat(40) });
    const source = new SecretTraceKey(new SecretsManagerClient({ region: 'eu-central-1' }), 'arn:secret');
    await expect(source.key()).rejects.toThrow(/fewer than 32 bytes/);
    expect((await source.key()).byteLength).toBe(40);
  });
});
