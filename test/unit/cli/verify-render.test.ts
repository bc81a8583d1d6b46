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

describe('filiera verify, readable text of a signature', () => {
  it("prints each signature's validation facts: anchor and its trusted list, revocation and its source, timestamp, qualified status", async () => {
    const result = await machineRead();
    const facts = {
      chain: { anchor: 'ArubaPEC S.p.A. NG CA 3', source: 'trusted-list' as const, service: 'ArubaPEC S.p.A. NG CA 3', territory: 'IT', path: ['CN=Mario Rossi', 'CN=ArubaPEC S.p.A. NG CA 3'] },
      revocation: { status: 'good' as const, certificate: 'Mario Rossi', source: 'ocsp' as const, origin: 'fetched' as const, url: 'http://ocsp.arubapec.it', issuer: 'ArubaPEC S.p.A. NG CA 3', issuedAt: '2026-11-30T10:00:00.000Z' },
      timestamp: { time: '2026-11-30T09:59:00.000Z', authority: 'Aruba TSA', trusted: false, verified: true },
      qualified: { qualified: false, qcCompliance: true, qcSSCD: false, service: 'ArubaPEC S.p.A. NG CA 3', territory: 'IT' },
    };
    result.attestation.signature = {
      present: true,
      type: 'CAdES',
      valid: true,
      checks: [],
      signingTimeSource: 'signed-attribute',
      notes: [],
      ...facts,
      signatures: [1, 2].map((index) => ({
        index,
        label: `envelope 1 of 1, signer ${index} of 2`,
        labelIt: `busta 1 di 1, firmatario ${index} di 2`,
        type: 'CAdES' as const,
        valid: true,
        identifiesTenant: index === 1,
        checks: [],
        signingTimeSource: 'signed-attribute' as const,
        notes: [],
        indication: 'TOTAL-PASSED' as const,
        ...(index === 1 ? facts : { chain: { anchor: 'Filiera Demo CA', source: 'configured' as const, path: [] } }),
      })),
    };
    const out = render(result, undefined);
    expect(out).toContain('  anchor     ArubaPEC S.p.A. NG CA 3 (trusted list IT, service "ArubaPEC S.p.A. NG CA 3")');
    expect(out).toContain('  revocation good (Mario Rossi) by OCSP of ArubaPEC S.p.A. NG CA 3 issued 2026-11-30T10:00:00.000Z, fetched from http://ocsp.arubapec.it');
    expect(out).toContain('  timestamp  2026-11-30T09:59:00.000Z by Aruba TSA, authority not trusted');
    expect(out).toContain('  qualified  no (service "ArubaPEC S.p.A. NG CA 3", IT) (no QcSSCD)');
    // Each signer of a multi-signer file gets its own facts, indented under its line.
    expect(out).toMatch(/envelope 1 of 1, signer 2 of 2: valid \(TOTAL-PASSED\)[^\n]*\n    anchor     Filiera Demo CA \(configured trust anchor\)/);
  });
});
