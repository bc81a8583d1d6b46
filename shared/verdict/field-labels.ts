import { fieldLabels } from '../attestation/labels.js';
import type { AttestationFieldName } from '../attestation/model.js';

/** How each field is named on the form (docs/attestation-format.md): the form's own labels, for messages and the console. */
export { fieldLabels };

export function fieldLabel(field: AttestationFieldName): string {
  const l = fieldLabels[field];
  return `${l.it} / ${l.en}`;
}
