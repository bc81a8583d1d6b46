import type { IsoDate } from '../list/model.js';
import { fieldLabels, foldLabel } from './labels.js';
import {
  attestationFieldNames,
  type AttestationFieldName,
  type AttestationFields,
  type ExtractedField,
  type ExtractionSource,
  type FieldValues,
  type LegalBasis,
} from './model.js';

const labelIndex: { folded: string; field: AttestationFieldName }[] = attestationFieldNames
  .flatMap((field) => {
    const { it, en, aliases = [] } = fieldLabels[field];
    return [it, en, ...aliases].map((label) => ({ folded: foldLabel(label), field }));
  })
  // Longest first, so "call center incaricato" wins over "call center".
  .sort((a, b) => b.folded.length - a.folded.length);

interface LabelMatch {
  field: AttestationFieldName;
  /** The value written after the colon, '' when the line holds the label alone. */
  value: string;
}

/** A line that is one of the form's labels, alone or followed by ':' and a value. */
function matchLabel(line: string): LabelMatch | null {
  const folded = foldLabel(line);
  for (const { folded: label, field } of labelIndex) {
    if (!folded.startsWith(label)) continue;
    const rest = folded.slice(label.length).trimStart();
    if (rest === '') return { field, value: '' };
    if (rest.startsWith(':')) return { field, value: cleanValue(line.slice(line.indexOf(':') + 1)) };
  }
  return null;
}

/** Whitespace collapsed; underscores or dots left as a blank to fill in mean "no value". */
function cleanValue(text: string): string {
  const value = text.replace(/\s+/g, ' ').trim();
  return /^[_.\s…-]*$/.test(value) ? '' : value;
}

/** "Firma: ______" and the like: a blank line of the form that is not one of our labels; never a value. */
function isBlankFormLine(line: string): boolean {
  return /^[^:]{1,60}:[\s_.…]*$/.test(line.trim());
}

/** A line of text as an engine read it, with how sure it is (0..1; 1 for a digital text layer). */
export interface ReadLine {
  text: string;
  confidence: number;
}

/**
 * Reads the form's fields from text (docs/attestation-format.md): labels in Italian or English, any case, accents
 * optional; the value after ':' on the same line or on the next non-empty line. Unknown lines are ignored; a field
 * whose value cannot be understood keeps its raw text with value null; the first occurrence of a label wins.
 */
export function parseAttestationText(text: string, source: ExtractionSource, confidence = 1): AttestationFields {
  return parseAttestationLines(
    text.split(/\r\n|\r|\n/).map((line) => ({ text: line, confidence })),
    source,
  );
}

/**
 * The same, over lines that each carry their own confidence (OCR, Textract): a field is as sure as the line its
 * value was read from.
 */
export function parseAttestationLines(input: readonly ReadLine[], source: ExtractionSource): AttestationFields {
  const lines = input.map((l) => ({ text: l.text.trim(), confidence: l.confidence }));
  const fields: AttestationFields = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const match = matchLabel(line.text);
    if (!match || fields[match.field] !== undefined) continue;
    let raw = match.value;
    let confidence = line.confidence;
    if (raw === '' && !/:\s*\S/.test(line.text)) {
      // Value on the next non-empty line, unless that line is another label or a blank of the form.
      let j = i + 1;
      while (j < lines.length && lines[j]!.text === '') j++;
      const next = lines[j];
      if (next !== undefined && !matchLabel(next.text) && !isBlankFormLine(next.text)) {
        raw = cleanValue(next.text);
        confidence = next.confidence;
        i = j;
      }
    }
    if (raw === '') continue;
    if (match.field === 'listSha256') {
      // A 64-hex fingerprint does not fit one line of every form or scan: the rest of it stands on the lines below.
      const joined = joinWrappedHex(raw, lines, i + 1);
      if (joined !== null) {
        raw = joined.raw;
        confidence = Math.min(confidence, joined.confidence);
        i = joined.last;
      }
    }
    setField(fields, match.field, raw, source, confidence);
  }
  return fields;
}

