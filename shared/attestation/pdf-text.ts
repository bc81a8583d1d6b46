/**
 * The PDF's text layer, read with pdfjs-dist (legacy build: the one meant for Node). In Node pdfjs runs its
 * "fake worker" in-process, importing pdf.worker.mjs beside the build: nothing to configure.
 */
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<Pdfjs> | undefined;
/** Loaded on first use: most callers (CLI usage errors, list-only tests) never open a PDF. */
function pdfjs(): Promise<Pdfjs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

export interface PdfText {
  /** Lines top to bottom, pages separated by a form feed line. */
  text: string;
  pages: number;
  /** Images drawn on the pages without text (an image-only PDF is a scan). */
  images: number;
}

export class PdfReadError extends Error {
  constructor(
    message: string,
    readonly reason: 'encrypted' | 'corrupt',
  ) {
    super(message);
  }
}

/** Items closer than this on the y axis (in points, scaled by the font size) belong to one line. */
const SAME_LINE_TOLERANCE = 0.5;

export async function readPdfText(bytes: Uint8Array): Promise<PdfText> {
  const lib = await pdfjs();
  // pdfjs may transfer (detach) the buffer it is given, and refuses Node Buffers: hand it a plain copy.
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy().catch(() => undefined);
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') {
      throw new PdfReadError('The PDF is encrypted with a password and cannot be read.', 'encrypted');
    }
    throw new PdfReadError(`The file is not a readable PDF (${(error as Error).message}).`, 'corrupt');
  }
  try {
    const pageTexts: string[] = [];
    let images = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const pageText = linesFromItems(content.items.filter((i): i is TextItem => 'str' in i)).join('\n');
      pageTexts.push(pageText);
      // Images only matter for a page without text (a scan); the operator list is costly, so only then.
      if (pageText.trim() === '') {
        const ops = await page.getOperatorList();
        for (const fn of ops.fnArray) {
          if (fn === lib.OPS.paintImageXObject || fn === lib.OPS.paintInlineImageXObject || fn === lib.OPS.paintImageMaskXObject) {
            images++;
          }
        }
      }
      page.cleanup();
    }
    return { text: pageTexts.join('\n\f\n'), pages: doc.numPages, images };
  } catch (error) {
    throw new PdfReadError(`The PDF could not be read to the end (${(error as Error).message}).`, 'corrupt');
  } finally {
    await doc.destroy();
  }
}

/** Rebuilds lines from positioned text items: grouped by baseline, ordered top to bottom, left to right. */
export function linesFromItems(items: TextItem[]): string[] {
  const placed = items
    .filter((item) => item.str !== '')
    .map((item) => ({
      str: item.str,
      x: item.transform[4] as number,
      y: item.transform[5] as number,
      width: item.width,
      size: Math.max(1, Math.hypot(item.transform[2] as number, item.transform[3] as number)),
    }));
  placed.sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: (typeof placed)[] = [];
  for (const item of placed) {
    const line = lines.find((l) => Math.abs(l[0]!.y - item.y) <= SAME_LINE_TOLERANCE * Math.min(l[0]!.size, item.size));
    if (line) line.push(item);
    else lines.push([item]);
  }
  lines.sort((a, b) => b[0]!.y - a[0]!.y);
  return lines.map((line) => {
    line.sort((a, b) => a.x - b.x);
    let out = '';
    let end = -Infinity;
    for (const item of line) {
      // A visible gap between two items is a space, unless one of them already carries it.
      const gap = item.x - end;
      if (out !== '' && gap > item.size * 0.15 && !out.endsWith(' ') && !item.str.startsWith(' ')) out += ' ';
      out += item.str;
      end = item.x + item.width;
    }
    return out.replace(/\s+/g, ' ').trim();
  });
}
