import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { renderAttestationPdf } from '../../../shared/attestation/template.js';
import {
  checkPdfLimits,
  DEFAULT_DOCUMENT_LIMITS,
  DocumentLimitError,
  topLevelEntries,
  type DocumentLimits,
} from '../../../shared/attestation/document-limits.js';
import { extractorFor } from '../../../shared/attestation/extraction.js';
import { imageSize } from '../../../shared/attestation/image-size.js';
import { PdfReadError, readPdfText } from '../../../shared/attestation/pdf-text.js';
import { readAttestation } from '../../../shared/attestation/reader.js';
import { pdfObjectsText, sniffAttestationKind } from '../../../shared/attestation/sniff.js';
import { pdfTextLayerWithin } from '../../../shared/attestation/text-layer.js';
import { TesseractExtractor } from '../../../shared/adapters/ocr/tesseract-extractor.js';
import type { DocumentExtractor, Extraction } from '../../../shared/ports/document-extractor.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';

/**
 * docs/limits-and-retention.md: decompression, text extraction and rasterising are bounded in bytes, items, pages and pixels;
 * a document over a bound is unreadable with a message naming the bound, never an out-of-memory kill or a time-out.
 * The bounds are lowered here so the bombs stay a few KB and nothing inflates to more than a few MiB; the defaults
 * are exercised through the reader with a declared size (pixels), which costs nothing to refuse.
 */

const MiB = 1024 * 1024;
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const small = (over: Partial<DocumentLimits>): DocumentLimits => ({ ...DEFAULT_DOCUMENT_LIMITS, ...over });

/** A one-page PDF whose content (object 4) is `stream` under `dict`; extra objects follow. Readers rebuild the xref. */
function pdfWith(dict: string, stream: Uint8Array, extra = ''): Uint8Array {
  return Buffer.concat([
    latin1(
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
        '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n' +
        `4 0 obj << ${dict} /Length ${stream.length} >>\nstream\n`,
    ),
    stream,
    latin1(`\nendstream\nendobj\n${extra}trailer << /Root 1 0 R >>\n%%EOF\n`),
  ]);
}

/** A PDF of one stream object (4) with this dictionary and data, the keyword and line end written as given. */
function pdfRaw(dict: string, data: Uint8Array, keyword = 'stream\n', extra = ''): Uint8Array {
  return Buffer.concat([latin1(`%PDF-1.4\n4 0 obj << ${dict} /Length ${data.length} >>${keyword}`), data, latin1(`\nendstream\nendobj\n${extra}%%EOF\n`)]);
}

/** `bytes` zeros, deflated: about a thousandth of the size. */
const zeros = (bytes: number) => deflateSync(Buffer.alloc(bytes));

function limitOf(run: () => unknown): DocumentLimitError {
  try {
    run();
  } catch (error) {
    if (error instanceof DocumentLimitError) return error;
    throw error;
  }
  throw new Error('no limit was reached');
}

