import type { AttestationDocument, AttestationFieldName, ExtractedField } from '../attestation/model.js';
import { requiredFields } from '../attestation/model.js';
import type { Policy } from '../config.js';
import type { Finding } from '../finding.js';
import { isValidPartitaIva } from '../identifiers.js';
import type { ListReport } from '../list/model.js';
import type { SignatureReport } from '../signature/model.js';
import { finding } from './catalogue.js';
import { daysBetween, italianDate, romeDate } from './dates.js';
import { fieldLabel } from './field-labels.js';
import { compareReading } from './ocr-doubt.js';

export type Verdict = 'approved' | 'review' | 'rejected';

export interface VerdictInput {
  intakeId: string;
  tenant: { vat: string };
  policy: Policy;
  now: Date;
  list: ListReport;
  attestation: AttestationDocument;
  signature: SignatureReport;
}

export interface VerdictOutcome {
  verdict: Verdict;
  findings: Finding[];
}

const expectedFormat: Partial<Record<AttestationFieldName, string>> = {
  intakeId: 'an intake reference',
  controllerVat: 'an 11-digit Partita IVA',
  listSha256: 'a SHA-256 of 64 hexadecimal digits',
  rowCount: 'a whole number',
  legalBasis: 'a legal basis',
  rpoCheckDate: 'a date DD/MM/YYYY',
  collectionPeriod: 'a period "dal DD/MM/YYYY al DD/MM/YYYY"',
  placeAndDate: '"City, DD/MM/YYYY"',
  extraEuTransfer: '"No" or "Sì" with details',
};

/**
 * The verdict policy of docs/verdict-rules.md, thresholds from configuration.
 *
 * 1. Each rule adds findings with its severity; no rule stops the others, so a compliance officer sees every
 *    problem at once.
 * 2. Any `reject` finding rejects; otherwise any `review` finding sends the intake to a person; otherwise approved.
 */
