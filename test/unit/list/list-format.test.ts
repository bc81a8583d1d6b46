import { describe, expect, it } from 'vitest';
import { readListFacts } from '../../../shared/list/engine.js';
import { isCallable, normalizePhone, phoneCellText } from '../../../shared/list/phone.js';
import { processContactList } from '../../../shared/list/process.js';
import { chunksOf, encodeText, outputCollector } from '../../fixtures/lists.js';

/**
 * What lists made in spreadsheets carry (docs/list-format.md): an Excel `sep=` line, spreadsheet damage to phone
 * cells (never repaired by guessing), Excel's text markers and full-width digits, service numbers a call center must
 * not dial, and consents without a date under requireConsentDate.
 */
async function run(text: string, options: { requireConsentDate?: boolean } = {}, chunkSize = 7) {
  const out = outputCollector();
  const report = await processContactList(chunksOf(encodeText(text, 'utf-8'), chunkSize), { maxBytes: 1 << 20, output: out.output, ...options });
  return { report, output: out.text() };
}

describe('phone cells as spreadsheets leave them', () => {
  it.each([
    ["'3471234567", '+393471234567'],
    ['="347 123 4567"', '+393471234567'],
    ['３４７１２３４５６７', '+393471234567'],
    ['＋３９ ３４７ １２３ ４５６７', '+393471234567'],
    ['347.123.4567', '+393471234567'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('reads %j as %s', (raw, e164) => {
    expect(normalizePhone(raw)).toBe(e164);
  });

  it.each([['3471234567.0'], ['393471234567.00'], ['3,47E+09'], ['3.471234567E+9'], ['3471234567,5']])(
    'refuses %j: a spreadsheet turned it into a number, and its digits are not to be guessed',
    (raw) => {
      expect(phoneCellText(raw)).toBeNull();
      expect(normalizePhone(raw)).toBeNull();
    },
  );
});

describe('service numbers', () => {
  it.each([
    ['+393471234567', true], // mobile
    ['+390212345678', true], // fixed line
    ['+39800123456', false], // numero verde (toll-free)
    ['+39899123456', false], // premium rate
    ['+39840123456', false], // shared cost
    ['+442079460958', true],
    ['+448001234567', false], // UK freephone
  ] as const)('%s callable: %s', (e164, callable) => {
    expect(normalizePhone(e164)).toBe(e164);
    expect(isCallable(e164)).toBe(callable);
  });

  it('excludes a valid service number as not_callable, after invalid_phone and before duplicate', async () => {
    const { report, output } = await run('telefono;nome\r\n800123456;Verde\r\n347 123 4567;Anna\r\n800 123 456;Ancora\r\nxyz;Rotto\r\n');
    expect(report.excluded).toMatchObject({ not_callable: 2, invalid_phone: 1, duplicate: 0 });
    expect(report.releasedRows).toBe(1);
    expect(output).toBe('telefono;nome\r\n+393471234567;Anna\r\n');
  });
});

describe("Excel's sep= line", () => {
  it('names the delimiter and is neither the header nor a row, nor released', async () => {
    const text = 'sep=,\r\ntelefono,nome\r\n3471234567,Anna\r\n3481234567,Bruno\r\n';
    const { report, output } = await run(text);
    expect(report.delimiter).toBe(',');
    expect(report.header).toEqual(['telefono', 'nome']);
    expect(report.dataRows).toBe(2);
    expect(output).toBe('telefono;nome\r\n+393471234567;Anna\r\n+393481234567;Bruno\r\n');
    expect((await readListFacts(chunksOf(encodeText(text, 'utf-8'), 5), { maxBytes: 1 << 20 })).dataRows).toBe(2);
  });

  it('wins over the sniffer: sep=; on a list whose names hold commas', async () => {
    const { report } = await run('sep=;\r\ntelefono;nome\r\n3471234567;Rossi, Anna\r\n3481234567;Bianchi, Bruno\r\n');
    expect(report.delimiter).toBe(';');
    expect(report.releasedRows).toBe(2);
  });

  it('a sep= naming another delimiter makes the list malformed, said in words', async () => {
    const { report } = await run('sep=#\r\ntelefono#nome\r\n3471234567#Anna\r\n');
    expect(report.readable).toBe(false);
    expect(report.unreadable).toMatchObject({ reason: 'malformed_csv', detail: expect.stringContaining('sep=#') });
  });
});

describe('records and consent dates', () => {
  it('does not count records whose cells are all empty', async () => {
    const { report } = await run('telefono;nome;data_consenso\r\n;;\r\n3471234567;Anna;01/02/2026\r\n ; ; \r\n');
    expect(report.dataRows).toBe(1);
  });

  it('with requireConsentDate, a row without a consent date is excluded (consent_date_missing); without it, kept', async () => {
    const text = 'telefono;data_consenso\r\n3471234567;01/02/2026\r\n3481234567;\r\n3491234567;31/02/2026\r\n';
    const strict = await run(text, { requireConsentDate: true });
    expect(strict.report.excluded).toMatchObject({ consent_date_missing: 1, invalid_consent_date: 1 });
    expect(strict.report.releasedRows).toBe(1);
    const lenient = await run(text);
    expect(lenient.report.excluded).toMatchObject({ consent_date_missing: 0, invalid_consent_date: 1 });
    expect(lenient.report.releasedRows).toBe(2);
  });

  it('with requireConsentDate and no consent column at all, every row is excluded', async () => {
    const { report } = await run('telefono\r\n3471234567\r\n', { requireConsentDate: true });
    expect(report.excluded.consent_date_missing).toBe(1);
  });
});
