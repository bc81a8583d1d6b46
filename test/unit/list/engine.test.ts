import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  exclusionReasons,
  loadRpoRegister,
  processContactList,
  readListFacts,
  type ContactListOptions,
  type Delimiter,
  type ListEncoding,
  type ListReport,
} from '../../../shared/list/index.js';
import { chunksOf, concatBytes, encodeText, listBytes, outputCollector, textSource, toCsv } from '../../fixtures/lists.js';

const HEADER = ['nome', 'cognome', 'Telefono', 'email', 'Data consenso', 'fonte_consenso', 'canale', 'note'];
const PERIOD = { from: '2024-01-01', to: '2024-06-30' };

/** One row per rule; the comment says what becomes of it. */
const ROWS: string[][] = [
  ['Mario', 'Rossi', '+39 347 123 4567', 'm.rossi@example.it', '15/03/2024', 'web', 'tel', 'ok'], // 1 released
  ['Anna', 'Bianchi', '0039 347 1234567', 'a@example.it', '16/03/2024', 'web', 'tel', ''], // 2 duplicate of 1
  ['Luca', 'Verdi', '347-123-4568', 'l@example.it', '2024-03-20', 'fiera', 'sms', ''], // 3 released
  ['Bad', 'Phone', '12345', '', '15/03/2024', '', '', ''], // 4 invalid_phone
  ['Old', 'Consent', '(02) 1234 5678', '', '01/01/2020', '', '', ''], // 5 consent_out_of_period
  ['Bad', 'Date', '02.1234.5679', '', '31/02/2024', '', '', ''], // 6 invalid_consent_date
  ['Rpo', 'NoDate', '+39 333 000 0001', '', '10/03/2024', '', '', ''], // 7 rpo_opposed (listed without date)
  ['Rpo', 'Before', '333 000 0002', '', '10/03/2024', '', '', ''], // 8 rpo_opposed (consent before opposition)
  ['Rpo', 'After', '333-000-0003', '', '15/04/2024', '', '', ''], // 9 released (consent after opposition)
  ['Rpo', 'SameDay', '333.000.0004', '', '01/04/2024', '', '', ''], // 10 rpo_opposed (not strictly later)
  ['=cmd', '@evil', '+44 20 7946 0958', '-1+2', '', '+x', '\tt', '=HYPERLINK("x")'], // 11 released, neutralised
  ['Bad', 'Again', '12345', '', '', '', '', ''], // 12 invalid_phone (invalid numbers are not deduped)
  ['Old', 'Again', '02 12345678', '', '15/03/2024', '', '', ''], // 13 duplicate of 5, excluded as it was
  ["Dell'Acqua; Jr", 'Neri', '02-1234-5680', '', '', 'porta a porta', 'tel', 'riga uno\nriga "due"'], // 14 released
  ['Rpo', 'NoConsent', '333 000 0002', '', '', '', '', ''], // 15 duplicate of 8
  ['Rpo', 'Unreadable', '3330000005', '', '20/06/2024', '', '', ''], // 16 rpo_opposed (its listed date unreadable)
];

const RPO_FILE = [
  '+39 333 000 0001',
  '3330000002;01/04/2024',
  '0039 333 000 0003;2024-04-01',
  '333.000.0004;01/04/2024',
  'not a number',
  '3330000005;32/13/2024',
  '',
].join('\r\n');

/** The released list, byte for byte: UTF-8 without BOM, ';', CRLF, E.164 phones, neutralised cells. */
const EXPECTED_OUTPUT =
  'nome;cognome;Telefono;email;Data consenso;fonte_consenso;canale;note\r\n' +
  'Mario;Rossi;+393471234567;m.rossi@example.it;15/03/2024;web;tel;ok\r\n' +
  'Luca;Verdi;+393471234568;l@example.it;2024-03-20;fiera;sms;\r\n' +
  'Rpo;After;+393330000003;;15/04/2024;;;\r\n' +
  `'=cmd;'@evil;+442079460958;'-1+2;;'+x;'\tt;"'=HYPERLINK(""x"")"\r\n` +
  `"Dell'Acqua; Jr";Neri;+390212345680;;;porta a porta;tel;"riga uno\nriga ""due"""\r\n`;

async function run(bytes: Uint8Array, options: Partial<ContactListOptions> = {}, chunkSize = 64 * 1024) {
  const out = outputCollector();
  const report = await processContactList(chunksOf(bytes, chunkSize), {
    maxBytes: 1024 * 1024,
    output: out.output,
    ...options,
  });
  return { report, output: out.text(), outputBytes: out.bytes() };
}

