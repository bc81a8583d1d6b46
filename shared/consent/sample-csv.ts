import { quoteCell } from '../list/csv.js';
import { neutraliseCell } from '../list/neutralise.js';
import type { ConsentSampleRow } from './draw.js';

/**
 * The sample as the committente downloads it (docs/consent-sampling.md: row number, E.164 phone, the list's consent
 * date and source), written like the released list (UTF-8, ';', CRLF, RFC 4180 quoting, formula cells neutralised).
 * The evidence columns follow, empty: filled in, the same file is an evidence file, since the evidence reader finds
 * its columns by name and lets the others pass.
 */
export const consentSampleCsvHeader = [
  'riga',
  'telefono',
  'data_consenso',
  'fonte_consenso',
  'consenso_il',
  'ip',
  'fonte',
  'informativa',
  'conferma',
  'confermato_il',
] as const;

export function consentSampleCsv(rows: readonly ConsentSampleRow[]): string {
  const lines = [consentSampleCsvHeader.join(';')];
  for (const r of rows) {
    // The phone is E.164 as in the released list; every other written cell is neutralised.
    const cells = [String(r.row), r.phone, r.consentDate ?? '', quoteCell(neutraliseCell(r.consentSource ?? ''))];
    lines.push([...cells, '', '', '', '', '', ''].join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}
