import type { TenantScope, TraceIndex, TraceIndexRow } from '../../ports/trace-index.js';

/**
 * The trace index in memory, for unit tests: rows by hash, the scope applied as the engines apply the query's tenant
 * filter, newest release first. `queries` records what was asked, so a test can tell the scope reached the engine.
 */
export class MemoryTraceIndex implements TraceIndex {
  private readonly rows: { hash: string; row: TraceIndexRow }[] = [];
  readonly queries: { scope: TenantScope; hash: string }[] = [];

  add(hash: string, row: TraceIndexRow): void {
    this.rows.push({ hash, row });
  }

  async find(scope: TenantScope, hash: string): Promise<TraceIndexRow[]> {
    this.queries.push({ scope, hash });
    return this.rows
      .filter((r) => r.hash === hash && (scope === 'all' || scope.includes(r.row.tenant)))
      .map((r) => r.row)
      .sort((a, b) => (a.releasedAt === b.releasedAt ? a.intakeId.localeCompare(b.intakeId) : a.releasedAt < b.releasedAt ? 1 : -1));
  }
}