async function mainList(bytes: Uint8Array, chunkSize?: number) {
  const rpo = await loadRpoRegister(textSource(RPO_FILE));
  return run(bytes, { consentPeriod: PERIOD, rpo }, chunkSize);
}

describe('processContactList: the rules', () => {
  it('counts every reason, releases the rest and writes the exact cleaned list', async () => {
    // Prepare
    const text = toCsv([HEADER, ...ROWS.slice(0, 3), [''], ...ROWS.slice(3)], ';');
    const bytes = new TextEncoder().encode(text);
    // Act
    const { report, outputBytes } = await mainList(bytes);
    // Assess
    expect(report).toMatchObject({
      readable: true,
      encoding: 'utf-8',
      delimiter: ';',
      header: HEADER,
      phoneColumn: 'Telefono',
      dataRows: 16,
      releasedRows: 5,
      bytes: bytes.length,
      rpoUnreadableLines: 2,
      excluded: {
        invalid_phone: 2,
        duplicate: 3,
        invalid_consent_date: 1,
        consent_out_of_period: 1,
        rpo_opposed: 4,
      },
    });
    expect(report.unreadable).toBeUndefined();
    expect(report.sha256).toBe((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'));
    expect(report.samples).toEqual([
      { row: 2, reason: 'duplicate', phone: '0039 347 1234567' },
      { row: 4, reason: 'invalid_phone', phone: '12345' },
      { row: 5, reason: 'consent_out_of_period', phone: '(02) 1234 5678' },
      { row: 6, reason: 'invalid_consent_date', phone: '02.1234.5679' },
      { row: 7, reason: 'rpo_opposed', phone: '+39 333 000 0001' },
      { row: 8, reason: 'rpo_opposed', phone: '333 000 0002' },
      { row: 10, reason: 'rpo_opposed', phone: '333.000.0004' },
      { row: 12, reason: 'invalid_phone', phone: '12345' },
      { row: 13, reason: 'duplicate', phone: '02 12345678' },
      { row: 15, reason: 'duplicate', phone: '333 000 0002' },
      { row: 16, reason: 'rpo_opposed', phone: '3330000005' },
    ]);
    expect(new TextDecoder().decode(outputBytes)).toBe(EXPECTED_OUTPUT);
    expect(outputBytes.slice(0, 3)).not.toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });

  it('without a period or a register, only phones and dates are checked', async () => {
    const bytes = listBytes([HEADER, ...ROWS]);
    const { report } = await run(bytes);
    expect(report.excluded).toEqual({
      invalid_phone: 2,
      not_callable: 0,
      duplicate: 3,
      invalid_consent_date: 1,
      consent_out_of_period: 0,
      consent_date_missing: 0,
      rpo_opposed: 0,
    });
    expect(report.releasedRows).toBe(10);
    expect(report.rpoUnreadableLines).toBeUndefined();
  });

  it.each([
    ['consent strictly after the opposition survives', '02/04/2024', 'released'],
    ['consent on the opposition day is revoked', '01/04/2024', 'rpo_opposed'],
    ['consent before the opposition is revoked', '31/03/2024', 'rpo_opposed'],
    ['no consent date is revoked', '', 'rpo_opposed'],
  ])('RPO: %s', async (_name, consent, outcome) => {
    const rpo = await loadRpoRegister(textSource('3471234567;01/04/2024\n'));
    const { report } = await run(listBytes([['telefono', 'consent_date'], ['347 123 4567', consent]]), { rpo });
    expect(report.releasedRows).toBe(outcome === 'released' ? 1 : 0);
    expect(report.excluded.rpo_opposed).toBe(outcome === 'released' ? 0 : 1);
  });

  it.each([
    ['on the first day', '01/01/2024', 1],
    ['on the last day', '30/06/2024', 1],
    ['the day before', '31/12/2023', 0],
    ['the day after', '2024-07-01', 0],
    ['missing (nothing to compare)', '', 1],
  ])('consent period: a consent dated %s', async (_name, consent, released) => {
    const { report } = await run(listBytes([['telefono', 'consent_date'], ['3471234567', consent]]), {
      consentPeriod: PERIOD,
    });
    expect(report.releasedRows).toBe(released);
    expect(report.excluded.consent_out_of_period).toBe(1 - released);
  });

  it('keeps at most 20 samples per reason but counts them all', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ['x' + i]);
    const { report } = await run(listBytes([['msisdn'], ...rows]));
    expect(report.excluded.invalid_phone).toBe(30);
    expect(report.samples).toHaveLength(20);
    expect(report.samples[19]).toEqual({ row: 20, reason: 'invalid_phone', phone: 'x19' });
  });

  it('reports every reason, zero included', async () => {
    const { report } = await run(listBytes([['telefono'], ['3471234567']]));
    expect(Object.keys(report.excluded).sort()).toEqual([...exclusionReasons].sort());
  });
});

