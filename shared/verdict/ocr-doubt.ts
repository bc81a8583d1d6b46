import type { Finding } from '../finding.js';
import type { ExtractedField } from '../attestation/model.js';
import { editDistance } from './edit-distance.js';

/** docs/verdict-rules.md: a machine reading within this many character edits of the expected value is a doubt. */
export const MAX_DOUBT_EDITS = 2;

export type Reading =
  | { kind: 'match' }
  /** Read by a machine (OCR, Textract) 1..2 edits away: probably a misread character, a person compares. */
  | { kind: 'doubt'; edits: number }
  | { kind: 'mismatch' };

/**
 * Compares a field's normalised value with what Filiera expects (the list's hash and rows, the intake, the tenant's
 * VAT). A digital text layer is exact, so any difference there is a mismatch; a reading by OCR or Textract that
 * differs by at most two edits (insertions, deletions, substitutions) is an OCR doubt: a human's call, not a rejection.
 */
export function compareReading(field: Pick<ExtractedField, 'value' | 'source'>, expected: string | number): Reading {
  const read = String(field.value);
  const want = String(expected);
  if (read === want) return { kind: 'match' };
  if (field.source === 'text-layer') return { kind: 'mismatch' };
  const edits = editDistance(read, want, MAX_DOUBT_EDITS);
  return edits <= MAX_DOUBT_EDITS ? { kind: 'doubt', edits } : { kind: 'mismatch' };
}

/** Findings that say a machine reading of a field needs a person's eyes (docs/verdict-rules.md). */
const READING_DOUBTS = new Set(['ocr_doubt', 'attestation_low_confidence', 'attestation_field_unread', 'attestation_field_malformed']);

/**
 * The attestation fields a person must check on the document, each with the findings that put it in doubt, in the
 * order the findings came. Only doubts (severity review) count: a rejection is not a question for a person.
 */
export function doubtfulFields(findings: readonly Finding[]): { field: string; codes: string[] }[] {
  const out = new Map<string, string[]>();
  for (const f of findings) {
    if (f.severity !== 'review' || !f.field || !READING_DOUBTS.has(f.code)) continue;
    const codes = out.get(f.field) ?? [];
    if (!codes.includes(f.code)) codes.push(f.code);
    out.set(f.field, codes);
  }
  return [...out].map(([field, codes]) => ({ field, codes }));
}