const HEX_PART = /^[0-9a-fA-F\s]+$/;

/**
 * A hex value cut short, continued on the following lines: joined while it is shorter than 64 digits and each next
 * non-empty line holds hex digits only (never another label), provided the whole comes to exactly 64.
 */
function joinWrappedHex(
  first: string,
  lines: readonly { text: string; confidence: number }[],
  from: number,
): { raw: string; confidence: number; last: number } | null {
  let hex = first.replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length >= 64) return null;
  let confidence = 1;
  let j = from;
  let last = -1;
  while (hex.length < 64 && j < lines.length) {
    const line = lines[j]!;
    if (line.text === '') {
      j++;
      continue;
    }
    if (!HEX_PART.test(line.text) || matchLabel(line.text)) break;
    hex += line.text.replace(/\s+/g, '');
    confidence = Math.min(confidence, line.confidence);
    last = j++;
  }
  return hex.length === 64 && last >= 0 ? { raw: hex, confidence, last } : null;
}

/** The field a form label names (a key as Textract reads it, with or without its colon), or null. */
export function fieldForLabel(label: string): AttestationFieldName | null {
  const match = matchLabel(label.trim().replace(/\s*:\s*$/, ''));
  return match && match.value === '' ? match.field : null;
}

/** One field from its raw text, normalised as the form's parser does it; null when the text is a blank to fill in. */
export function readField<K extends AttestationFieldName>(
  field: K,
  raw: string,
  source: ExtractionSource,
  confidence: number,
): ExtractedField<K> | null {
  const value = cleanValue(raw);
  if (value === '') return null;
  const fields: AttestationFields = {};
  setField(fields, field, value, source, confidence);
  return fields[field] as ExtractedField<K>;
}

function setField<K extends AttestationFieldName>(
  fields: AttestationFields,
  field: K,
  raw: string,
  source: ExtractionSource,
  confidence: number,
): void {
  const value = normalisers[field](raw) as FieldValues[K] | null;
  (fields as Record<K, ExtractedField<K>>)[field] = { raw, value, confidence, source };
}

const text = (raw: string): string | null => (raw.trim() === '' ? null : raw.trim());

const normalisers: { [K in AttestationFieldName]: (raw: string) => FieldValues[K] | null } = {
  intakeId: text,
  controllerName: text,
  controllerVat: normaliseVat,
  signatory: text,
  listSha256: (raw) => {
    const hex = raw.replace(/\s+/g, '').toLowerCase();
    return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
  },
  rowCount: normaliseRowCount,
  legalBasis: normaliseLegalBasis,
  purpose: text,
  collectionPeriod: normalisePeriod,
  source: text,
  rpoCheckDate: (raw) => parseDate(raw.trim()),
  extraEuTransfer: normaliseTransfer,
  processor: text,
  placeAndDate: normalisePlaceAndDate,
};

/** Partita IVA: 11 digits, optional IT prefix, spaces/dots/dashes tolerated. The check digit is the verdict's job. */
export function normaliseVat(raw: string): string | null {
  const compact = raw.replace(/[\s.\-]/g, '').toUpperCase();
  const digits = compact.startsWith('IT') ? compact.slice(2) : compact;
  return /^\d{11}$/.test(digits) ? digits : null;
}

