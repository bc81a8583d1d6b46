import { randomBytes } from 'node:crypto';

/**
 * Intake ids are read back from signed PDFs and scans (docs/attestation-format.md, "Riferimento intake"), so they use
 * Crockford's base32: no I, L, O or U, case-insensitive, and the look-alikes an OCR confuses map to one symbol.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const INTAKE_ID_PREFIX = 'FIL-';
const ID_LENGTH = 10;
const INTAKE_ID_PATTERN = /^FIL-[0-9A-HJKMNP-TV-Z]{10}$/;

/** A fresh id: 'FIL-' and 10 Crockford base32 symbols (50 random bits). */
export function newIntakeId(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(ID_LENGTH);
  let id = INTAKE_ID_PREFIX;
  for (let i = 0; i < ID_LENGTH; i++) id += CROCKFORD[bytes[i]! & 31];
  return id;
}

export function isIntakeId(value: string): boolean {
  return INTAKE_ID_PATTERN.test(value);
}

/**
 * Reads an id as a person or an OCR wrote it: case-insensitive, spaces and extra dashes ignored, O read as 0 and
 * I/L as 1 (Crockford's decoding rule). Returns null when the result is not an intake id.
 */
export function normalizeIntakeId(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]+/g, '');
  if (!compact.startsWith('FIL')) return null;
  const body = compact.slice(3).replace(/O/g, '0').replace(/[IL]/g, '1');
  const candidate = INTAKE_ID_PREFIX + body;
  return isIntakeId(candidate) ? candidate : null;
}
