import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type GetQueryResultsCommandOutput,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import type { TenantScope, TraceIndex, TraceIndexRow } from '../../ports/trace-index.js';
import { traceQuery, traceRowFromCells, type TraceQuery } from '../../trace/index-layout.js';

export interface AthenaTraceIndexOptions {
  /** The workgroup the CDK app made: it fixes the results bucket, its encryption and the bytes-scanned limit. */
  workGroup: string;
  database: string;
  table: string;
  /** Pause between polls (default 500 ms) and the most a trace may wait (default 60 s). */
  pollMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const SAFE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The trace index read by Amazon Athena over the evidence bucket's Parquet files, through the Glue table the CDK app
 * defines (partition projection on tenant and month): the one query of shared/trace/index-layout.ts, started in the
 * trace workgroup, polled until it ends, its result pages read. The hash travels as an ExecutionParameter.
 */
export class AthenaTraceIndex implements TraceIndex {
  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaTraceIndexOptions,
  ) {}

  async find(scope: TenantScope, hash: string): Promise<TraceIndexRow[]> {
    const input = startTraceQuery(this.options, scope, hash);
    if (!input) return [];
    const started = await this.client.send(new StartQueryExecutionCommand(input));
    const id = started.QueryExecutionId;
    if (!id) throw new Error('athena: StartQueryExecution returned no id');
    await this.waitFor(id);
    const rows: TraceIndexRow[] = [];
    let nextToken: string | undefined;
    let header: string[] | undefined;
    do {
      const page: GetQueryResultsCommandOutput = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, ...(nextToken ? { NextToken: nextToken } : {}) }),
      );
      const names = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      for (const row of page.ResultSet?.Rows ?? []) {
        const cells = (row.Data ?? []).map((d) => d.VarCharValue);
        // The first row of the first page repeats the column names.
        if (!header) {
          header = names;
          if (cells.every((c, i) => c === names[i])) continue;
        }
        rows.push(traceRowFromCells((name) => cells[header!.indexOf(name)] ?? null));
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }

  private async waitFor(id: string): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const now = this.options.now ?? Date.now;
    const deadline = now() + (this.options.timeoutMs ?? 60_000);
    for (;;) {
      const out = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const status = out.QueryExecution?.Status;
      switch (status?.State) {
        case 'SUCCEEDED':
          return;
        case 'FAILED':
        case 'CANCELLED':
          throw new Error(`athena: trace query ${id} ${status.State.toLowerCase()}: ${status.StateChangeReason ?? 'no reason given'}`);
      }
      if (now() >= deadline) throw new Error(`athena: trace query ${id} did not finish in time`);
      await sleep(this.options.pollMs ?? 500);
    }
  }
}

/** The StartQueryExecution input for a trace, as pure data (null: an empty scope, nothing to ask). */
export function startTraceQuery(options: Pick<AthenaTraceIndexOptions, 'workGroup' | 'database' | 'table'>, scope: TenantScope, hash: string): StartQueryExecutionCommandInput | null {
  if (!SAFE_NAME.test(options.database) || !SAFE_NAME.test(options.table)) throw new RangeError('athena: unsafe database or table name');
  const query: TraceQuery | null = traceQuery(`"${options.database}"."${options.table}"`, scope, hash);
  if (!query) return null;
  return {
    QueryString: query.sql,
    WorkGroup: options.workGroup,
    QueryExecutionContext: { Database: options.database },
    // Athena substitutes each parameter as SQL text: strings go quoted. The one value is hex digits (checked by
    // traceQuery), so no quote can occur inside it.
    ExecutionParameters: query.params.map((p) => `'${p}'`),
  };
}
