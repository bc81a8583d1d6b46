import type { DateRange } from '../list/model.js';
import { checkConsentSample, type ConsentSampleReport } from './checks.js';
import type { ConsentSampleRow } from './draw.js';
import { readConsentEvidence, type EvidenceError, type EvidenceFile } from './evidence.js';
import { decideConsentSample, type ConsentSampleDecision } from './outcome.js';

/**
 * One evidence upload against the drawn sample (docs/consent-sampling.md), the same for the pipeline and for
 * `filiera verify --evidence FILE --sample-seed HEX`:
 * 1. reads the evidence file with the list's reading rules, keeping only the sampled numbers' records;
 * 2. refuses it, with errors naming row and column, when it cannot be read as evidence (the committente fixes it and
 *    uploads again before the deadline: no verdict yet);
 * 3. otherwise checks every sampled row and decides: proceed, review or rejected.
 */
export type ConsentEvidenceResult =
  | { readable: false; error: EvidenceError; errors: EvidenceError[] }
  | {
      readable: true;
      evidence: Pick<EvidenceFile, 'encoding' | 'delimiter' | 'dataRows'>;
      report: ConsentSampleReport;
      decision: ConsentSampleDecision;
    };

export interface ConsentEvidenceInput {
  seed: string;
  /** The drawn sample, in row order. */
  rows: readonly ConsentSampleRow[];
  /** The evidence file's bytes. */
  evidence: AsyncIterable<Uint8Array> | Uint8Array;
  /** The attested collection period, null when the attestation gives none. */
  collectionPeriod: DateRange | null;
  /** Evidence size limit; default DEFAULT_EVIDENCE_MAX_BYTES. */
  maxBytes?: number;
}

export async function checkConsentEvidence(input: ConsentEvidenceInput): Promise<ConsentEvidenceResult> {
  const sampled = new Set(input.rows.map((r) => r.phone));
  const reading = await readConsentEvidence(input.evidence, {
    ...(input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes }),
    keep: (phone) => sampled.has(phone),
  });
  if (!reading.readable) return reading;
  const report = checkConsentSample({
    seed: input.seed,
    rows: input.rows,
    evidence: reading.file.records,
    collectionPeriod: input.collectionPeriod,
  });
  const { encoding, delimiter, dataRows } = reading.file;
  return { readable: true, evidence: { encoding, delimiter, dataRows }, report, decision: decideConsentSample(report) };
}