describe('processContactList: encodings and delimiters', () => {
  const rows = [
    ['Nome', 'CELLULARE', 'Città', 'Note'],
    ['Nicolò', '+39 347 123 4567', "L’Aquila", 'costo 5 €'],
    ['Zoë', '347 765 4321', 'Forlì', 'va bene, grazie'],
  ];
  const expected =
    'Nome;CELLULARE;Città;Note\r\n' +
    'Nicolò;+393471234567;L’Aquila;costo 5 €\r\n' +
    'Zoë;+393477654321;Forlì;va bene, grazie\r\n';
  const cases: [ListEncoding, Delimiter][] = [];
  for (const encoding of ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252'] as ListEncoding[])
    for (const delimiter of [';', ',', '\t', '|'] as Delimiter[]) cases.push([encoding, delimiter]);

  it.each(cases)('%s with %j', async (encoding, delimiter) => {
    const { report, output } = await run(listBytes(rows, { encoding, delimiter }));
    expect(report).toMatchObject({ readable: true, encoding, delimiter, dataRows: 2, releasedRows: 2 });
    expect(report.header).toEqual(rows[0]);
    expect(output).toBe(expected);
  });

  it.each<[ListEncoding, number]>([
    ['utf-8', 1],
    ['utf-16le', 1],
    ['windows-1252', 1],
    ['utf-8', 3],
  ])('%s fed in chunks of %i byte(s) gives the same report and output', async (encoding, size) => {
    const bytes = listBytes([HEADER, ...ROWS, ['Ünïcødé 😀', 'x', '3471112223', '', '', '', '', 'ok €']].map((r) =>
      encoding === 'windows-1252' ? r.map((c) => c.replace('😀', '')) : r,
    ), { encoding });
    const whole = await mainList(bytes);
    const split = await mainList(bytes, size);
    expect(split.report).toEqual(whole.report);
    expect(split.output).toBe(whole.output);
    expect(whole.report.releasedRows).toBe(6);
  });

  it('decides between UTF-8 and Windows-1252 at the first non-ASCII byte, even past the sniffed head', async () => {
    const filler = Array.from({ length: 3000 }, (_, i) => [`nome${i}`, String(3470000000 + i), 'ascii only here']);
    const late = [['Nicolò', '3489999999', 'L’Aquila €']];
    const bytes = listBytes([['nome', 'telefono', 'note'], ...filler, ...late], { encoding: 'windows-1252' });
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    const { report, output } = await run(bytes);
    expect(report.encoding).toBe('windows-1252');
    expect(report.releasedRows).toBe(3001);
    expect(output.endsWith('Nicolò;+393489999999;L’Aquila €\r\n')).toBe(true);
  });

  it('accepts LF line ends, a header with accents and spaces, and passes other columns through', async () => {
    const text = 'Numero;Data_Consenso;Extra Colonna\n347 123 4567;31/01/2024;x\n';
    const { report, output } = await run(new TextEncoder().encode(text), { consentPeriod: PERIOD });
    expect(report.phoneColumn).toBe('Numero');
    expect(output).toBe('Numero;Data_Consenso;Extra Colonna\r\n+393471234567;31/01/2024;x\r\n');
  });

  it.each([['TELÈFONO'], ['  phone '], ['Msisdn'], ['cellulare']])('finds the phone column named %j', async (name) => {
    const { report } = await run(listBytes([['a', name], ['1', '3471234567']]));
    expect(report.phoneColumn).toBe(name);
    expect(report.releasedRows).toBe(1);
  });
});

describe('processContactList: unreadable lists are outcomes', () => {
  async function unreadable(bytes: Uint8Array, options: Partial<ContactListOptions> = {}) {
    let calls = 0;
    const report: ListReport = await processContactList(chunksOf(bytes, 1000), {
      maxBytes: 1024 * 1024,
      output: () => {
        calls++;
      },
      ...options,
    });
    expect(report.readable).toBe(false);
    return { report, calls };
  }

  it('garbage bytes are not text', async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256);
    const { report, calls } = await unreadable(garbage);
    expect(report.unreadable?.reason).toBe('not_text');
    expect(report.bytes).toBe(4096);
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(calls).toBe(0);
  });

  it('a NUL byte after the head makes the list not text', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [String(3470000000 + i), 'x']);
    const bytes = concatBytes([listBytes([['telefono', 'n'], ...rows]), new Uint8Array([0, 0, 0])]);
    const { report } = await unreadable(bytes, { output: undefined });
    expect(report.unreadable?.reason).toBe('not_text');
  });

  it('no phone column: the detail names the headers found', async () => {
    const { report, calls } = await unreadable(listBytes([['nome', 'tel.', 'email'], ['Mario', '3471234567', '']]));
    expect(report.unreadable?.reason).toBe('no_phone_column');
    expect(report.unreadable?.detail).toContain('"nome", "tel.", "email"');
    expect(report.header).toEqual(['nome', 'tel.', 'email']);
    expect(calls).toBe(0);
  });

  it.each([
    ['header only', 'telefono;nome\r\n'],
    ['header and blank lines', 'telefono;nome\r\n\r\n;\r\n   \r\n'],
    ['an empty file', ''],
  ])('%s: no data rows', async (_name, text) => {
    const { report, calls } = await unreadable(new TextEncoder().encode(text));
    expect(report.unreadable?.reason).toBe('no_data_rows');
    expect(report.dataRows).toBe(0);
    expect(calls).toBe(0);
  });

  it('too large: stops reading and reports the bytes seen', async () => {
    const bytes = listBytes([['telefono'], ...Array.from({ length: 2000 }, (_, i) => [String(3470000000 + i)])]);
    const { report } = await unreadable(bytes, { maxBytes: 5000 });
    expect(report.unreadable?.reason).toBe('too_large');
    expect(report.bytes).toBe(6000); // chunks of 1000: the sixth crosses the limit, then reading stops
    expect(report.bytes).toBeLessThan(bytes.length);
  });

  it('an unterminated quote at the end is malformed, naming the row', async () => {
    const text = 'telefono;note\r\n3471234567;ok\r\n3471234568;"never closed\r\n3471234569;x\r\n';
    const { report } = await unreadable(new TextEncoder().encode(text));
    expect(report.unreadable).toEqual({
      reason: 'malformed_csv',
      detail: 'a quoted field opened in data row 2 is never closed',
    });
  });
});

