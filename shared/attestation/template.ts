import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { fieldLabels } from './labels.js';
import { attestationFieldNames, type AttestationFieldName } from './model.js';

export interface RenderOptions {
  language?: 'it' | 'en';
  /** 'same-line': `Label: value`; 'next-line': `Label:` with the value on the line below. */
  layout?: 'same-line' | 'next-line';
  title?: string;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const BODY_SIZE = 10;
const MIN_VALUE_SIZE = 4;
const VALUE_COLUMN = 230;

const texts = {
  it: {
    title: 'Dichiarazione di provenienza lecita dei dati di contatto',
    subtitle: 'ai sensi degli artt. 6, 7 e 28 del Regolamento (UE) 2016/679 (GDPR) e del DPR 26/2022',
    preamble:
      'Il sottoscritto, legale rappresentante del titolare del trattamento indicato di seguito, dichiara sotto la ' +
      'propria responsabilità che i dati di contatto della lista identificata dall’impronta SHA-256 qui riportata ' +
      'sono stati raccolti lecitamente sulla base giuridica indicata (art. 6 GDPR) e che, ove la base sia il ' +
      'consenso, il titolare è in grado di dimostrarlo (art. 7 GDPR); che il call center incaricato tratta i dati ' +
      'in qualità di responsabile del trattamento (art. 28 GDPR); che la lista è stata verificata presso il ' +
      'Registro pubblico delle opposizioni alla data indicata (DPR 26/2022: la verifica vale 15 giorni).',
    signature: 'Firma del legale rappresentante (firma digitale): ________________________________',
  },
  en: {
    title: 'Declaration of lawful provenance of contact data',
    subtitle: 'under articles 6, 7 and 28 of Regulation (EU) 2016/679 (GDPR) and Italian DPR 26/2022',
    preamble:
      'The undersigned, legal representative of the data controller named below, declares under their own ' +
      'responsibility that the contact data in the list identified by the SHA-256 digest given here were lawfully ' +
      'collected on the stated legal basis (GDPR art. 6) and that, where the basis is consent, the controller can ' +
      'prove it (GDPR art. 7); that the call centre named here processes the data as a processor (GDPR art. 28); ' +
      'and that the list was checked against the Italian Registro pubblico delle opposizioni on the stated date ' +
      '(DPR 26/2022: a check is valid for 15 days).',
    signature: 'Signature of the legal representative (digital signature): ____________________________',
  },
} as const;

/**
 * The attestation form (docs/attestation-format.md) as an A4 PDF: one `Label: value` line per field, unknown values
 * left blank to fill in. Read back by readAttestation, it gives the same fields (the round trip is tested).
 */
export async function renderAttestationPdf(
  values: Partial<Record<AttestationFieldName, string>>,
  options: RenderOptions = {},
): Promise<Uint8Array> {
  const language = options.language ?? 'it';
  const layout = options.layout ?? 'same-line';
  const t = texts[language];
  const doc = await PDFDocument.create();
  doc.setTitle(options.title ?? t.title);
  doc.setCreator('Filiera');
  doc.setProducer('Filiera');
  doc.setLanguage(language === 'it' ? 'it-IT' : 'en-GB');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage(A4);
  const width = A4[0] - 2 * MARGIN;
  let y = A4[1] - MARGIN;

  const write = (line: string, font: PDFFont, size: number, x = MARGIN, target: PDFPage = page): void => {
    target.drawText(winAnsi(line, font), { x, y, size, font, color: rgb(0, 0, 0) });
  };

  for (const line of wrap(options.title ?? t.title, bold, 15, width)) {
    write(line, bold, 15);
    y -= 20;
  }
  for (const line of wrap(t.subtitle, regular, 9, width)) {
    write(line, regular, 9);
    y -= 12;
  }
  y -= 10;
  for (const line of wrap(t.preamble, regular, 9, width)) {
    write(line, regular, 9);
    y -= 12;
  }
  y -= 14;

  for (const field of attestationFieldNames) {
    const label = `${fieldLabels[field][language]}:`;
    const value = (values[field] ?? '').replace(/\s+/g, ' ').trim();
    write(label, bold, BODY_SIZE);
    if (layout === 'same-line') {
      // The value stands in its own column; a long value is set smaller rather than wrapped, so it stays one line.
      if (value !== '') {
        const afterLabel = MARGIN + bold.widthOfTextAtSize(label, BODY_SIZE) + 8;
        let x = Math.max(VALUE_COLUMN, afterLabel);
        // Too long for the column: start right after the label and use the whole line.
        if (regular.widthOfTextAtSize(winAnsi(value, regular), BODY_SIZE) > A4[0] - MARGIN - x) x = afterLabel;
        write(value, regular, fitSize(value, regular, A4[0] - MARGIN - x), x);
      }
      y -= 18;
    } else {
      y -= 14;
      if (value !== '') write(value, regular, fitSize(value, regular, width - 14), MARGIN + 14);
      y -= 18;
    }
  }

  y -= 24;
  write(t.signature, regular, BODY_SIZE);
  return doc.save();
}

function fitSize(text: string, font: PDFFont, width: number): number {
  const natural = font.widthOfTextAtSize(winAnsi(text, font), BODY_SIZE);
  if (natural <= width) return BODY_SIZE;
  return Math.max(MIN_VALUE_SIZE, Math.floor(((BODY_SIZE * width) / natural) * 10) / 10);
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && font.widthOfTextAtSize(winAnsi(candidate, font), size) > width) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * The standard fonts speak WinAnsi (à è ì ò ù ’ € are in it). Anything else loses its accent if that helps,
 * otherwise becomes '?', rather than failing the whole document.
 */
function winAnsi(text: string, font: PDFFont): string {
  let out = '';
  for (const ch of text) {
    if (encodes(font, ch)) out += ch;
    else {
      const bare = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += bare !== '' && [...bare].every((c) => encodes(font, c)) ? bare : '?';
    }
  }
  return out;
}

const encodable = new Map<string, boolean>();
function encodes(font: PDFFont, ch: string): boolean {
  let ok = encodable.get(ch);
  if (ok === undefined) {
    try {
      font.encodeText(ch);
      ok = true;
    } catch {
      ok = false;
    }
    encodable.set(ch, ok);
  }
  return ok;
}
