/**
 * Pages of an image-only PDF as PNG images, for an OCR engine that reads images: pdfjs draws each page on a
 * @napi-rs/canvas canvas (prebuilt binaries from npm, no system library), at the resolution scanners use.
 */
type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<Pdfjs> | undefined;

/** Canvases as pdfjs's Node canvas factory makes them (@napi-rs/canvas). */
interface NodeCanvas {
  width: number;
  height: number;
  encode(format: 'png'): Promise<Uint8Array>;
}

export const SCAN_DPI = 200;
/** A page larger than A3 at 200 dpi is not a form: the cap keeps memory bounded. */
const MAX_PIXELS = 3508 * 4961;

export async function rasterisePdf(bytes: Uint8Array, options: { dpi?: number; maxPages?: number } = {}): Promise<Uint8Array[]> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const lib = await pdfjsModule;
  const task = lib.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, verbosity: 0 });
  const doc = await task.promise;
  try {
    const images: Uint8Array[] = [];
    const pages = Math.min(doc.numPages, options.maxPages ?? 20);
    for (let n = 1; n <= pages; n++) {
      const page = await doc.getPage(n);
      let scale = (options.dpi ?? SCAN_DPI) / 72;
      const base = page.getViewport({ scale: 1 });
      const pixels = base.width * base.height * scale * scale;
      if (pixels > MAX_PIXELS) scale *= Math.sqrt(MAX_PIXELS / pixels);
      const viewport = page.getViewport({ scale });
      const factory = doc.canvasFactory as { create(width: number, height: number): { canvas: NodeCanvas; context: CanvasRenderingContext2D } };
      const { canvas, context } = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
      // A scan is black on white: paint the background, transparent pixels would read as black.
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      await page.render({ canvasContext: context, canvas: canvas as unknown as HTMLCanvasElement, viewport }).promise;
      images.push(await canvas.encode('png'));
      page.cleanup();
    }
    return images;
  } finally {
    await doc.destroy();
  }
}
