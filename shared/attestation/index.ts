export * from './model.js';
export { sniffAttestationKind } from './sniff.js';
export { parseAttestationText, parseDate, normaliseVat } from './fields.js';
export { fieldLabels } from './labels.js';
export { readAttestation, type ReadOptions, type ReadAttestationResult, type ScanExtractor } from './reader.js';
export { renderAttestationPdf, type RenderOptions } from './template.js';
export { examineAttestation, type ExaminedAttestation } from './examine.js';
export type { SignedEvidence, CadesEvidence, PadesEvidence } from '../signature/model.js';