export function decideVerdict(input: VerdictInput): VerdictOutcome {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const today = romeDate(input.now);
  const { list, attestation: doc, signature, policy } = input;

  // --- The list (docs/list-format.md, docs/verdict-rules.md) ---
  if (!list.readable) {
    if (list.unreadable?.reason === 'too_large') {
      add(finding('list_too_large', { bytes: list.bytes, limit: policy.maxListBytes }));
    } else {
      add(finding('list_unreadable', { detail: list.unreadable?.detail ?? 'unknown reason' }));
    }
  } else {
    const excludedTotal = list.dataRows - list.releasedRows;
    if (list.releasedRows === 0) add(finding('list_no_rows_survive', { dataRows: list.dataRows }));
    if (excludedTotal > 0) {
      const summary = Object.entries(list.excluded)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      add(finding('list_rows_excluded', { summary }));
    }
    if (list.dataRows > 0 && excludedTotal / list.dataRows > policy.maxExcludedRatio && list.releasedRows > 0) {
      add(
        finding('list_excluded_ratio', {
          excluded: excludedTotal,
          dataRows: list.dataRows,
          percent: ((excludedTotal / list.dataRows) * 100).toFixed(1),
          limit: (policy.maxExcludedRatio * 100).toFixed(1),
        }),
      );
    }
  }

  // --- The attestation can be read at all ---
  const isScan = doc.kind.startsWith('scan-');
  const fields = doc.fields;
  if (doc.readError || doc.kind === 'unknown') {
    add(
      finding('attestation_unreadable', {
        detail: doc.readError ?? 'not a PDF, a signed PDF (.p7m) or a scan',
        detailIt: doc.readErrorIt ?? (doc.readError ? undefined : 'non è un PDF, un PDF firmato (.p7m) né una scansione'),
      }),
    );
    return conclude(findings);
  }
  const scanUnread = isScan && Object.keys(fields).length === 0;
  if (scanUnread) add(finding('attestation_scan_not_read', {}));

  // --- Required fields: present, well-formed, read with confidence ---
  for (const name of requiredFields) {
    const field = fields[name] as ExtractedField | undefined;
    const label = fieldLabel(name);
    const byMachineReading = isScan || (field !== undefined && field.source !== 'text-layer');
    if (!field || field.raw === '') {
      if (scanUnread) continue; // already one finding for the whole scan
      // A field OCR could not find may still be on the page: a person reads it. On a digital form it is missing.
      add(
        byMachineReading
          ? finding('attestation_field_unread', { label }, { field: name })
          : finding('attestation_field_missing', { label }, { field: name }),
      );
      continue;
    }
    if (field.confidence < policy.minFieldConfidence) {
      add(
        finding(
          'attestation_low_confidence',
          { label, confidence: field.confidence.toFixed(2), min: policy.minFieldConfidence.toFixed(2) },
          { field: name },
        ),
      );
    }
    if (field.value === null) {
      add(
        finding(
          'attestation_field_malformed',
          { label, raw: field.raw, expected: expectedFormat[name] ?? 'readable' },
          { field: name, severity: byMachineReading ? 'review' : 'reject' },
        ),
      );
    }
  }
  for (const name of ['collectionPeriod', 'placeAndDate', 'extraEuTransfer'] as const) {
    const field = fields[name];
    if (field && field.raw !== '' && field.value === null) {
      const byMachineReading = field.source !== 'text-layer';
      add(
        finding(
          'attestation_field_malformed',
          { label: fieldLabel(name), raw: field.raw, expected: expectedFormat[name] ?? 'readable' },
          { field: name, severity: byMachineReading ? 'review' : 'reject' },
        ),
      );
    }
  }

  // --- Binding to this list and this intake (an attestation cannot be replayed) ---
  const bind = (
    name: 'listSha256' | 'rowCount' | 'intakeId',
    code: 'list_hash_mismatch' | 'row_count_mismatch' | 'intake_mismatch',
    expected: string | number | null,
  ) => {
    const field = fields[name];
    if (!field || field.value === null || expected === null) return;
    const reading = compareReading(field, expected);
    if (reading.kind === 'match') return;
    const read = String(field.value);
    const want = String(expected);
    // docs/verdict-rules.md: a machine-read value within two edits of the expected one is a doubt for a person, not a rejection.
    if (reading.kind === 'doubt') {
      add(finding('ocr_doubt', { label: fieldLabel(name), read: field.raw, expected: want, edits: reading.edits }, { field: name }));
      return;
    }
    if (code === 'row_count_mismatch') {
      add(finding(code, { attested: Number(field.value), actual: Number(expected) }, { field: name }));
    } else {
      add(finding(code, { attested: read, actual: want }, { field: name }));
    }
  };
  if (list.readable || list.sha256) bind('listSha256', 'list_hash_mismatch', list.sha256 || null);
  if (list.readable) bind('rowCount', 'row_count_mismatch', list.dataRows);
  bind('intakeId', 'intake_mismatch', input.intakeId);

  // --- The controller (Partita IVA) ---
  const vatField = fields.controllerVat;
  if (vatField?.value) {
    const vat = vatField.value;
    const tenantVat = input.tenant.vat.replace(/^IT/i, '');
    if (!isValidPartitaIva(vat)) {
      add(finding('vat_invalid', { vat }, { field: 'controllerVat', severity: vatField.source === 'text-layer' ? 'reject' : 'review' }));
    } else {
      const reading = compareReading(vatField, tenantVat);
      if (reading.kind === 'doubt') {
        add(finding('ocr_doubt', { label: fieldLabel('controllerVat'), read: vatField.raw, expected: tenantVat, edits: reading.edits }, { field: 'controllerVat' }));
      } else if (reading.kind === 'mismatch') {
        add(finding('vat_not_tenant', { vat, tenantVat }, { field: 'controllerVat' }));
      }
    }
  }

  // --- The digital signature ---
  if (!signature.present) {
    add(finding('attestation_unsigned', {}));
  } else {
    for (const check of signature.checks) {
      if (check.outcome !== 'fail') continue;
      const detail = check.detail.replace(/\.$/, '');
      const detailIt = check.detailIt?.replace(/\.$/, '');
      switch (check.name) {
        case 'integrity':
          add(finding('signature_invalid', { detail, detailIt }));
          break;
        case 'coverage':
          add(finding('signature_not_whole_file', { detail, detailIt }));
          break;
        case 'chain':
          add(finding('signature_untrusted', { detail, detailIt }));
          break;
        case 'validity':
          add(finding('signature_certificate_not_valid', { detail, detailIt }));
          break;
        case 'key_usage':
          add(finding('signature_certificate_usage', { detail, detailIt }));
          break;
        case 'signing_time':
          add(finding('signing_time_future', { detail, detailIt }));
          break;
        case 'signing_certificate':
          add(finding('signature_certificate_mismatch', { detail, detailIt }));
          break;
        case 'revocation':
          add(finding('signature_revoked', { detail, detailIt }));
          break;
        case 'timestamp':
          add(finding('signature_timestamp_unused', { detail, detailIt }));
          break;
        case 'identity':
          add(finding('signature_not_tenant', { detail, detailIt }));
          break;
      }
    }
    const qualified = signature.checks.find((c) => c.name === 'qualified');
    if (policy.requireQualified && qualified && qualified.outcome !== 'pass') {
      add(finding('signature_not_qualified', { detail: qualified.detail.replace(/\.$/, ''), detailIt: qualified.detailIt?.replace(/\.$/, '') }));
    }
    const revocation = signature.checks.find((c) => c.name === 'revocation');
    if (revocation?.outcome === 'absent') {
      // docs/verdict-rules.md: unknown revocation status is information, or a person's call under requireRevocationStatus.
      add(
        finding(
          'revocation_status_unknown',
          { detail: revocation.detail.replace(/\.$/, ''), detailIt: revocation.detailIt?.replace(/\.$/, '') },
          { severity: policy.requireRevocationStatus ? 'review' : 'info' },
        ),
      );
    }
    if (signature.signingTimeSource === 'signed-attribute') add(finding('signing_time_claimed', {}));
  }

  // --- DPR 26/2022: the RPO check is valid for 15 days ---
  const rpo = fields.rpoCheckDate?.value;
  if (rpo) {
    const age = daysBetween(rpo, today);
    if (age < 0) add(finding('rpo_check_future', { date: italianDate(rpo) }, { field: 'rpoCheckDate' }));
    else if (age > policy.rpoMaxAgeDays) {
      add(finding('rpo_check_stale', { date: italianDate(rpo), days: age, max: policy.rpoMaxAgeDays }, { field: 'rpoCheckDate' }));
    }
  }

  // --- The collection period ---
  const period = fields.collectionPeriod?.value;
  if (period) {
    if (period.from > period.to) {
      add(finding('collection_period_inverted', { from: italianDate(period.from), to: italianDate(period.to) }, { field: 'collectionPeriod' }));
    }
    if (period.to > today) add(finding('collection_period_future', { to: italianDate(period.to) }, { field: 'collectionPeriod' }));
  }

  // --- The attestation's age: the signing time, else the place and date written on it ---
  const signedOn = signature.present && signature.signingTime ? romeDate(new Date(signature.signingTime)) : undefined;
  const writtenOn = fields.placeAndDate?.value?.date;
  const dated = signedOn ?? writtenOn;
  if (dated) {
    const age = daysBetween(dated, today);
    if (age > policy.attestationMaxAgeDays) {
      add(
        finding(
          'attestation_stale',
          { date: italianDate(dated), days: age, max: policy.attestationMaxAgeDays, basis: signedOn ? 'signing time' : 'place and date' },
          signedOn ? {} : { field: 'placeAndDate' },
        ),
      );
    }
  } else if (!scanUnread) {
    add(finding('attestation_undated', {}));
  }

  // --- Declarations that need a person ---
  const transfer = fields.extraEuTransfer?.value;
  if (transfer?.declared) {
    add(finding('extra_eu_transfer', { details: transfer.details || 'no details given' }, { field: 'extraEuTransfer' }));
  }
  const basis = fields.legalBasis?.value;
  if (basis && !policy.allowedLegalBases.includes(basis)) {
    add(
      finding('legal_basis_not_allowed', { basis: fields.legalBasis?.raw ?? basis, allowed: policy.allowedLegalBases.join(', ') }, { field: 'legalBasis' }),
    );
  }

  return conclude(findings);
}

function conclude(findings: Finding[]): VerdictOutcome {
  const verdict: Verdict = findings.some((f) => f.severity === 'reject')
    ? 'rejected'
    : findings.some((f) => f.severity === 'review')
      ? 'review'
      : 'approved';
  return { verdict, findings };
}
