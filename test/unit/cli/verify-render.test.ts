import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { render } from '../../../bin/commands/verify.js';
import { attestationFieldNames } from '../../../shared/attestation/model.js';
import { renderAttestationPdf } from '../../../shared/attestation/template.js';
import { PolicySchema } from '../../../shared/config.js';
import { finding } from '../../../shared/verdict/catalogue.js';
import { verifyIntake } from '../../../shared/verification.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { DEMO_TENANT_VAT } from '../../fixtures/pki.js';

/**
 * `filiera verify` without --json: what an auditor reads. The OCR itself runs once in the suite
 * (test/integration/attestation/scan-ocr.test.ts); here a verification whose fields were read by machine is rendered.
 */
const list = 'telefono;data_consenso\r\n3471234567;15/03/2026\r\n3481234567;15/03/2026\r\n';

async function machineRead() {
  const values = demoAttestationValues({
    intakeId: 'FIL-RENDER0001',
    listSha256: createHash('sha256').update(list).digest('hex'),
    rowCount: '2',
    collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
  });
  const result = await verifyIntake({
    intakeId: 'FIL-RENDER0001',
    tenant: { vat: DEMO_TENANT_VAT, signatories: [] },
    policy: PolicySchema.parse({ consentSampleSize: 0 }),
    trustAnchors: [],
    list: async function* () {
      yield new TextEncoder().encode(list);
    },
    attestation: await renderAttestationPdf(values),
    now: new Date(),
  });
  // As an OCR pass would have left them: every field machine-read, the row count one digit off.
  for (const name of attestationFieldNames) {
    const field = result.attestation.fields[name];
    if (field) Object.assign(field, { source: 'ocr', confidence: 0.87 });
  }
  result.attestation.fields.rowCount!.raw = '7';
  result.findings.push(finding('ocr_doubt', { label: 'Numero di contatti / Number of contacts', read: '7', expected: '2', edits: 1 }, { field: 'rowCount' }));
  return result;
}

describe('filiera verify, readable text', () => {
  it('names the doubtful fields read by machine, with their findings, and marks each machine-read field', async () => {
    const out = render(await machineRead(), undefined);
    expect(out).toContain('IN REVIEW');
    expect(out).toContain('signature  none (no digital signature)');
    expect(out).toMatch(/Numero di contatti\s+7\s+\[ocr, confidence 0\.87\]/);
    const doubtful = out.slice(out.indexOf('Doubtful fields'), out.indexOf('\nFindings'));
    expect(doubtful).toMatch(/Doubtful fields \(read by machine/);
    expect(doubtful).toMatch(/Numero di contatti \(rowCount\): "7"\s+\[ocr_doubt\]/);
    expect(out).toMatch(/\[review\] ocr_doubt \(rowCount\): The field "Numero di contatti \/ Number of contacts" was read by OCR as "7", 1 character edit\(s\) from the expected "2"/);
    expect(out).not.toContain('[reject]');
  });

  it('says where it wrote nothing when the list is not approved', async () => {
    expect(render(await machineRead(), '/tmp/out')).toContain('Nothing written to /tmp/out: the list is not approved.');
  });
});
