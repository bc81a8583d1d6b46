import { createHmac } from 'node:crypto';
import { romeDate } from '../verdict/dates.js';
import { MIN_TRACE_KEY_BYTES } from '../ports/trace-key.js';
import type { TenantScope, TraceIndexRow } from '../ports/trace-index.js';

/**
 * The trace index's layout (docs/api.md), shared by its writer, both engines and the CDK app's Glue table:
 * one Parquet file per release under a Hive-style key, `trace/tenant=<tenant>/month=<YYYY-MM>/<intakeId>.parquet`,
 * so that a trace reads only its tenants' folders, and a month partition bounds what a dated search would read.
 * Tenant and month live in the key, not in the file: Athena's partition projection and DuckDB's hive_partitioning
 * both read them from the path, and Glue refuses a partition column that is also a column of the files.
 */
export const TRACE_PREFIX = 'trace/';

/** The columns of each file, in order; `hash` is the only one a trace filters on. */
export const traceColumns = ['hash', 'consent_date', 'consent_source', 'intake_id', 'call_center', 'campaign', 'released_at'] as const;
/** The partition columns the key carries. */
export const tracePartitions = ['tenant', 'month'] as const;

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HASH_HEX = /^[0-9a-f]{64}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;

function segment(value: string, what: string): string {
  if (!SAFE_SEGMENT.test(value) || value.includes('..')) throw new RangeError(`unsafe ${what} for the trace index: "${value}"`);
  return value;
}

/** The release's month as the partition names it: the calendar month in Europe/Rome of the release instant. */
export function traceMonth(releasedAt: Date): string {
  return romeDate(releasedAt).slice(0, 7);
}

export function traceIndexKey(tenantId: string, releasedAt: Date, intakeId: string): string {
  return `${TRACE_PREFIX}tenant=${segment(tenantId, 'tenant id')}/month=${traceMonth(releasedAt)}/${segment(intakeId, 'intake id')}.parquet`;
}

/**
 * The keyed hash of a number: HMAC-SHA-256 of its E.164 text (UTF-8) under the deployment's key. Only E.164 is
 * hashed, so that every notation of one number (normalised as list phones are) meets the same hash.
 */
export function traceHash(key: Uint8Array, e164: string): Uint8Array {
  if (key.byteLength < MIN_TRACE_KEY_BYTES) throw new RangeError(`the trace key must hold at least ${MIN_TRACE_KEY_BYTES} bytes`);
  if (!E164.test(e164)) throw new RangeError('the trace index hashes E.164 numbers only');
  return createHmac('sha256', key).update(e164, 'utf8').digest();
}

export function traceHashHex(key: Uint8Array, e164: string): string {
  return Buffer.from(traceHash(key, e164)).toString('hex');
}

export function isTraceHash(value: string): boolean {
  return HASH_HEX.test(value);
}

/** A query and its positional parameters, as both engines take them (`?` placeholders, values as text). */
export interface TraceQuery {
  sql: string;
  params: string[];
}

/**
 * The one trace query. `relation` is what each engine reads the index as: DuckDB's read_parquet over the data folder,
 * Athena's Glue table. The hash is compared as bytes (`from_hex`, which both engines have) and travels as the one
 * parameter; the tenant filter is the scope, applied by the engine so that nothing outside it is read (Athena's
 * partition projection prunes on it), and again by the use case. Tenant ids are written into the text as literals,
 * which partition pruning reads most surely: only ids of the safe key alphabet ([A-Za-z0-9._-], no quote) get there.
 * Null: an empty scope, which finds nothing without asking.
 */
export function traceQuery(relation: string, scope: TenantScope, hash: string): TraceQuery | null {
  if (!isTraceHash(hash)) throw new RangeError('a trace hash is 64 lower-case hex digits');
  if (scope !== 'all' && scope.length === 0) return null;
  const tenants = scope === 'all' ? [] : scope.map((t) => segment(t, 'tenant id'));
  const where = ['hash = from_hex(?)'];
  if (tenants.length) where.push(`tenant IN (${tenants.map((t) => `'${t}'`).join(', ')})`);
  const sql =
    `SELECT intake_id, tenant, call_center, campaign, released_at, consent_date, consent_source\n` +
    `FROM ${relation}\n` +
    `WHERE ${where.join(' AND ')}\n` +
    `ORDER BY released_at DESC, intake_id`;
  return { sql, params: [hash] };
}

/** One result row, whatever engine it came from (each hands its cells as text or null). */
export function traceRowFromCells(cell: (name: string) => string | null | undefined): TraceIndexRow {
  const text = (name: string) => {
    const value = cell(name);
    if (value === null || value === undefined) throw new Error(`trace index row without ${name}`);
    return value;
  };
  const optional = (name: string) => {
    const value = cell(name);
    return value === undefined || value === null || value === '' ? null : value;
  };
  return {
    intakeId: text('intake_id'),
    tenant: text('tenant'),
    callCenter: text('call_center'),
    campaign: text('campaign'),
    releasedAt: text('released_at'),
    consentDate: optional('consent_date'),
    consentSource: optional('consent_source'),
  };
}

/**
 * Where each trace's audit record goes in the evidence bucket (docs/api.md: each trace audited), one
 * object per lookup, by day: who looked up which hash, when, and which releases it found. The hash, never the number.
 */
export function traceAuditKey(at: Date, id: string): string {
  const iso = at.toISOString();
  return `trace-audit/day=${iso.slice(0, 10)}/${iso.replace(/[:.]/g, '')}-${segment(id, 'audit id')}.json`;
}