describe('readListFacts: the hash and row count of a list, without checking its rows', () => {
  const facts = (bytes: Uint8Array, maxBytes = 1024 * 1024, chunkSize = 1000) => readListFacts(chunksOf(bytes, chunkSize), { maxBytes });

  it('counts every data row of the main list, released or not, with the same hash', async () => {
    const bytes = listBytes([HEADER, ...ROWS]);
    const { report } = await mainList(bytes);
    expect(report.releasedRows).toBe(5);
    expect(await facts(bytes)).toEqual({ readable: true, sha256: report.sha256, bytes: bytes.length, dataRows: 16 });
  });

  it.each([
    ['not text', new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256)],
    ['no phone column', listBytes([['nome', 'tel.'], ['Mario', '3471234567']])],
    ['no data rows', new TextEncoder().encode('telefono;nome\r\n\r\n')],
    ['malformed', new TextEncoder().encode('telefono;note\r\n3471234567;"never closed\r\n')],
  ])('%s: unreadable with the same reason and detail as processContactList', async (_name, bytes) => {
    const report = await processContactList(chunksOf(bytes, 1000), { maxBytes: 1024 * 1024 });
    const read = await facts(bytes);
    expect(read.readable).toBe(false);
    expect(read.unreadable).toEqual(report.unreadable);
    expect(read.sha256).toBe(report.sha256);
  });

  it('too large: stops at the same byte as processContactList', async () => {
    const bytes = listBytes([['telefono'], ...Array.from({ length: 2000 }, (_, i) => [String(3470000000 + i)])]);
    expect(await facts(bytes, 5000)).toMatchObject({ readable: false, bytes: 6000, unreadable: { reason: 'too_large' } });
  });

  it('always agrees with processContactList on readability, hash and row count', async () => {
    const cell = fc.constantFrom('', ' ', '3471234567', '+39 347 765 4321', '12345', 'Rossi', '15/03/2024', 'a;b', 'x"y', 'riga\nsotto', 'caffè');
    const header = fc.constantFrom(['telefono', 'nome'], ['nome', 'Telefono', 'data_consenso'], ['nome', 'email']);
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.array(fc.array(cell, { minLength: 0, maxLength: 4 }), { maxLength: 30 }),
        fc.constantFrom<Delimiter>(';', ',', '\t'),
        fc.integer({ min: 1, max: 97 }),
        async (head, rows, delimiter, chunkSize) => {
          const bytes = listBytes([head, ...rows], { delimiter });
          const full = await processContactList(chunksOf(bytes, chunkSize), { maxBytes: 1024 * 1024 });
          const read = await readListFacts(chunksOf(bytes, chunkSize), { maxBytes: 1024 * 1024 });
          expect(read).toEqual({
            readable: full.readable,
            sha256: full.sha256,
            bytes: full.bytes,
            dataRows: full.dataRows,
            ...(full.unreadable ? { unreadable: full.unreadable } : {}),
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