function normaliseRowCount(raw: string): number | null {
  const value = raw.trim();
  // Plain digits, or groups of three separated by dots, spaces (also non-breaking) or apostrophes.
  if (!/^\d+$/.test(value) && !/^\d{1,3}([.\s\u00a0\u202f'’]\d{3})+$/.test(value)) return null;
  const n = Number(value.replace(/\D/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** GDPR art. 6(1)(a)-(f), by article letter or by name, Italian or English. */
const legalBasisPatterns: [LegalBasis, RegExp][] = [
  ['consent', /\bconsen(so|t)\b/],
  ['contract', /\bcontra(tto|ct)(uale|ual)?\b/],
  ['legal_obligation', /\bobblig(o|hi) (di )?legal(e|i)\b|\blegal obligation\b/],
  ['vital_interests', /\binteress(e|i) vital(e|i)\b|\bvital interests?\b/],
  ['public_task', /\bcompito (di interesse )?pubblico\b|\bpublic (task|interest)\b|\binteresse pubblico\b/],
  ['legitimate_interests', /\blegittim(o|i) interess(e|i)\b|\binteress(e|i) legittim(o|i)\b|\blegitimate interests?\b/],
];
const articleLetters: Record<string, LegalBasis> = {
  a: 'consent',
  b: 'contract',
  c: 'legal_obligation',
  d: 'vital_interests',
  e: 'public_task',
  f: 'legitimate_interests',
};

function normaliseLegalBasis(raw: string): LegalBasis {
  const folded = foldLabel(raw);
  const found = new Set<LegalBasis>();
  for (const [basis, pattern] of legalBasisPatterns) if (pattern.test(folded)) found.add(basis);
  // "art. 6.1.a", "art. 6(1)(a)", "6, par. 1, lett. a)", "6.1 a"
  const article = /\b6\s*(?:[.(]\s*1\s*\)?|,?\s*(?:par\.?|paragrafo|para\.?)\s*1\s*,?)\s*[.(]?\s*(?:lett\.?\s*|letter\s*)?\(?([a-f])\)?(?![a-z])/.exec(folded);
  if (article) found.add(articleLetters[article[1]!]!);
  return found.size === 1 ? [...found][0]! : 'unknown';
}

/** Italian month names as people write dates in words (`3 novembre 2026`, `1° marzo 2026`). */
const ITALIAN_MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'];
const DATE_IN_WORDS = String.raw`\d{1,2}[°º]?\s+(?:${ITALIAN_MONTHS.join('|')})\s+\d{4}`;
const DATE = String.raw`(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}-\d{2}-\d{2}|${DATE_IN_WORDS})`;

/**
 * DD/MM/YYYY (also with '.' or '-'), ISO YYYY-MM-DD, or the day, the Italian month's name and the year (`3 novembre
 * 2026`, any case) to an IsoDate; null for anything else or an impossible date.
 */
export function parseDate(raw: string): IsoDate | null {
  const value = raw.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const inWords = /^(\d{1,2})[°º]?\s+(\p{L}+)\s+(\d{4})$/u.exec(value);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if (inWords) {
    const month = ITALIAN_MONTHS.indexOf(inWords[2]!.toLowerCase());
    if (month < 0) return null;
    [d, m, y] = [Number(inWords[1]), month + 1, Number(inWords[3])];
  } else {
    match = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$/.exec(value);
    if (!match) return null;
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function normalisePeriod(raw: string): FieldValues['collectionPeriod'] | null {
  const match = new RegExp(String.raw`^(?:dal|da|from)?\s*${DATE}\s*(?:al|a|to|until|-|–|—)\s*${DATE}\.?$`, 'i').exec(
    raw.trim(),
  );
  if (!match) return null;
  const from = parseDate(match[1]!);
  const to = parseDate(match[2]!);
  return from && to ? { from, to } : null;
}

function normaliseTransfer(raw: string): FieldValues['extraEuTransfer'] | null {
  const value = raw.trim();
  if (/^no(?![\p{L}\d])/iu.test(value)) return { declared: false };
  const yes = /^(s[iì]|yes)(?![\p{L}\d])[\s,.:;–—-]*(.*)$/iu.exec(value);
  if (!yes) return null;
  const details = yes[2]!.trim();
  return details === '' ? { declared: true } : { declared: true, details };
}

function normalisePlaceAndDate(raw: string): FieldValues['placeAndDate'] | null {
  const match = new RegExp(String.raw`^(.+?)\s*,\s*(?:l[iì]\s+|il\s+|on\s+)?${DATE}$`, 'i').exec(raw.trim());
  if (!match) return null;
  const date = parseDate(match[2]!);
  const place = match[1]!.trim();
  return date && place !== '' ? { place, date } : null;
}
