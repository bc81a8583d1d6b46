import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TenantScope, TraceIndex, TraceIndexRow } from '../../ports/trace-index.js';
import { TRACE_PREFIX, traceQuery, traceRowFromCells } from '../../trace/index-layout.js';

export interface DuckDbTraceIndexOptions {
  /** The folder that holds the index's `trace/` tree (locally: the evidence bucket's folder in the data folder). */
  root: string;
  /**
   * How the index's files end under `trace/tenant=…/month=…/`: `.parquet` for plain files; the local S3 engine
   * keeps an object `k` as the file `k._S3rver_object`.
   */
  fileSuffix?: string;
  /** DuckDB's own bounds for one trace (default 1 GB, 2 threads: the embedded stack shares its machine). */
  memoryLimit?: string;
  threads?: number;
}

/**
 * The trace index read by DuckDB, in process, over the Parquet files in the data folder (docs/api.md):
 * read_parquet with Hive partitions (tenant, month from the path, kept as text), the one query of
 * shared/trace/index-layout.ts. DuckDB skips row groups with the hash column's bloom filter and reads only the
 * columns the query names. Nothing is downloaded: extensions are never installed at run time (Parquet is built in).
 */
export class DuckDbTraceIndex implements TraceIndex {
  private connection: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | undefined;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DuckDbTraceIndexOptions) {}

  private connect(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
    this.connection ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        memory_limit: this.options.memoryLimit ?? '1GB',
        threads: String(this.options.threads ?? 2),
      });
      return { instance, connection: await instance.connect() };
    })().catch((err: unknown) => {
      this.connection = undefined;
      throw err;
    });
    return this.connection;
  }

  /** The relation the shared query reads: every file of the index, partitions from the path. */
  relation(): string {
    const pattern = path.join(path.resolve(this.options.root), TRACE_PREFIX, 'tenant=*', 'month=*', `*${this.options.fileSuffix ?? '.parquet'}`);
    return `read_parquet('${pattern.replace(/'/g, "''")}', hive_partitioning = true, hive_types_autocast = false)`;
  }

  async find(scope: TenantScope, hash: string): Promise<TraceIndexRow[]> {
    const query = traceQuery(this.relation(), scope, hash);
    if (!query) return [];
    let rows: Record<string, unknown>[];
    try {
      rows = await this.run(query.sql, query.params);
    } catch (err) {
      // No release indexed yet: the glob matches no file.
      if (/No files found that match the pattern/i.test(String((err as Error).message))) return [];
      throw err;
    }
    return rows.map((row) => traceRowFromCells((name) => asText(row[name])));
  }

  /**
   * Runs a statement on the one connection, one at a time (traces from concurrent requests queue here; DuckDB
   * parallelises each query itself). The bench also runs its COPY and parquet_metadata statements through it.
   */
  run(sql: string, params: string[] = []): Promise<Record<string, unknown>[]> {
    const result = this.turn.then(async () => {
      const { connection } = await this.connect();
      return (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
    });
    this.turn = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const open = this.connection;
    this.connection = undefined;
    if (!open) return;
    const { instance, connection } = await open;
    connection.closeSync();
    instance.closeSync();
  }
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}
