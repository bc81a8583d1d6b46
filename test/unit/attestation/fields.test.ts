import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAttestationText } from '../../../shared/attestation/index.js';

const HASH = 'A3F1C9E0B7D24C6F8E5A1B3C7D9E2F4A6B8C0D1E3F5A7B9C2D4E6F8A0B1C3D5E';

const italianSameLine = `Dichiarazione di provenienza lecita dei dati di contatto
Riferimento intake: int_123
Titolare del trattamento: Acme Energia S.p.A.
Partita IVA: IT 01234567897
Legale rappresentante: Mario Rossi
Impronta SHA-256 della lista: ${HASH}
Numero di contatti: 12.345
Base giuridica: Consenso (art. 6.1.a GDPR)
Finalità: Telemarketing
Periodo di raccolta: dal 01/01/2025 al 31/03/2025
Fonte dei dati: Moduli web
Data ultima verifica RPO: 05/04/2025
Trasferimento extra UE: No
Call center incaricato: Contact Napoli S.r.l.
Luogo e data: Milano, 06/04/2025`;

const englishNextLine = `Declaration of lawful provenance of contact data
INTAKE REFERENCE:
int_123

Data controller
Acme Energia S.p.A.
VAT number:
01234567897
Legal representative:
Mario Rossi
List SHA-256:
${HASH.toLowerCase()}
Number of contacts:
12345
Legal basis:
Consent
Purpose:
Telemarketing
Collection period:
from 2025-01-01 to 2025-03-31
Data source:
Web forms
Last RPO check:
2025-04-05
Transfer outside the EU:
Yes, call centre in Albania (SCC art. 46 GDPR)
Call centre (processor):
Contact Napoli S.r.l.
Place and date:
Milan, 06/04/2025`;

