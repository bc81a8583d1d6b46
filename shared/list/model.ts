/** The contact list's half of the decision (docs/list-format.md). */

export const exclusionReasons = [
  'invalid_phone',
  'not_callable',
  'duplicate',
  'consent_out_of_period',
  'invalid_consent_date',
  'consent_date_missing',
  'rpo_opposed',
] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];

export type ListEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type Delimiter = ';' | ',' | '\t' | '|';

export type UnreadableReason = 'not_text' | 'no_phone_column' | 'no_data_rows' | 'too_large' | 'malformed_csv';

/** A calendar date as YYYY-MM-DD. Dates on forms and lists carry no time zone: they are Italian calendar days. */
export type IsoDate = string;

export interface DateRange {
  from: IsoDate;
  to: IsoDate;
}

export interface ExcludedSample {
  /** 1-based record number among data rows (the header is not counted). */
  row: number;
  reason: ExclusionReason;
  /** The phone cell as written. */
  phone: string;
}

export interface ListReport {
  readable: boolean;
  /** Set when readable is false. */
  unreadable?: { reason: UnreadableReason; detail: string };
  /** SHA-256 (lower-case hex) of the raw bytes as uploaded. */
  sha256: string;
  bytes: number;
  encoding: ListEncoding | null;
  delimiter: Delimiter | null;
  header: string[];
  phoneColumn: string | null;
  /** Records after the header, blank lines not counted. */
  dataRows: number;
  releasedRows: number;
  /** Every reason present, zero included, so a report always has the same keys. */
  excluded: Record<ExclusionReason, number>;
  /** A few excluded rows per reason (at most 20 each), for people to look at. */
  samples: ExcludedSample[];
  /** Lines of the RPO file that could not be read as a phone number. */
  rpoUnreadableLines?: number;
  /** Bytes held by the dedupe state when reading ended (for benchmarks and capacity planning). */
  dedupeStateBytes?: number;
}
