/**
 * Offline OCR, seconds per page: the attestation form rendered at 200 dpi by pdftoppm (a scan as committenti send
 * it), read by tesseract.js (the portable default) and, when Debian's `tesseract` is installed, by the native
 * binary with OMP_THREAD_LIMIT=1 for comparison. `npm run bench -- ocr`; OCR_BENCH_PAGES sets the pages (default 2).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TesseractExtractor } from '../../shared/adapters/ocr/tesseract-extractor.js';
import { attestationFieldNames } from '../../shared/attestation/model.js';
import { renderAttestationPdf } from '../../shared/attestation/template.js';
import { demoAttestationValues } from '../fixtures/attestations.js';

const exec = promisify(execFile);

export async function run(): Promise<void> {
  const pages = Number(process.env.OCR_BENCH_PAGES ?? 2);
  const dir = await mkdtemp(path.join(tmpdir(), 'filiera-bench-ocr-'));
  try {
    const pdfPath = path.join(dir, 'attestation.pdf');
    await writeFile(pdfPath, await renderAttestationPdf(demoAttestationValues()));
    await exec('pdftoppm', ['-png', '-r', '200', '-singlefile', pdfPath, path.join(dir, 'page')]);
    const png = new Uint8Array(await readFile(path.join(dir, 'page.png')));

    const ocr = new TesseractExtractor();
    try {
      let started = performance.now();
      const first = await ocr.extract({ kind: 'scan-png', bytes: png, pages: 1 });
      const firstSeconds = (performance.now() - started) / 1000;
      const found = first.status === 'read' ? attestationFieldNames.filter((n) => first.fields[n]).length : 0;
      started = performance.now();
      for (let i = 0; i < pages; i++) await ocr.extract({ kind: 'scan-png', bytes: png, pages: 1 });
      const perPage = (performance.now() - started) / 1000 / pages;
      console.log(`tesseract.js (wasm, ita best_int), A4 at 200 dpi`);
      console.log(`  first page, engine start included  ${firstSeconds.toFixed(1)} s`);
      console.log(`  per page, warm (${pages} pages)          ${perPage.toFixed(1)} s`);
      console.log(`  fields found                       ${found} of ${attestationFieldNames.length}`);
    } finally {
      await ocr.close();
    }

    try {
      await exec('tesseract', ['--version']);
    } catch {
      console.log('tesseract (Debian binary): not installed, skipped (apt-get install tesseract-ocr tesseract-ocr-ita)');
      return;
    }
    const started = performance.now();
    for (let i = 0; i < pages; i++) {
      await exec('tesseract', [path.join(dir, 'page.png'), 'stdout', '-l', 'ita'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 8 << 20 });
    }
    console.log(`tesseract (Debian binary, OMP_THREAD_LIMIT=1), per page  ${((performance.now() - started) / 1000 / pages).toFixed(1)} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
