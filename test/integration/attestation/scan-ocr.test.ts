import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestationFieldNames, type AttestationFields } from '../../../shared/attestation/model.js';
import { renderAttestationPdf } from '../../../shared/attestation/template.js';
import type { Finding } from '../../../shared/finding.js';
import { editDistance } from '../../../shared/verdict/edit-distance.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { DEMO_TENANT_VAT, makePki } from '../../fixtures/pki.js';

/**
 * The suite's one OCR run. A handwritten-signature attestation as committenti send it: the form printed, signed and
 * scanned. Made here from the real form (renderAttestationPdf) rendered at 200 dpi by poppler's pdftoppm and put back
 * in a PDF as a bare image (a scanner's PDF), then read by the auditor's `filiera verify` from the installed bin's
 * compiled output, in a network namespace of its own (nothing can be downloaded): the Italian OCR model is found from
 * its package. The form declares 18 contacts where the list has 12, one character off as OCR misreads a digit.
 */
const run = promisify(execFile);
const INTAKE = 'FIL-7K3M9Q2XAB';
const rows = Array.from({ length: 12 }, (_, i) => `Nome${i};Cognome${i};+39 347 ${String(2_000_000 + i)};15/03/2026`);
const list = `nome;cognome;telefono;data_consenso\r\n${rows.join('\r\n')}\r\n`;
const listSha = createHash('sha256').update(list).digest('hex');
const values = demoAttestationValues({
  intakeId: INTAKE,
  listSha256: listSha,
  rowCount: '18',
  collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
});

let dir: string;
let answer: { verdict: string; findings: Finding[]; attestation: { format: string; fields: AttestationFields; signature: { present: boolean } } };
let stderr: string;
let exitCode: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'filiera-scan-'));
  const pdfPath = path.join(dir, 'attestation.pdf');
  await writeFile(pdfPath, await renderAttestationPdf(values));
  await run('pdftoppm', ['-png', '-r', '200', '-singlefile', pdfPath, path.join(dir, 'scan')]);
  const png = await readFile(path.join(dir, 'scan.png'));
  // A scanner's PDF: one A4 page holding the image, no text layer, no font.
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(png);
  doc.addPage([595.28, 841.89]).drawImage(image, { x: 0, y: 0, width: 595.28, height: 841.89 });
  const scanPath = path.join(dir, 'scansione.pdf');
  await writeFile(scanPath, await doc.save());
  const listPath = path.join(dir, 'lista.csv');
  await writeFile(listPath, list);
  const pki = await makePki();
  const argv = ['--net', process.execPath, 'bin/filiera.mjs', 'verify', '--list', listPath, '--attestation', scanPath, '--intake', INTAKE,
    '--tenant-vat', `IT${DEMO_TENANT_VAT}`, '--trust', pki.rootCaPath, '--json'];
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const result = await run('unshare', argv, { env, maxBuffer: 16 * 1024 * 1024 }).then(
    (r) => ({ ...r, code: 0 }),
    (err: { stdout: string; stderr: string; code: number }) => err,
  );
  exitCode = result.code;
  stderr = result.stderr;
  answer = JSON.parse(result.stdout);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a scanned attestation (image-only PDF, 200 dpi) read offline by filiera verify', () => {
  it('is sniffed as a scan, unsigned, and goes to review: exit 10', () => {
    expect(answer.attestation.format).toBe('scan-pdf');
    expect(answer.attestation.signature.present).toBe(false);
    expect(answer.verdict).toBe('review');
    expect(exitCode).toBe(10);
  });

  it('recognises every field of the form, each within two edits of what was written, marked as OCR', () => {
    const fields = answer.attestation.fields;
    for (const name of attestationFieldNames) {
      const field = fields[name];
      expect(field, name).toBeDefined();
      expect(field!.source, name).toBe('ocr');
      expect(field!.confidence, name).toBeGreaterThan(0);
      expect(field!.confidence, name).toBeLessThanOrEqual(1);
      expect(editDistance(field!.raw, values[name]!), `${name}: read ${JSON.stringify(field!.raw)}`).toBeLessThanOrEqual(2);
    }
  });

  it('normalises what it read as the text layer would', () => {
    const f = answer.attestation.fields;
    expect(f.intakeId?.value).toBe(INTAKE);
    expect(f.legalBasis?.value).toBe('consent');
    expect(f.extraEuTransfer?.value).toEqual({ declared: false });
    expect(f.rpoCheckDate?.value).toBe(romeDateOf(values.rpoCheckDate!));
    expect(f.collectionPeriod?.value?.from).toBe('2026-01-01');
  });

  it('names the doubtful field instead of rejecting: 18 read where the list has 12 is an OCR doubt, a person\'s call', () => {
    expect(answer.findings.filter((f) => f.severity === 'reject')).toEqual([]);
    expect(answer.findings.map((f) => f.code)).toContain('attestation_unsigned');
    const doubt = answer.findings.find((f) => f.code === 'ocr_doubt' && f.field === 'rowCount');
    expect(doubt?.message).toMatch(/"18", 1 character edit\(s\) from the expected "12"/);
    // Every doubtful field is named
    for (const f of answer.findings.filter((x) => ['ocr_doubt', 'attestation_low_confidence', 'attestation_field_malformed'].includes(x.code))) {
      expect(attestationFieldNames).toContain(f.field);
    }
  });

  it('prints no error of its own, and writes no copy of the model to the working directory', async () => {
    expect(stderr).not.toMatch(/Error/);
    await expect(access(path.join(process.cwd(), 'ita.traineddata'))).rejects.toThrow();
  });
});

function romeDateOf(italian: string): string {
  const [d, m, y] = italian.split('/');
  return `${y}-${m}-${d}`;
}
