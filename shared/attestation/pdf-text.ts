/**
 * The PDF's text layer, read with pdfjs-dist (legacy build: the one meant for Node). In Node pdfjs runs its
 * "fake worker" in-process, importing pdf.worker.mjs beside its own pdf.mjs: nothing to configure.
 */
import { createRequire } from 'node:module';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import {
  checkPdfLimits,
  declaresEncryption,
  DEFAULT_DOCUMENT_LIMITS,
  DocumentLimitError,
  type DocumentLimits,
} from './document-limits.js';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<Pdfjs> | undefined;
/**
 * Loaded on first use, never at import: most callers (CLI usage errors, list-only tests, a Lambda's cold start) never
 * open a PDF. The Lambda bundles keep this import() as it is and ship pdfjs beside them (infra/cdk/bundling.ts).
 */
function pdfjs(): Promise<Pdfjs> {
  pdfjsModule ??= loadPdfjs();
  return pdfjsModule;
}

/**
 * pdfjs 5 evaluates `new DOMMatrix()` when imported, and in Node takes DOMMatrix from the native @napi-rs/canvas
 * (its optional dependency, which also draws pages for OCR). Where that package is absent, as in the Lambda bundles
 * (a 32 MB binary per platform, and no page is drawn there), a plain JavaScript DOMMatrix stands in: reading text
 * and counting images use only its arithmetic.
 */
async function loadPdfjs(): Promise<Pdfjs> {
  const scope = globalThis as { DOMMatrix?: unknown };
  if (scope.DOMMatrix === undefined && !nativeCanvasLoads()) {
    scope.DOMMatrix = (await import('@thednp/dommatrix')).default;
  }
  return import('pdfjs-dist/legacy/build/pdf.mjs');
}

function nativeCanvasLoads(): boolean {
  try {
    return typeof (createRequire(import.meta.url)('@napi-rs/canvas') as { DOMMatrix?: unknown }).DOMMatrix === 'function';
  } catch {
    return false;
  }
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
    /** over_limit: the document is over a bound of docs/limits-and-retention.md (the message names it). */
    readonly reason: 'encrypted' | 'corrupt' | 'over_limit',
  ) {
    super(message);
  }
}

const ENCRYPTED = 'The PDF is encrypted with a password and cannot be read.';

/** Items closer than this on the y axis (in points, scaled by the font size) belong to one line. */
const SAME_LINE_TOLERANCE = 0.5;

/**
 * The text of a PDF, within the limits of docs/limits-and-retention.md: every stream is measured before pdfjs decodes any
 * (checkPdfLimits), then pages and text items are counted as they are read. Over a bound: PdfReadError 'over_limit'.
 */
export async function readPdfText(bytes: Uint8Array, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): Promise<PdfText> {
  if (declaresEncryption(bytes)) throw new PdfReadError(ENCRYPTED, 'encrypted');
  try {
    checkPdfLimits(bytes, limits);
  } catch (error) {
    if (error instanceof DocumentLimitError) throw new PdfReadError(error.message, 'over_limit');
    throw error;
  }
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
  // The bounds keep a PDF small; the deadline keeps it quick whatever it holds. pdfjs yields every few ms while it
  // evaluates a page, and a destroyed document stops at its next yield.
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new PdfReadError(`Reading the PDF took longer than ${limits.maxReadMs / 1000} s, the limit for an attestation.`, 'over_limit'));
    }, limits.maxReadMs);
  });
  const work = readDocument(lib, task, limits);
  work.catch(() => undefined); // after the deadline its rejection (the document destroyed) is nobody's
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // Waiting for the destruction of a document pdfjs is still evaluating can wait for ever: let it stop on its own.
    if (timedOut) void task.destroy().catch(() => undefined);
  }
}

type LoadingTask = ReturnType<Pdfjs['getDocument']>;

async function readDocument(lib: Pdfjs, task: LoadingTask, limits: DocumentLimits): Promise<PdfText> {
  let doc: Awaited<LoadingTask['promise']>;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy().catch(() => undefined);
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') {
      throw new PdfReadError(ENCRYPTED, 'encrypted');
    }
    throw new PdfReadError(`The file is not a readable PDF (${(error as Error).message}).`, 'corrupt');
  }
  if (doc.numPages > limits.maxPages) {
    await doc.destroy();
    throw new PdfReadError(`The PDF has ${doc.numPages} pages, over the limit of ${limits.maxPages} pages for an attestation.`, 'over_limit');
  }
  let items = 0;
  try {
    const pageTexts: string[] = [];
    let images = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const pageItems = await textItems(page, limits.maxTextItems - items, limits.maxTextItems);
      items += pageItems.length;
      const pageText = linesFromItems(pageItems).join('\n');
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
    if (error instanceof PdfReadError) throw error;
    throw new PdfReadError(`The PDF could not be read to the end (${(error as Error).message}).`, 'corrupt');
  } finally {
    await doc.destroy();
  }
}