describe('parseAttestationText', () => {
  it.each([
    ['Italian, same line', italianSameLine],
    ['English, next line, labels in capitals', englishNextLine],
  ])('reads every field: %s', (_name, text) => {
    // Act
    const fields = parseAttestationText(text, 'text-layer');
    // Assess
    expect(fields.intakeId?.value).toBe('int_123');
    expect(fields.controllerName?.value).toBe('Acme Energia S.p.A.');
    expect(fields.controllerVat?.value).toBe('01234567897');
    expect(fields.signatory?.value).toBe('Mario Rossi');
    expect(fields.listSha256?.value).toBe(HASH.toLowerCase());
    expect(fields.rowCount?.value).toBe(text === italianSameLine ? 12345 : 12345);
    expect(fields.legalBasis?.value).toBe('consent');
    expect(fields.purpose?.value).toBe('Telemarketing');
    expect(fields.collectionPeriod?.value).toEqual({ from: '2025-01-01', to: '2025-03-31' });
    expect(fields.source?.value).toMatch(/^(Moduli web|Web forms)$/);
    expect(fields.rpoCheckDate?.value).toBe('2025-04-05');
    expect(fields.processor?.value).toBe('Contact Napoli S.r.l.');
    expect(fields.placeAndDate?.value).toEqual({ place: text === italianSameLine ? 'Milano' : 'Milan', date: '2025-04-06' });
    expect(fields.controllerVat).toMatchObject({ confidence: 1, source: 'text-layer' });
  });

  it('reads the declared transfer with its details', () => {
    const fields = parseAttestationText(englishNextLine, 'text-layer');
    expect(fields.extraEuTransfer?.value).toEqual({ declared: true, details: 'call centre in Albania (SCC art. 46 GDPR)' });
  });

  it('accepts labels without accents and in any case', () => {
    const fields = parseAttestationText('FINALITA: Vendita\npartita iva: 01234567897', 'ocr', 0.8);
    expect(fields.purpose).toEqual({ raw: 'Vendita', value: 'Vendita', confidence: 0.8, source: 'ocr' });
    expect(fields.controllerVat?.value).toBe('01234567897');
  });

  it.each([
    ['Numero di contatti: 1.234.567', 'rowCount', 1234567],
    ['Numero di contatti: 1 234', 'rowCount', 1234],
    ['Numero di contatti: 42', 'rowCount', 42],
    ['Numero di contatti: 1.23', 'rowCount', null],
    ['Numero di contatti: dodici', 'rowCount', null],
    ['Numero di contatti: -5', 'rowCount', null],
    ['Partita IVA: IT01234567897', 'controllerVat', '01234567897'],
    ['Partita IVA: it 012 345 678 97', 'controllerVat', '01234567897'],
    ['Partita IVA: 0123456789', 'controllerVat', null],
    ['Partita IVA: IT0123456789X', 'controllerVat', null],
    [`Impronta SHA-256 della lista: ${HASH.slice(0, 63)}`, 'listSha256', null],
    [`Impronta SHA-256 della lista: ${HASH.slice(0, 63)}g`, 'listSha256', null],
    ['Data ultima verifica RPO: 31/02/2025', 'rpoCheckDate', null],
    ['Data ultima verifica RPO: 29/02/2024', 'rpoCheckDate', '2024-02-29'],
    ['Data ultima verifica RPO: 5/4/2025', 'rpoCheckDate', '2025-04-05'],
    ['Data ultima verifica RPO: ieri', 'rpoCheckDate', null],
    ['Periodo di raccolta: dal 31/03/2025 al 01/01/2025', 'collectionPeriod', { from: '2025-03-31', to: '2025-01-01' }],
    ['Periodo di raccolta: dal 01/13/2025 al 01/01/2026', 'collectionPeriod', null],
    ['Periodo di raccolta: da gennaio a marzo', 'collectionPeriod', null],
    ['Trasferimento extra UE: No', 'extraEuTransfer', { declared: false }],
    ['Trasferimento extra UE: Sì, verso la Tunisia (clausole contrattuali tipo)', 'extraEuTransfer', { declared: true, details: 'verso la Tunisia (clausole contrattuali tipo)' }],
    ['Trasferimento extra UE: Si', 'extraEuTransfer', { declared: true }],
    ['Trasferimento extra UE: forse', 'extraEuTransfer', null],
    ['Luogo e data: Reggio nell’Emilia, 2025-04-06', 'placeAndDate', { place: 'Reggio nell’Emilia', date: '2025-04-06' }],
    ['Luogo e data: Milano', 'placeAndDate', null],
    ['Luogo e data: Milano, 32/01/2025', 'placeAndDate', null],
  ] as const)('%s', (line, field, expected) => {
    const fields = parseAttestationText(line, 'text-layer');
    expect(fields[field]?.value).toEqual(expected);
    expect(fields[field]?.raw).toBe(line.slice(line.indexOf(':') + 1).trim());
  });

  it.each([
    ['Consenso (art. 6.1.a GDPR)', 'consent'],
    ['Consent', 'consent'],
    ['art. 6(1)(a) GDPR', 'consent'],
    ['Esecuzione di un contratto (art. 6.1.b)', 'contract'],
    ['Contract', 'contract'],
    ['Obbligo legale', 'legal_obligation'],
    ['Interessi vitali (art. 6.1.d)', 'vital_interests'],
    ['Compito pubblico', 'public_task'],
    ['Public task', 'public_task'],
    ['Legittimo interesse (art. 6.1.f GDPR)', 'legitimate_interests'],
    ['Legitimate interest', 'legitimate_interests'],
    ['Consenso (art. 6.1.f GDPR)', 'unknown'],
    ['Amicizia', 'unknown'],
  ] as const)('legal basis %s -> %s', (text, expected) => {
    expect(parseAttestationText(`Base giuridica: ${text}`, 'text-layer').legalBasis?.value).toBe(expected);
  });

  it('leaves blank labels out, and does not take the next label or a blank line of the form as a value', () => {
    const fields = parseAttestationText('Partita IVA:\nNumero di contatti: 10\nLuogo e data:\nFirma del legale rappresentante: ______', 'text-layer');
    expect(fields.controllerVat).toBeUndefined();
    expect(fields.placeAndDate).toBeUndefined();
    expect(fields.rowCount?.value).toBe(10);
  });

  it('ignores unknown lines and labels in the middle of a sentence; the first occurrence wins', () => {
    const fields = parseAttestationText(
      'Il titolare dichiara che la Partita IVA: indicata è corretta\nNote: Partita IVA: 99999999999\nPartita IVA: 01234567897\nPartita IVA: 11111111115',
      'text-layer',
    );
    expect(fields.controllerVat?.value).toBe('01234567897');
    expect(Object.keys(fields)).toEqual(['controllerVat']);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom(...'\n:/.'.split('')), (s, sep) => {
        parseAttestationText(`${s}${sep}Partita IVA${sep}${s}\nNumero di contatti:${s}`, 'ocr', 0.5);
      }),
      { numRuns: 300 },
    );
  });
});
