/**
 * The audit chain's canonical JSON, the one rule the server (shared/intake/audit.ts, node:crypto) and the console's
 * browser check (web/src/audit-chain.ts, WebCrypto) both hash: object keys sorted at every depth, no insignificant
 * whitespace, `undefined` members omitted, otherwise JSON.stringify's output. No Node import: the browser bundles it.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The first event's prevHash. */
export const GENESIS_HASH = '0'.repeat(64);

/** Canonical JSON: sorted keys at every depth, undefined members dropped, otherwise JSON.stringify's output. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(toJson(value)));
}

/** Turns any JSON-able value (Dates, class instances with toJSON) into plain JSON data, dropping undefined. */
export function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: JsonObject = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]!);
    return sorted;
  }
  return value;
}
