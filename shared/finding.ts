/**
 * A finding is the unit of every decision Filiera takes: a stable machine code, how much it weighs, and a message a
 * compliance officer can read, citing the rule it encodes. A rejected list or attestation is a normal outcome made
 * of findings, never an exception.
 */
export type Severity = 'reject' | 'review' | 'info';

export interface Finding {
  /** Stable, snake_case; scripts and the console key on it. */
  code: string;
  severity: Severity;
  /** English, for the JSON and the CLI. */
  message: string;
  /** Italian, for the console. */
  messageIt?: string;
  /** The rule or law it encodes, e.g. "DPR 26/2022 art. 1" or "docs/verdict-rules.md". */
  rule?: string;
  /** The attestation field, list column or file at fault, when there is one. */
  field?: string;
}
