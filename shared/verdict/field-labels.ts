import type { AttestationFieldName } from '../attestation/model.js';

/** How each field is named on the form (PRODUCT.md section 4), for messages and the console. */
export const fieldLabels: Record<AttestationFieldName, { it: string; en: string }> = {
  intakeId: { it: 'Riferimento intake', en: 'Intake reference' },
  controllerName: { it: 'Titolare del trattamento', en: 'Data controller' },
  controllerVat: { it: 'Partita IVA', en: 'VAT number' },
  signatory: { it: 'Legale rappresentante', en: 'Legal representative' },
  listSha256: { it: 'Impronta SHA-256 della lista', en: 'List SHA-256' },
  rowCount: { it: 'Numero di contatti', en: 'Number of contacts' },
  legalBasis: { it: 'Base giuridica', en: 'Legal basis' },
  purpose: { it: 'Finalità', en: 'Purpose' },
  collectionPeriod: { it: 'Periodo di raccolta', en: 'Collection period' },
  source: { it: 'Fonte dei dati', en: 'Data source' },
  rpoCheckDate: { it: 'Data ultima verifica RPO', en: 'Last RPO check' },
  extraEuTransfer: { it: 'Trasferimento extra UE', en: 'Transfer outside the EU' },
  processor: { it: 'Call center incaricato', en: 'Call centre (processor)' },
  placeAndDate: { it: 'Luogo e data', en: 'Place and date' },
};

export function fieldLabel(field: AttestationFieldName): string {
  const l = fieldLabels[field];
  return `${l.it} / ${l.en}`;
}