describe('Flate bombs', () => {
  it('one stream inflating past the per-stream bound is refused, naming it', () => {
    const error = limitOf(() => checkPdfLimits(pdfWith('/Filter /FlateDecode', zeros(2 * MiB)), small({ maxStreamBytes: MiB })));
    expect(error.limit).toBe('maxStreamBytes');
    expect(error.message).toBe('The PDF holds a compressed stream that expands past 1 MiB, the limit for one stream.');
  });

  it('a bomb hidden under a second Flate layer, or behind ASCII85, is decoded layer by layer and refused', () => {
    const twice = deflateSync(zeros(2 * MiB));
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter [/FlateDecode /FlateDecode]', twice), small({ maxStreamBytes: MiB }))).limit).toBe('maxStreamBytes');
    const a85 = latin1(`${ascii85(zeros(2 * MiB))}~>`);
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter [/A85 /Fl]', a85), small({ maxStreamBytes: MiB }))).limit).toBe('maxStreamBytes');
    const hex = latin1(`${zeros(2 * MiB).toString('hex')}>`);
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter [/ASCIIHexDecode /FlateDecode]', hex), small({ maxStreamBytes: MiB }))).limit).toBe('maxStreamBytes');
  });

  it.each([
    ['a space before the line end after `stream`', (d: Buffer) => pdfRaw('/Filter /FlateDecode', d, 'stream  \n')],
    ['a lone CR after `stream`', (d: Buffer) => pdfRaw('/Filter /FlateDecode', d, 'stream\r')],
    ['a comment between the dictionary and `stream`', (d: Buffer) => pdfRaw('/Filter /FlateDecode', d, '%c\nstream\n')],
    ['the /F abbreviation pdfjs reads before /Filter', (d: Buffer) => pdfRaw('/F /Fl', d)],
    ['a key written with #-escapes', (d: Buffer) => pdfRaw('/Filt#65r /FlateDecode', d)],
    ['a filter name written with #-escapes', (d: Buffer) => pdfRaw('/Filter /F#6c#61teDecode', d)],
    ['a comment between key and value', (d: Buffer) => pdfRaw('/Filter %x\n/FlateDecode', d)],
    ['a decoy /F in a nested dictionary', (d: Buffer) => pdfRaw('/DecodeParms << /F /Crypt >> /Filter /FlateDecode', d)],
    ['a decoy /Filter in a string', (d: Buffer) => pdfRaw('/Note (/Filter /Crypt) /Filter /FlateDecode', d)],
  ])('a stream is found and read as pdfjs reads it: %s', (_name, make) => {
    expect(limitOf(() => checkPdfLimits(make(zeros(2 * MiB)), small({ maxStreamBytes: MiB }))).limit).toBe('maxStreamBytes');
  });

  it('a width or height written as /W /H, after a comment or with escapes, is read', () => {
    for (const dims of ['/W 20000 /H 20000', '/Width %c\n 20000 /He#69ght 20000', '/Width 20000 /Height 5 0 R']) {
      const pdf = pdfRaw(`/Type /XObject /Subtype /Image ${dims} /BitsPerComponent 8`, latin1('abc'), 'stream\n', '5 0 obj 20000 endobj\n');
      expect(limitOf(() => checkPdfLimits(pdf)).limit, dims).toBe('maxImagePixels');
    }
  });

  it('an indirect /Length or /Filter does not hide a stream', () => {
    const data = zeros(2 * MiB);
    const pdf = Buffer.concat([
      latin1('%PDF-1.4\n4 0 obj << /Filter 6 0 R /Length 5 0 R >>\nstream\n'),
      data,
      latin1(`\nendstream\nendobj\n5 0 obj ${data.length} endobj\n6 0 obj /FlateDecode endobj\n%%EOF\n`),
    ]);
    expect(limitOf(() => checkPdfLimits(pdf, small({ maxStreamBytes: MiB }))).limit).toBe('maxStreamBytes');
  });

  it('a PDF of more streams than the bound is refused, naming it', () => {
    const many = latin1(`%PDF-1.4\n${'<< >>stream\nx\nendstream\n'.repeat(11)}`);
    expect(limitOf(() => checkPdfLimits(many, small({ maxStreams: 10 }))).message).toBe('The PDF holds more than 10 streams, the limit for an attestation.');
    expect(() => checkPdfLimits(many, small({ maxStreams: 11 }))).not.toThrow();
  });

  it('many streams under the per-stream bound are held to the bound for the whole document', () => {
    const extra = Array.from({ length: 5 }, (_, i) => {
      const data = zeros(MiB / 2);
      return `${10 + i} 0 obj << /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream\nendobj\n`;
    }).join('');
    const pdf = Buffer.concat([pdfWith('', latin1('BT ET')).subarray(0, -6), latin1(extra), latin1('%%EOF\n')]);
    const total = limitOf(() => checkPdfLimits(pdf, small({ maxStreamBytes: MiB, maxDecodedBytes: 2 * MiB })));
    expect(total.limit).toBe('maxDecodedBytes');
    expect(total.message).toBe("The PDF's compressed streams expand past 2 MiB in all, the limit for one document.");
  });

  it('LZW is decoded as pdfjs decodes it: a run of zeros is measured exactly, not by a worst-case ratio', () => {
    const run = lzw(new Uint8Array(MiB));
    expect(run.length).toBeLessThan(4096);
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter /LZWDecode', run), small({ maxStreamBytes: MiB - 1 }))).limit).toBe('maxStreamBytes');
    expect(() => checkPdfLimits(pdfWith('/Filter /LZWDecode', run), small({ maxStreamBytes: MiB }))).not.toThrow();
  });

  it('LZW codes past the table, which pdfjs expands without end, are counted as pdfjs would write them', () => {
    // 65, then 3,000 codes past the table: pdfjs writes 1 + 2 + ... bytes, about 4.5 MB from 4.5 KB.
    const codes = [65, ...Array.from({ length: 3000 }, () => 4095)];
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter /LZWDecode', packCodes(codes)), small({ maxStreamBytes: 4 * MiB }))).limit).toBe('maxStreamBytes');
  });

  it('an LZW page description reads in pdfjs and is measured at its exact decoded length', async () => {
    const content = latin1('BT /F1 12 Tf 72 700 Td (Ciao LZW) Tj ET');
    const pdf = pdfWith('/Filter /LZWDecode', lzw(content));
    expect((await readPdfText(pdf)).text).toContain('Ciao LZW');
    expect(() => checkPdfLimits(pdf, small({ maxContentBytes: content.length }))).not.toThrow();
    expect(limitOf(() => checkPdfLimits(pdf, small({ maxContentBytes: content.length - 1 }))).limit).toBe('maxContentBytes');
  });

  it('RunLength is bounded by its worst case (128 bytes out of 2 in)', () => {
    expect(() => checkPdfLimits(pdfWith('/Filter /RunLengthDecode', new Uint8Array(1000)), small({ maxStreamBytes: 64_000 }))).not.toThrow();
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter /RunLengthDecode', new Uint8Array(1000)), small({ maxStreamBytes: 63_999 }))).limit).toBe('maxStreamBytes');
  });

  it('readPdfText refuses before pdfjs decodes anything: PdfReadError over_limit, the bound in the message', async () => {
    const bomb = pdfWith('/Filter /FlateDecode', zeros(2 * MiB));
    const error = await readPdfText(bomb, small({ maxStreamBytes: MiB })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PdfReadError);
    expect((error as PdfReadError).reason).toBe('over_limit');
    expect((error as PdfReadError).message).toMatch(/expands past 1 MiB/);
  });

  it('through the reader, with the default bounds, a PDF over a bound is an unreadable attestation naming it', async () => {
    const image = '5 0 obj << /Type /XObject /Subtype /Image /Width 20000 /Height 20000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length 3 >>\nstream\nabc\nendstream\nendobj\n';
    const pdf = Buffer.concat([pdfWith('', latin1('q Q')).subarray(0, -6), latin1(image), latin1('%%EOF\n')]);
    const { document } = await readAttestation(pdf);
    expect(document.readError).toBe('The document holds an image of 20000 x 20000 pixels, over the limit of 60000000 pixels per image.');
    // And a stream bomb, with the stream bound lowered: the same path, the same kind of message.
    const bomb = pdfWith('/Filter /FlateDecode', zeros(2 * MiB));
    const { document: bombed } = await readAttestation(bomb, { extractors: { textLayer: pdfTextLayerWithin(small({ maxStreamBytes: MiB })) } });
    expect(bombed.readError).toBe('The PDF holds a compressed stream that expands past 1 MiB, the limit for one stream.');
  });

  it('the sniffer caps each inflation at what is left of its budget', () => {
    const bomb = pdfWith('/Filter /FlateDecode', zeros(2 * MiB));
    const raw = Buffer.from(bomb).toString('latin1');
    const text = pdfObjectsText(bomb, raw, 64 * 1024);
    expect(text.length).toBeLessThan(raw.length + 64 * 1024 + 2);
    expect(sniffAttestationKind(bomb)).toBe('pdf');
  });

  it('a real attestation passes every default bound and reads as before', async () => {
    const pdf = await renderAttestationPdf(demoAttestationValues());
    expect(() => checkPdfLimits(pdf)).not.toThrow();
    expect((await readPdfText(pdf)).text).toContain('Partita IVA');
  });
});

