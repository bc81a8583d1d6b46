import { describe, expect, it } from 'vitest';

import { checkConsentSample } from '../../../shared/consent/checks.js';
import { drawConsentSample } from '../../../shared/consent/draw.js';
import { readConsentEvidence } from '../../../shared/consent/evidence.js';
import { consentSampleCsv } from '../../../shared/consent/sample-csv.js';
import { parseCsv } from '../../../shared/list/csv.js';

describe('the sample as the committente downloads it', () => {
  const rows = drawConsentSample('ef'.repeat(32), 3, [
    { index: 0, row: 2, phone: '+393471111111', consentDate: '14/03/2026', consentSource: '=HYPERLINK("x")' },
    { index: 1, row: 3, phone: '+393472222222', consentDate: null, consentSource: 'fiera; stand 4' },
    { index: 2, row: 5, phone: '+393473333333', consentDate: '2026-03-16', consentSource: null },
  ]);

  it('carries the row number, the phone, the consent date and source, formula cells neutralised', () => {
    const csv = consentSampleCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('riga;telefono;data_consenso;fonte_consenso;consenso_il;ip;fonte;informativa;conferma;confermato_il');
    const records = parseCsv(csv, ';').records;
    expect(records.slice(1, 4).map((r) => r.slice(0, 4))).toEqual([
      ['2', '+393471111111', '2026-03-14', `'=HYPERLINK("x")`],
      ['3', '+393472222222', '', 'fiera; stand 4'],
      ['5', '+393473333333', '2026-03-16', ''],
    ]);
  });

  it('is itself an evidence file once filled in', async () => {
    const filled = consentSampleCsv(rows)
      .split('\r\n')
      .map((line, i) =>
        i === 0 || line === '' ? line : line.replace(/;;;;;;$/, ';2026-03-14T10:00:00+01:00;;fiera;inf-1;modulo;2026-03-14T10:01:00+01:00'),
      )
      .join('\r\n');
    const reading = await readConsentEvidence(new TextEncoder().encode(filled), { maxBytes: 1 << 16 });
    if (!reading.readable) throw new Error(reading.error.message);
    const report = checkConsentSample({ seed: 'ef'.repeat(32), rows, evidence: reading.file.records, collectionPeriod: null });
    expect(report.defects.map((d) => [d.row, d.check])).toEqual([[5, 'consent_date']]);
  });
});
