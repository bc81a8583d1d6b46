import * as z from 'zod';

import { consentChecks, type ConsentSampleReport } from './checks.js';

/**
 * The consent sample as `filiera verify --json` prints it and the receipt records it (docs/cli.md, docs/consent-sampling.md):
 * `consentSample: { seed, rows: [...], defects: [...] }`. The types the engine builds (ConsentSampleReport in
 * checks.ts) are checked against this schema at compile time below.
 */

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hexadecimal digits');
const CheckOutcome = z.enum(['passed', 'failed', 'skipped']);

export const ConsentSampleRowSchema = z
  .object({
    row: z.number().int().min(1).describe('1-based data row of the uploaded list'),
    index: z.number().int().min(0).describe('0-based position among the released rows (the i of key_i)'),
    phone: z.string().regex(/^\+[1-9]\d{1,14}$/, 'an E.164 number'),
    consentDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().describe("the list's consent date"),
    consentSource: z.string().max(256).nullable().describe("the list's consent source"),
    key: Hex64.describe('key_i = SHA-256(seed || uint32be(index))'),
  })
  .strict();

export const CheckedSampleRowSchema = ConsentSampleRowSchema.extend({
  evidenceRow: z.number().int().min(1).nullable().describe("the evidence file's data row checked; null when none"),
  checks: z.object(Object.fromEntries(consentChecks.map((c) => [c, CheckOutcome])) as Record<
    (typeof consentChecks)[number],
    typeof CheckOutcome
  >),
}).strict();

export const ConsentDefectSchema = z
  .object({
    row: z.number().int().min(1),
    check: z.enum(consentChecks),
    message: z.string().max(2000),
    messageIt: z.string().max(2000),
  })
  .strict();

export const ConsentSampleSchema = z
  .object({
    seed: Hex64.describe('SHA-256(list SHA-256 || attestation SHA-256 || nonce)'),
    rows: z.array(CheckedSampleRowSchema),
    defects: z.array(ConsentDefectSchema),
  })
  .strict();

export type ConsentSampleJson = z.infer<typeof ConsentSampleSchema>;
export type CheckedSampleRowJson = z.infer<typeof CheckedSampleRowSchema>;
export type ConsentDefectJson = z.infer<typeof ConsentDefectSchema>;

// The engine's types and the schema describe the same JSON: a change to one that the other does not follow fails
// the type-check here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reportMatchesSchema: Same<ConsentSampleJson, ConsentSampleReport> = true;
void reportMatchesSchema;
