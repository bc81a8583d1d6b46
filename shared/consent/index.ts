/** Consent evidence sampling (docs/consent-sampling.md): the draw, the evidence file, the checks and the outcome. */
export {
  CONSENT_SAMPLE_DRAWN,
  ConsentSampleSelector,
  consentSampleDrawnData,
  consentSampleDrawnEvent,
  consentSampleSeed,
  consentSeedFromAuditTrail,
  drawConsentSample,
  drawSampleIndices,
  sampleColumns,
  newConsentSampleNonce,
  type ConsentSampleCandidate,
  type ConsentSampleRow,
  type SeedFromTrail,
} from './draw.js';
export { sampleKey, SampleKeyHasher } from './sample-key.js';
export {
  confirmationKinds,
  evidenceColumns,
  DEFAULT_EVIDENCE_MAX_BYTES,
  parseConfirmationKind,
  readConsentEvidence,
  type ConfirmationKind,
  type EvidenceError,
  type EvidenceErrorReason,
  type EvidenceFile,
  type EvidenceReading,
  type EvidenceReadOptions,
  type EvidenceRecord,
} from './evidence.js';
export { parseInstant, type EvidenceInstant } from './instant.js';
export { classifyIp, parseIp, type IpClass, type ParsedIp } from './ip.js';
export {
  CONFIRMATION_MAX_DAYS,
  checkConsentSample,
  consentChecks,
  isUrlSource,
  type CheckedSampleRow,
  type CheckOutcome,
  type ConsentCheck,
  type ConsentCheckInput,
  type ConsentDefect,
  type ConsentSampleReport,
} from './checks.js';
export {
  MAX_DEFECTIVE_PERCENT,
  consentEvidenceDeadline,
  consentEvidenceOverdue,
  decideConsentSample,
  isConsentEvidenceOverdue,
  type ConsentSampleDecision,
  type ConsentSampleOutcome,
} from './outcome.js';
export { consentSampleCsv, consentSampleCsvHeader } from './sample-csv.js';
export { checkConsentEvidence, type ConsentEvidenceInput, type ConsentEvidenceResult } from './check-evidence.js';
export {
  CheckedSampleRowSchema,
  ConsentDefectSchema,
  ConsentSampleRowSchema,
  ConsentSampleSchema,
  type ConsentSampleJson,
} from './schema.js';
