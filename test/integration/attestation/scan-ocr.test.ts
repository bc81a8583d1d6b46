import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseractExtractor } from '../../../shared/adapters/ocr/tesseract-extractor.js';
import { attestationFieldNames } from '../../../shared/attestation/model.js';
import { renderAttestationPdf } from '../../../shared/attestation/template.js';
import { PolicySchema } from '../../../shared/config.js';
import { editDistance } from '../../../shared/verdict/edit-distance.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { verifyIntake, type VerificationResult } from '../../../shared/verification.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { DEMO_TENANT_VAT } from '../../fixtures/pki.js';

/**
 * A handwritten-signature attestation as committenti send it: the form printed, signed and scanned. Made here from
 * the real form (renderAttestationPdf) rendered at 200 dpi by poppler's pdftoppm and put back in a PDF as a bare
 * image (a scanner's PDF), then read by the offline OCR engine: one OCR pass for the whole file.
 */
const run = promisify(execFile);
const INTAKE = 'FIL-7K3M9Q2XAB';
const rows = Array.from({ length: 12 }, (_, i) => `Nome${i};Cognome${i};+39 347 ${String(2_000_000 + i)};15/03/2026`);
const list = `nome;cognome;telefono;data_consenso\r\n${rows.join('\r\n')}\r\n`;
const listSha = createHash('sha256').update(list).digest('hex');
const values = demoAttestationValues({
  intakeId: INTAKE,
  listSha256: listSha,
  rowCount: '12',
  collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
});

let dir: string;
let scan: Uint8Array;
let result: VerificationResult;
let seconds: number;
const ocr = new TesseractExtractor();

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
  scan = await doc.save();

  const started = Date.now();
  result = await verifyIntake({
    intakeId: INTAKE,
    tenant: { vat: DEMO_TENANT_VAT, signatories: [] },
    policy: PolicySchema.parse({}),
    trustAnchors: [],
    list: async function* () {
      yield new TextEncoder().encode(list);
    },
    attestation: scan,
    now: new Date(),
    reading: { extractors: { scans: ocr } },
  });
  seconds = (Date.now() - started) / 1000;
});

afterAll(async () => {
  await ocr.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a scanned attestation (image-only PDF, 200 dpi) read offline', () => {
  it('is sniffed as a scan and rendered for OCR', () => {
    expect(result.attestation.format).toBe('scan-pdf');
    expect(result.attestation.signature.present).toBe(false);
    console.log(`OCR of one page, rendering included: ${seconds.toFixed(1)} s`);
  });

  it('recognises every field of the form, each within two edits of what was written, marked as OCR', () => {
    const fields = result.attestation.fields;
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
    const f = result.attestation.fields;
    expect(f.intakeId?.value).toBe(INTAKE);
    expect(f.rowCount?.value).toBe(12);
    expect(f.legalBasis?.value).toBe('consent');
    expect(f.extraEuTransfer?.value).toEqual({ declared: false });
    expect(f.rpoCheckDate?.value).toBe(romeDateOf(values.rpoCheckDate!));
    expect(f.collectionPeriod?.value?.from).toBe('2026-01-01');
  });

  it('goes to review, not approval nor rejection: unsigned, and any OCR doubt is a person\'s call', () => {
    expect(result.verdict).toBe('review');
    expect(result.findings.filter((f) => f.severity === 'reject')).toEqual([]);
    expect(result.findings.map((f) => f.code)).toContain('attestation_unsigned');
    // Every doubtful field is named
    for (const f of result.findings.filter((x) => ['ocr_doubt', 'attestation_low_confidence', 'attestation_field_malformed'].includes(x.code))) {
      expect(attestationFieldNames).toContain(f.field);
    }
  });

  it('reads the model from node_modules: no copy of it is written to the working directory', async () => {
    await expect(access(path.join(process.cwd(), 'ita.traineddata'))).rejects.toThrow();
  });
});

function romeDateOf(italian: string): string {
  const [d, m, y] = italian.split('/');
  return `${y}-${m}-${d}`;
}