type PdfPage = Awaited<ReturnType<Awaited<LoadingTask['promise']>['getPage']>>;

/**
 * A page's text items, read as pdfjs streams them and counted as they come: past the bound the stream is cancelled,
 * so a small PDF of millions of text operators stops there instead of building every item first.
 */
async function textItems(page: PdfPage, room: number, limit: number): Promise<TextItem[]> {
  const reader = (page.streamTextContent() as ReadableStream<{ items: (TextItem | object)[] }>).getReader();
  const items: TextItem[] = [];
  let count = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return items;
    count += value.items.length;
    if (count > room) {
      throw new PdfReadError(`The PDF holds more than ${limit} text items, the limit for an attestation.`, 'over_limit');
    }
    for (const item of value.items) if ('str' in item) items.push(item);
  }
}

interface Placed {
  str: string;
  x: number;
  y: number;
  width: number;
  size: number;
}

/** Same line: the baselines are within half the smaller font size of each other. */
function sameLine(head: Placed, item: Placed): boolean {
  return Math.abs(head.y - item.y) <= SAME_LINE_TOLERANCE * Math.min(head.size, item.size);
}

/**
 * Rebuilds lines from positioned text items: grouped by baseline, ordered top to bottom, left to right. An item joins
 * the first line (in the order lines were opened) whose first item is on its baseline, else opens a line.
 *
 * Items come sorted top to bottom, so line heads are opened in falling y and each item lies at or below every head.
 * The first head on the item's line is then the first, from the heads no higher than item.y + size/2 (a binary
 * search), whose y - size/2 is not above item.y (a min-tree descent): O(log n) per item, not a scan of every line
 * (80,000 one-item lines took 20 s that way). Both searches are loosened by a hair and the candidate is confirmed with
 * sameLine itself, so rounding cannot make the answer differ from the scan's.
 */
export function linesFromItems(items: TextItem[]): string[] {
  const placed: Placed[] = items
    .filter((item) => item.str !== '')
    .map((item) => ({
      str: item.str,
      x: item.transform[4] as number,
      y: item.transform[5] as number,
      width: item.width,
      size: Math.max(1, Math.hypot(item.transform[2] as number, item.transform[3] as number)),
    }));
  placed.sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: Placed[][] = [];
  const heads = new LineHeads(placed.length);
  for (const item of placed) {
    const slack = 1e-9 * (Math.abs(item.y) + item.size + 1);
    let at = heads.firstAtOrBelow(item.y + SAME_LINE_TOLERANCE * item.size + slack);
    let line: Placed[] | undefined;
    while ((at = heads.firstReaching(at, item.y + slack)) >= 0) {
      if (sameLine(lines[at]![0]!, item)) {
        line = lines[at];
        break;
      }
      at++;
    }
    if (line) line.push(item);
    else {
      lines.push([item]);
      heads.add(item.y, item.y - SAME_LINE_TOLERANCE * item.size);
    }
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

/** The heads of the open lines, in opening order (y not increasing), with a min-tree over each head's y - size/2. */
class LineHeads {
  private readonly ys: number[] = [];
  private readonly tree: Float64Array;
  private readonly leaves: number;

  constructor(capacity: number) {
    let leaves = 1;
    while (leaves < Math.max(1, capacity)) leaves *= 2;
    this.leaves = leaves;
    this.tree = new Float64Array(2 * leaves).fill(Infinity);
  }

  add(y: number, reach: number): void {
    let node = this.leaves + this.ys.length;
    this.ys.push(y);
    this.tree[node] = reach;
    for (node >>= 1; node >= 1; node >>= 1) this.tree[node] = Math.min(this.tree[2 * node]!, this.tree[2 * node + 1]!);
  }

  /** The first head whose y is at most `top` (heads are in falling y). */
  firstAtOrBelow(top: number): number {
    let lo = 0;
    let hi = this.ys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ys[mid]! <= top) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The first head from index `from` on whose reach (y - size/2) is at most `y`, or -1. */
  firstReaching(from: number, y: number): number {
    if (from >= this.ys.length) return -1;
    return this.descend(1, 0, this.leaves, from, y);
  }

  private descend(node: number, lo: number, hi: number, from: number, y: number): number {
    if (hi <= from || this.tree[node]! > y) return -1;
    if (hi - lo === 1) return lo;
    const mid = (lo + hi) >> 1;
    const left = this.descend(2 * node, lo, mid, from, y);
    return left >= 0 ? left : this.descend(2 * node + 1, mid, hi, from, y);
  }
}
