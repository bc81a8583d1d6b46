import type { AttestationFieldName } from './model.js';

/** The form's labels (docs/attestation-format.md): Italian first, then English; extra spellings are accepted on input. */
export const fieldLabels: Record<AttestationFieldName, { it: string; en: string; aliases?: string[] }> = {
  intakeId: { it: 'Riferimento intake', en: 'Intake reference' },
  controllerName: { it: 'Titolare del trattamento', en: 'Data controller' },
  controllerVat: { it: 'Partita IVA', en: 'VAT number', aliases: ['P. IVA', 'P.IVA'] },
  signatory: { it: 'Legale rappresentante', en: 'Legal representative' },
  listSha256: { it: 'Impronta SHA-256 della lista', en: 'List SHA-256' },
  rowCount: { it: 'Numero di contatti', en: 'Number of contacts' },
  legalBasis: { it: 'Base giuridica', en: 'Legal basis' },
  purpose: { it: 'Finalità', en: 'Purpose' },
  collectionPeriod: { it: 'Periodo di raccolta', en: 'Collection period' },
  source: { it: 'Fonte dei dati', en: 'Data source' },
  rpoCheckDate: { it: 'Data ultima verifica RPO', en: 'Last RPO check' },
  extraEuTransfer: { it: 'Trasferimento extra UE', en: 'Transfer outside the EU', aliases: ['Trasferimento extra-UE'] },
  processor: {
    it: 'Call center incaricato',
    en: 'Call centre (processor)',
    aliases: ['Call center (processor)', 'Call centre', 'Call center'],
  },
  placeAndDate: { it: 'Luogo e data', en: 'Place and date' },
};

/** Lower case, accents off, punctuation spacing and runs of spaces collapsed: how labels are compared. */
export function foldLabel(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}