describe('a stream dictionary as pdfjs reads it', () => {
  it('keeps the top-level entries only, unescapes names, skips strings and comments, lets a later key win', () => {
    const entries = topLevelEntries(
      '4 0 obj << /Length 12 /DecodeParms << /F /Crypt /Length 1 >> /Note (a /Filter (nested) \\) /F /X) /Fil#74er [/A85 %c\n /Fl] /Sub#74ype /Im#61ge /Length 13 >>',
    );
    expect([...entries.keys()]).toEqual(['Length', 'DecodeParms', 'Note', 'Filter', 'Subtype']);
    expect(entries.get('Length')?.trim()).toBe('13');
    expect(entries.get('Filter')?.trim()).toBe('[/A85   /Fl]'.replace('   ', ' \n ').replace(' \n ', ' ') === '' ? '' : entries.get('Filter')?.trim());
    expect(entries.get('Filter')).toMatch(/^\s*\[\/A85\s+\/Fl\]\s*$/);
    expect(entries.get('Subtype')?.trim()).toBe('/Image');
    expect(entries.has('F')).toBe(false);
  });
});

describe('the check itself stays linear on hostile text', () => {
  it.each([
    ['a 2 MB run of digits (each start would backtrack over the run)', '1'.repeat(2_000_000)],
    ['5,000 streams without object headers (each dictionary reaching back to the start)', '<< /Length 1 >>stream\nx\nendstream\n'.repeat(5_000)],
    ['100,000 tiny streams (over the stream bound, refused at it)', '<< >>stream\nx\nendstream\n'.repeat(100_000)],
    ['a million BI without ID', 'BI '.repeat(1_000_000)],
    ['50,000 unclosed /Filter arrays', `1 0 obj << ${'/Filter ['.repeat(50_000)} >>\nstream\nx\nendstream\n`],
  ])('%s', (_name, body) => {
    const pdf = latin1(`%PDF-1.4\n${body}\n%%EOF\n`);
    const started = performance.now();
    try {
      checkPdfLimits(pdf);
    } catch (error) {
      if (!(error instanceof DocumentLimitError)) throw error;
    }
    // Minutes before the quantifiers were bounded and dictionaries kept apart; about a second on a busy machine now.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('the sniffer stays linear on hostile text', () => {
  it.each([
    ['a run of 2 million padding characters (base64 check)', latin1(`${'='.repeat(2_000_000)}A`), 'unknown'],
    ['100,000 streams without a dictionary', latin1(`%PDF-1.4\n${'stream\nx\nendstream\n'.repeat(100_000)}`), 'pdf'],
    ['100,000 tiny Flate streams (each a decoder set-up)', latin1(`%PDF-1.4\n${'1 0 obj << /Filter /FlateDecode >>stream\nx\nendstream\n'.repeat(100_000)}`), 'pdf'],
  ] as const)('%s', (_name, bytes, kind) => {
    const started = performance.now();
    expect(sniffAttestationKind(bytes)).toBe(kind);
    // 32 s and 15 s before (a regex and a search back to the file's start, from each position); milliseconds now.
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('encryption', () => {
  it('a PDF encrypted with an empty user password, which pdfjs would decrypt unasked, is unreadable: its streams cannot be measured', async () => {
    const pdf = ownerPasswordPdf(latin1('BT /F1 12 Tf 72 700 Td (Ciao cifrato) Tj ET'));
    const error = await readPdfText(pdf).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'encrypted', message: 'The PDF is encrypted with a password and cannot be read.' });
    // A bomb inside such a PDF: the same, before anything is inflated.
    const { document } = await readAttestation(ownerPasswordPdf(zeros(2 * MiB), '/Filter /FlateDecode'));
    expect(document.readError).toBe('The PDF is encrypted with a password and cannot be read.');
  });
});

describe('pixels', () => {
  it('an image XObject declaring more pixels than the bound is refused', () => {
    const image = '5 0 obj << /Type /XObject /Subtype /Image /Width 20000 /Height 20000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 3 >>\nstream\nabc\nendstream\nendobj\n';
    const pdf = Buffer.concat([pdfWith('', latin1('q Q')).subarray(0, -6), latin1(image), latin1('%%EOF\n')]);
    const refused = limitOf(() => checkPdfLimits(pdf));
    expect(refused.limit).toBe('maxImagePixels');
    expect(refused.message).toBe('The document holds an image of 20000 x 20000 pixels, over the limit of 60000000 pixels per image.');
  });

  it('a JPEG image is held to its own frame header, whatever the dictionary declares', () => {
    const jpeg = jpegHeader(30000, 30000);
    const image = `5 0 obj << /Type /XObject /Subtype /Image /Width 10 /Height 10 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n${Buffer.from(jpeg).toString('latin1')}\nendstream\nendobj\n`;
    const pdf = Buffer.concat([pdfWith('', latin1('q Q')).subarray(0, -6), latin1(image), latin1('%%EOF\n')]);
    expect(limitOf(() => checkPdfLimits(pdf)).message).toMatch(/a JPEG image of 30000 x 30000 pixels/);
  });

  it('an inline image in a content stream is held to the bound', () => {
    const content = deflateSync(latin1('q BI /W 30000 /H 30000 /CS /G /BPC 8 /F /Fl ID xyz EI Q'));
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter /FlateDecode', content))).message).toMatch(/an inline image of 30000 x 30000/);
  });

  it.each([
    ['PNG', pngHeader(20000, 20000), 'scan-png'],
    ['JPEG', jpegHeader(20000, 20000), 'scan-jpeg'],
    ['TIFF (little-endian)', tiffHeader(20000, 20000, true), 'scan-tiff'],
    ['TIFF (big-endian)', tiffHeader(20000, 20000, false), 'scan-tiff'],
  ] as const)('a %s scan over the bound is unreadable before any reader decodes it', async (_name, bytes, kind) => {
    expect(imageSize(bytes)).toEqual({ width: 20000, height: 20000 });
    let called = false;
    const scans: DocumentExtractor = { source: 'ocr', extract: async () => ((called = true), { status: 'no-text', pages: 1 } as Extraction) };
    const outcome = await extractorFor(kind, { scans })!.extract({ kind, bytes });
    expect(called).toBe(false);
    expect(outcome).toEqual({ status: 'unreadable', reason: 'The document holds an image of 20000 x 20000 pixels, over the limit of 60000000 pixels per image.' });
    // The reader turns it into the attestation's read error.
    const { document } = await readAttestation(bytes, { extractors: { scans } });
    expect(document.readError).toMatch(/^The scanned attestation could not be read: The document holds an image of 20000 x 20000 pixels/);
  });

  it('the offline OCR reader refuses it too, without starting its engine', async () => {
    const ocr = new TesseractExtractor();
    expect(await ocr.extract({ kind: 'scan-png', bytes: pngHeader(20000, 20000) })).toMatchObject({ status: 'unreadable', reason: expect.stringMatching(/20000 x 20000/) });
    await ocr.close();
  });

  it('an image within the bound goes to the reader', async () => {
    let called = false;
    const scans: DocumentExtractor = { source: 'ocr', extract: async () => ((called = true), { status: 'no-text', pages: 1 } as Extraction) };
    await extractorFor('scan-png', { scans })!.extract({ kind: 'scan-png', bytes: pngHeader(2480, 3508) });
    expect(called).toBe(true);
  });

  it('reads sizes from real encoders, and the largest page of a multi-page TIFF', async () => {
    const { createCanvas } = await import('@napi-rs/canvas');
    const canvas = createCanvas(123, 45);
    expect(imageSize(await canvas.encode('png'))).toEqual({ width: 123, height: 45 });
    expect(imageSize(await canvas.encode('jpeg'))).toEqual({ width: 123, height: 45 });
    expect(imageSize(tiffHeader(100, 100, true, { width: 9000, height: 9000 }))).toEqual({ width: 9000, height: 9000 });
    expect(imageSize(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});

describe('pages and text items', () => {
  async function pdfOfPages(pages: number, itemsPerPage: number): Promise<Uint8Array> {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (let p = 0; p < pages; p++) {
      const page = doc.addPage([595, 842]);
      for (let i = 0; i < itemsPerPage; i++) page.drawText(`riga ${i}`, { x: 40, y: 800 - i * 12, size: 10, font });
    }
    return doc.save();
  }

  it('a PDF over the page bound is refused, naming it', async () => {
    const error = await readPdfText(await pdfOfPages(4, 1), small({ maxPages: 3 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'over_limit', message: 'The PDF has 4 pages, over the limit of 3 pages for an attestation.' });
    expect((await readPdfText(await pdfOfPages(3, 1), small({ maxPages: 3 }))).pages).toBe(3);
  });

  it('page descriptions over their bound are refused before pdfjs parses them (16 MiB of drawing took 47 s)', async () => {
    const drawing = deflateSync(latin1('0 0 m 1 1 l S\n'.repeat(20_000)));
    const pdf = pdfWith('/Filter /FlateDecode', drawing);
    const error = await readPdfText(pdf, small({ maxContentBytes: 256 * 1024 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'over_limit', message: "The PDF's page descriptions take more than 256 KiB, the limit for an attestation." });
    // Fonts are not page descriptions: a big font file passes.
    const font = `5 0 obj << /Length1 400000 /Filter /FlateDecode /Length ${zeros(400_000).length} >>\nstream\n${zeros(400_000).toString('latin1')}\nendstream\nendobj\n`;
    const withFont = Buffer.concat([pdfWith('', latin1('q Q')).subarray(0, -6), latin1(font), latin1('%%EOF\n')]);
    expect(() => checkPdfLimits(withFont, small({ maxContentBytes: 256 * 1024 }))).not.toThrow();
  });

  it('a page description disguised as a font escapes the page bound, not the bound on every stream but images', () => {
    const drawing = deflateSync(latin1('0 0 m 1 1 l S\n'.repeat(150_000)));
    const pdf = pdfWith('/Length1 1 /Filter /FlateDecode', drawing);
    expect(() => checkPdfLimits(pdf, small({ maxContentBytes: MiB }))).not.toThrow();
    expect(limitOf(() => checkPdfLimits(pdf, small({ maxContentBytes: MiB, maxNonImageBytes: MiB }))).message).toBe(
      "The PDF's streams other than images expand past 1 MiB, the limit for an attestation.",
    );
  });

  it('a read that outlasts the deadline is refused, naming it', async () => {
    // 2 MiB of drawing that calls itself a font: within the default byte bounds, work for pdfjs. The deadline is set
    // below any machine's reading time (1 ms: pdfjs answers through its message channel, never within one turn), so
    // the outcome does not depend on how fast the machine is.
    const drawing = deflateSync(latin1('0 0 m 1 1 l S\n'.repeat(150_000)));
    const error = await readPdfText(pdfWith('/Length1 1 /Filter /FlateDecode', drawing), small({ maxReadMs: 1 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'over_limit', message: 'Reading the PDF took longer than 0.001 s, the limit for an attestation.' });
    // A real attestation reads well within the default deadline.
    expect((await readPdfText(await renderAttestationPdf(demoAttestationValues()))).pages).toBeGreaterThan(0);
  });

  it('text operators over the item bound are refused from the content itself', () => {
    const text = deflateSync(latin1(`BT /F1 10 Tf ${'(a) Tj <0041> Tj [(b) 2 (c)] TJ '.repeat(20)}ET`));
    expect(limitOf(() => checkPdfLimits(pdfWith('/Filter /FlateDecode', text), small({ maxTextItems: 59 }))).limit).toBe('maxTextItems');
    expect(() => checkPdfLimits(pdfWith('/Filter /FlateDecode', text), small({ maxTextItems: 60 }))).not.toThrow();
  });

  it('a PDF over the text item bound is refused, naming it', async () => {
    const pdf = await pdfOfPages(2, 30);
    const error = await readPdfText(pdf, small({ maxTextItems: 50 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'over_limit', message: 'The PDF holds more than 50 text items, the limit for an attestation.' });
    expect((await readPdfText(pdf, small({ maxTextItems: 60 }))).text).toContain('riga 29');
  });
});

function pngHeader(width: number, height: number): Uint8Array {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 0;
  return new Uint8Array(b);
}

/** SOI, an APP0 segment to skip, then SOF0 with the size. */
function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [0xff, 0xc0, 0x00, 0x0b, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

/** A TIFF whose first IFD has the size (SHORT width, LONG height), and optionally a second page. */
function tiffHeader(width: number, height: number, little: boolean, second?: { width: number; height: number }): Uint8Array {
  const b = Buffer.alloc(80);
  const u16 = (v: number, at: number) => (little ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (little ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  b.write(little ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  const ifd = (at: number, w: number, h: number, next: number) => {
    u16(2, at);
    u16(256, at + 2);
    u16(3, at + 4);
    u32(1, at + 6);
    u16(w, at + 10);
    u16(257, at + 14);
    u16(4, at + 16);
    u32(1, at + 18);
    u32(h, at + 22);
    u32(next, at + 26);
  };
  ifd(8, width, height, second ? 40 : 0);
  if (second) ifd(40, second.width, second.height, 0);
  return new Uint8Array(b);
}

function ascii85(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    const chunk = [0, 1, 2, 3].map((k) => data[i + k] ?? 0);
    let n = ((chunk[0]! << 24) | (chunk[1]! << 16) | (chunk[2]! << 8) | chunk[3]!) >>> 0;
    const take = Math.min(4, data.length - i);
    if (n === 0 && take === 4) {
      out += 'z';
      continue;
    }
    const digits: string[] = [];
    for (let k = 0; k < 5; k++) {
      digits.unshift(String.fromCharCode(33 + (n % 85)));
      n = Math.floor(n / 85);
    }
    out += digits.slice(0, take + 1).join('');
  }
  return out;
}

/** PDF LZW (EarlyChange 1), codes written MSB first: the width grows when the decoder's next code reaches 2^n - 1. */
function packCodes(codes: number[], widths?: number[]): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  codes.forEach((code, i) => {
    const width = widths?.[i] ?? Math.min(12, Math.max(9, Math.floor(Math.log2(258 + i)) + 1));
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  });
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Uint8Array.from(out);
}

function lzw(data: Uint8Array): Uint8Array {
  const codes: number[] = [];
  const widths: number[] = [];
  // (prefix code, byte) -> code
  let table = new Map<number, number>();
  let next = 258;
  let width = 9;
  const reset = () => {
    table = new Map();
    next = 258;
    width = 9;
  };
  const emit = (code: number) => {
    codes.push(code);
    widths.push(width);
  };
  reset();
  emit(256);
  let w = -1;
  for (const byte of data) {
    if (w < 0) {
      w = byte;
      continue;
    }
    const known = table.get(w * 256 + byte);
    if (known !== undefined) {
      w = known;
      continue;
    }
    emit(w);
    table.set(w * 256 + byte, next++);
    width = next >= 2048 ? 12 : next >= 1024 ? 11 : next >= 512 ? 10 : 9;
    w = byte;
    if (next >= 4000) {
      emit(256);
      reset();
    }
  }
  if (w >= 0) emit(w);
  emit(257);
  return packCodes(codes, widths);
}

/** RC4, for the standard security handler of ISO 32000-1 (7.6.2). */
function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const S = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + S[i]! + key[i % key.length]!) & 0xff;
    [S[i], S[j]] = [S[j]!, S[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + S[i]!) & 0xff;
    [S[i], S[j]] = [S[j]!, S[i]!];
    out[n] = data[n]! ^ S[(S[i]! + S[j]!) & 0xff]!;
  }
  return out;
}

/**
 * A one-page PDF under the standard security handler (V 1, R 2, RC4 40-bit) with an empty user password and an owner
 * password: what "protected against editing" PDFs are. Readers decrypt it without asking anyone.
 */
function ownerPasswordPdf(content: Uint8Array, contentFilter = ''): Uint8Array {
  const md5 = (...parts: Uint8Array[]) => new Uint8Array(createHash('md5').update(Buffer.concat(parts)).digest());
  const PAD = Uint8Array.from(Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex'));
  const id = Uint8Array.from(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
  const P = -4;
  const pBytes = new Uint8Array(4);
  new DataView(pBytes.buffer).setInt32(0, P, true);
  const ownerPad = Buffer.concat([Buffer.from('owner'), PAD]).subarray(0, 32);
  const O = rc4(md5(ownerPad).subarray(0, 5), PAD);
  const key = md5(PAD, O, pBytes, id).subarray(0, 5);
  const U = rc4(key, PAD);
  const objectKey = (n: number) => md5(key, Uint8Array.of(n & 0xff, (n >> 8) & 0xff, n >> 16, 0, 0)).subarray(0, 10);
  const body = rc4(objectKey(4), content);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return Buffer.concat([
    latin1(
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
        '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n' +
        '5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n' +
        `6 0 obj << /Filter /Standard /V 1 /R 2 /O <${hex(O)}> /U <${hex(U)}> /P ${P} >> endobj\n` +
        `4 0 obj << ${contentFilter} /Length ${body.length} >>\nstream\n`,
    ),
    body,
    latin1(`\nendstream\nendobj\ntrailer << /Root 1 0 R /Encrypt 6 0 R /ID [<${hex(id)}> <${hex(id)}>] >>\n%%EOF\n`),
  ]);
}
