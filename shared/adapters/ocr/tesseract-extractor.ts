import { createRequire } from 'node:module';
import path from 'node:path';
import type { InitOptions, Worker } from 'tesseract.js';
import { scanImageOverLimit } from '../../attestation/document-limits.js';
import { parseAttestationLines, type ReadLine } from '../../attestation/fields.js';
import type { DocumentExtractor, DocumentToRead, Extraction } from '../../ports/document-extractor.js';
import { rasterisePdf, SCAN_DPI } from './rasterise.js';

export interface TesseractExtractorOptions {
  /** Resolution image-only PDFs are rendered at (default 200 dpi, what scanners send). */
  dpi?: number;
  /** Most pages read from one PDF (default 20: an attestation is a page or two). */
  maxPages?: number;
}

/**
 * The Italian model from the @tesseract.js-data/ita npm package (LSTM, "best_int"), read from node_modules: with
 * langPath a local folder and no cache, tesseract.js never downloads anything at run time.
 */
export function italianModelPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@tesseract.js-data/ita/package.json')), '4.0.0_best_int');
}

/**
 * Offline OCR (tesseract.js, WebAssembly, no system package): the scan reader of the local runtime and of
 * `filiera verify`. PNG, JPEG and TIFF are read as they are; an image-only PDF is rendered page by page first.
 *
 * Confidence: a line is as sure as its least sure word (tesseract's 0-100 scaled to 0..1), so a value read
 * uncertainly is never averaged away by a well-read label on the same line.
 *
 * One engine per extractor, started on first use (a few seconds) and kept for the next documents; close() ends it.
 */
export class TesseractExtractor implements DocumentExtractor {
  readonly source = 'ocr' as const;
  private worker: Promise<Worker> | undefined;
  /** tesseract.js workers read one image at a time: documents queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TesseractExtractorOptions = {}) {}

  extract(document: DocumentToRead): Promise<Extraction> {
    const run = this.queue.then(() => this.read(document));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker).terminate();
  }

  private async read(document: DocumentToRead): Promise<Extraction> {
    let images: Uint8Array[];
    if (document.kind === 'scan-pdf') {
      try {
        images = await rasterisePdf(document.bytes, { dpi: this.options.dpi ?? SCAN_DPI, maxPages: this.options.maxPages ?? 20 });
      } catch (error) {
        return { status: 'unreadable', reason: `the scanned PDF cannot be rendered (${(error as Error).message})` };
      }
    } else {
      // Decoding allocates width x height: refuse what is over the pixel bound from the header (docs/limits-and-retention.md).
      const over = scanImageOverLimit(document.bytes);
      if (over !== null) return { status: 'unreadable', reason: over };
      images = [document.bytes];
    }
    const worker = await this.engine();
    const lines: ReadLine[] = [];
    const pageTexts: string[] = [];
    for (const [index, image] of images.entries()) {
      let page: Awaited<ReturnType<Worker['recognize']>>;
      try {
        page = await worker.recognize(Buffer.from(image), {}, { text: true, blocks: true });
      } catch (error) {
        return { status: 'unreadable', reason: `the image cannot be read by OCR (${errorText(error)})` };
      }
      if (index > 0) lines.push({ text: '\f', confidence: 1 });
      for (const block of page.data.blocks ?? []) {
        for (const paragraph of block.paragraphs) {
          for (const line of paragraph.lines) {
            const words = line.words.filter((w) => w.text.trim() !== '');
            if (words.length === 0) continue;
            lines.push({
              text: words.map((w) => w.text).join(' '),
              confidence: Math.min(...words.map((w) => w.confidence)) / 100,
            });
          }
        }
      }
      pageTexts.push(page.data.text.trim());
    }
    return {
      status: 'read',
      source: 'ocr',
      fields: parseAttestationLines(lines, 'ocr'),
      text: pageTexts.join('\n\f\n'),
      pages: images.length,
    };
  }

  private engine(): Promise<Worker> {
    this.worker ??= (async () => {
      const { createWorker, OEM } = await import('tesseract.js');
      const worker = await createWorker(
        'ita',
        OEM.LSTM_ONLY,
        {
          langPath: italianModelPath(),
          gzip: true,
          // Read the model from node_modules every time; never write a copy into the working directory.
          cacheMethod: 'none',
        },
        // The Italian model's own configuration names a word list (ita.special-words) that it does not ship: without
        // this, every OCR run prints "Error: failed to load ./ita.special-words" to the auditor's terminal. Any
        // Tesseract init parameter is accepted here; tesseract.js's type lists only the dawg switches.
        { user_words_suffix: '' } as Partial<InitOptions>,
      );
      // Keep the columns of the form (label, gap, value) on one line.
      await worker.setParameters({ preserve_interword_spaces: '1' });
      return worker;
    })();
    this.worker.catch(() => {
      this.worker = undefined;
    });
    return this.worker;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
