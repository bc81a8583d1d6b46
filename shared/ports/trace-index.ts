/**
 * The engine that answers "which releases held this number" over the trace index (docs/api.md): DuckDB over
 * the data folder locally (shared/adapters/duckdb), Athena over the evidence bucket in AWS (shared/adapters/athena).
 * Both run the one query of shared/trace/index-layout.ts; only how they run it differs.
 */
export interface TraceIndex {
  /**
   * Every index row with this keyed hash (64 lower-case hex) among the releases of the tenants in scope, newest
   * release first. An empty scope finds nothing.
   */
  find(scope: TenantScope, hash: string): Promise<TraceIndexRow[]>;
}

/** Whose releases a trace may read: every tenant, or these tenants. */
export type TenantScope = 'all' | readonly string[];

/** One release that held the number, as its index row recorded it. */
export interface TraceIndexRow {
  intakeId: string;
  tenant: string;
  callCenter: string;
  campaign: string;
  /** ISO 8601 instant of the release. */
  releasedAt: string;
  /** The row's consent date (YYYY-MM-DD) when the list had one. */
  consentDate: string | null;
  /** The row's consent source as released, when the list had one. */
  consentSource: string | null;
}
