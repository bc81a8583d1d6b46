/**
 * Every stored string is bounded (docs/limits-and-retention.md). An intake is one DynamoDB item, and DynamoDB refuses an item
 * over 400 KB: a verdict write refused for its size leaves the intake in PROCESSING. What goes on the item is cut to
 * fit a budget per part; the full texts go to the receipt in object storage, which has no such limit.
 *
 * Budgets, in bytes as DynamoDB counts them (itemBytes below): findings, list report and attestation 96 KiB each,
 * 288 KiB in all, leaving over 100 KiB for the rest of the item (ids, upload records, a review's justification of at
 * most 4,000 characters, index keys) under the 400 KB limit.
 */

export const FINDINGS_BUDGET_BYTES = 96 * 1024;
export const LIST_REPORT_BUDGET_BYTES = 96 * 1024;
export const ATTESTATION_BUDGET_BYTES = 96 * 1024;
/** The receipt's copy of the full texts: the release step reads a receipt of at most 10 MiB. */
export const RECEIPT_DETAILS_BUDGET_BYTES = 4 * 1024 * 1024;

/** Marks a cut string: a reader sees the text goes on (in the receipt). */
export const ELLIPSIS = '…';

export interface BoundLimits {
  /** Longest string kept, in UTF-16 code units, the ellipsis included. */
  maxString: number;
  /** Most elements kept of an array. */
  maxArray: number;
}

/**
 * Limits tried in turn until a value fits its budget. The first step keeps any header cell, field value or finding
 * message a person writes; the last still keeps every finding code (snake_case, well under 64 characters) whole.
 */
export const ITEM_STEPS: readonly BoundLimits[] = [
  { maxString: 2000, maxArray: 200 },
  { maxString: 500, maxArray: 100 },
  { maxString: 160, maxArray: 50 },
  { maxString: 64, maxArray: 20 },
];

export const RECEIPT_STEPS: readonly BoundLimits[] = [
  { maxString: 1024 * 1024, maxArray: 20_000 },
  { maxString: 64 * 1024, maxArray: 2_000 },
  { maxString: 4096, maxArray: 500 },
  { maxString: 500, maxArray: 100 },
];

/** A string cut to `max` code units with an ellipsis, never splitting a surrogate pair. */
export function truncateString(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ELLIPSIS;
}

/** A copy of a JSON-like value with every string and array cut to the limits (object keys are the code's own). */
export function boundValue<T>(value: T, limits: BoundLimits): T {
  return walk(value, limits) as T;
}

function walk(value: unknown, limits: BoundLimits): unknown {
  if (typeof value === 'string') return truncateString(value, limits.maxString);
  if (Array.isArray(value)) return value.slice(0, limits.maxArray).map((v) => walk(v, limits));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = walk(v, limits);
    return out;
  }
  return value;
}

/**
 * The value cut by the first step that fits the budget; when none does, `fallback` (a minimal form the caller knows
 * to be small), itself bounded by the last step.
 */
export function fitToBudget<T>(value: T, budgetBytes: number, steps: readonly BoundLimits[], fallback: (value: T) => T): T {
  if (fits(value, budgetBytes)) return value;
  for (const limits of steps) {
    const bounded = boundValue(value, limits);
    if (fits(bounded, budgetBytes)) return bounded;
  }
  return boundValue(fallback(value), steps.at(-1)!);
}

/** itemBytes(value) <= budget, without measuring past the budget (a value may be hundreds of MB of references). */
export function fits(value: unknown, budgetBytes: number): boolean {
  return measure(value, budgetBytes) <= budgetBytes;
}

/**
 * The size DynamoDB counts for a value (its documented rules, rounded up): strings their UTF-8 bytes, numbers up to
 * 21 bytes, booleans and null 1 byte, lists and maps 3 bytes plus 1 per element, plus each map key's bytes.
 */
export function itemBytes(value: unknown): number {
  return measure(value, Infinity);
}

/** The size, or some number over `stop` as soon as the size is known to pass it. */
function measure(value: unknown, stop: number): number {
  if (typeof value === 'string') return value.length > stop ? value.length : Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 21;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) {
    let total = 3;
    for (const v of value) {
      total += 1 + measure(v, stop - total);
      if (total > stop) return total;
    }
    return total;
  }
  if (typeof value === 'object') {
    let total = 3;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      total += 1 + Buffer.byteLength(k, 'utf8') + measure(v, stop - total);
      if (total > stop) return total;
    }
    return total;
  }
  return 0;
}
