import type { IntakeView } from '../../shared/api/schemas.js';

/** An intake as readable text: status, verdict, counts and every finding. */
export function renderIntake(view: IntakeView): string {
  const lines = [`Intake ${view.intakeId}  (${view.tenant} -> ${view.callCenter}, campaign "${view.campaign}")`, `  status   ${view.status}`];
  if (view.verdict) lines.push(`  verdict  ${view.verdict}${view.verdictAt ? ` at ${view.verdictAt}` : ''}`);
  if (view.counts) {
    const excluded = Object.entries(view.counts.excluded).filter(([, n]) => n > 0);
    lines.push(`  rows     ${view.counts.dataRows} data rows, ${view.counts.releasedRows} released${excluded.length ? `; excluded ${excluded.map(([r, n]) => `${r} ${n}`).join(', ')}` : ''}`);
  }
  if (view.status === 'AWAITING_UPLOADS') {
    lines.push(`  uploads  list ${view.uploads.list ? 'received' : 'missing'}, attestation ${view.uploads.attestation ? 'received' : 'missing'} (deadline ${view.uploadDeadline})`);
  }
  if (view.consentSample) {
    const c = view.consentSample;
    const state = c.outcome
      ? `checked: ${c.outcome}, ${c.defectiveRows ?? 0} defective`
      : `awaiting evidence by ${c.deadline}${c.evidenceRefused ? ' (the last file was refused: upload a corrected one)' : ''}`;
    lines.push(`  sample   ${c.sampledRows} consents drawn, ${state}`);
  }
  if (view.review) lines.push(`  review   ${view.review.decision} by ${view.review.reviewer}: ${view.review.justification}`);
  if (view.release) lines.push(`  release  at ${view.release.releasedAt}, downloadable until ${view.release.expiresAt}`);
  if (view.findings.length) {
    lines.push('  findings');
    for (const f of view.findings) lines.push(`    [${f.severity}] ${f.code}: ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export const inProgress = (status: string) => status === 'AWAITING_UPLOADS' || status === 'PROCESSING' || status === 'APPROVED';
