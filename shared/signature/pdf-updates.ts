/**
 * What a PDF may gain after a signature (docs/verdict-rules.md; PAdES, ETSI EN 319 142-1 5.4): incremental updates
 * that add validation data (/DSS, /VRI), RFC 3161 document timestamps, or a further signature (its field and
 * widget). Anything else written after the signed revision is not signed and must not be trusted.
 *
 * 1. The bytes after the signed revision must be whole incremental updates: objects, cross-reference sections and
 *    trailers (comments between them allowed), each ending with %%EOF. Stray bytes (junk, a comment after the last
 *    %%EOF) are unsigned content.
 * 2. The signed revision and the whole file are parsed (pdf-lib) and compared object by object: an object whose
 *    number already existed and whose content changed must be one of the few a signer's tool may touch (the
 *    catalog's /DSS, /AcroForm, /Extensions and /Version; the form's field list; a page's annotation list, grown by
 *    signature widgets; a signature field being filled; the document information and XMP metadata). Content that is
 *    only rewritten (keys reordered, a string as hex, a reference to an identical copy) is not a change. New objects
 *    are harmless unless something that was signed points to them, which the same comparison catches; a new page
 *    tree or page is refused outright; a trailer naming a new catalog object is judged as a change of the old one.
 */
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, PDFStream, PDFString, type PDFObject } from 'pdf-lib';
import type { PadesSignatureField } from './model.js';
import { bi, type Bilingual } from './text.js';

export interface UpdatesOutcome {
  problems: Bilingual[];
  /** What the updates added, as a phrase ("validation data (/DSS) and 1 document timestamp"). */
  added: Bilingual;
}

/**
 * Catalog keys a signer's tool may add or change after a signature. /Version is the PDF version the writer declares
 * (tools adding /DSS raise it to 1.7 or 2.0): it shows nothing.
 */
const CATALOG_KEYS = new Set(['DSS', 'AcroForm', 'Extensions', 'Version']);
const ACROFORM_KEYS = new Set(['Fields', 'SigFlags', 'DR', 'DA']);
const SIGNATURE_FIELD_KEYS = new Set(['V', 'AP', 'AS']);
/** Objects compared before giving up (docs/limits-and-retention.md: bounded work per document). */
const MAX_OBJECTS = 200_000;

export async function checkUpdatesAfter(file: Uint8Array, revisionEnd: number, later: PadesSignatureField[]): Promise<UpdatesOutcome> {
  const problems: Bilingual[] = [];
  const tail = Buffer.from(file.buffer, file.byteOffset + revisionEnd, file.length - revisionEnd).toString('latin1');
  const head = Buffer.from(file.buffer, file.byteOffset + Math.max(0, revisionEnd - 64), Math.min(64, revisionEnd)).toString('latin1');
  const unsigned = bi(
    `${file.length - revisionEnd} bytes after offset ${revisionEnd} were added after signing and are not signed`,
    `${file.length - revisionEnd} byte dopo l'offset ${revisionEnd} sono stati aggiunti dopo la firma e non sono firmati`,
  );
  if (!/%%EOF\s*$/.test(head)) {
    return { problems: [bi(`the signed bytes end at offset ${revisionEnd}, not at the end of a revision (%%EOF)`, `i byte firmati terminano all'offset ${revisionEnd}, non alla fine di una revisione (%%EOF)`), unsigned], added: nothing };
  }
  const stray = strayBytes(tail);
  if (stray !== null) {
    return {
      problems: [unsigned, bi(`what starts at offset ${revisionEnd + stray} is not part of an incremental update`, `ciò che inizia all'offset ${revisionEnd + stray} non fa parte di un aggiornamento incrementale`)],
      added: nothing,
    };
  }

  let before: PDFDocument;
  let after: PDFDocument;
  try {
    const options = { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false };
    before = await PDFDocument.load(file.subarray(0, revisionEnd), options);
    after = await wholeFile(file);
  } catch (error) {
    return { problems: [unsigned, bi(`the update after signing cannot be read (${(error as Error).message})`, `l'aggiornamento successivo alla firma non è leggibile (${(error as Error).message})`)], added: nothing };
  }

  const r: Revisions = { before, after, budget: { left: MAX_EQUIVALENCE_STEPS } };
  const rootBefore = before.context.trailerInfo.Root;
  const rootAfter = after.context.trailerInfo.Root;
  const replaced = bi('an update after signing replaced the document catalog', 'un aggiornamento successivo alla firma ha sostituito il catalogo del documento');
  if (!(rootBefore instanceof PDFRef) || !(rootAfter instanceof PDFRef)) return { problems: [replaced], added: nothing };
  const catalogBefore = before.context.lookup(rootBefore);
  const acroFormRefBefore = catalogBefore instanceof PDFDict ? catalogBefore.get(PDFName.of('AcroForm')) : undefined;
  const acroFormBefore = acroFormRefBefore instanceof PDFRef ? before.context.lookup(acroFormRefBefore) : acroFormRefBefore;
  // The form's field list, when it is an object of its own (Adobe's writers): it may grow by signature fields.
  const fieldsRefBefore = acroFormBefore instanceof PDFDict ? acroFormBefore.get(PDFName.of('Fields')) : undefined;
  const infoRef = after.context.trailerInfo.Info;
  const metadataRef = catalogBefore instanceof PDFDict ? catalogBefore.get(PDFName.of('Metadata')) : undefined;
  const dssBefore = reachable(before, catalogBefore instanceof PDFDict ? catalogBefore.get(PDFName.of('DSS')) : undefined);
  const catalogAfter = after.context.lookup(rootAfter);
  const dssAfter = reachable(after, catalogAfter instanceof PDFDict ? catalogAfter.get(PDFName.of('DSS')) : undefined);
  if (rootAfter !== rootBefore) {
    // A catalog written as a new object (some tools renumber it with the /DSS): judged as a change of the old one.
    if (!(catalogBefore instanceof PDFDict) || !(catalogAfter instanceof PDFDict) || typeOf(catalogAfter) !== 'Catalog') return { problems: [replaced], added: nothing };
    problems.push(...catalogChange(catalogBefore, catalogAfter, r));
  }

  const objects = after.context.enumerateIndirectObjects();
  if (objects.length > MAX_OBJECTS) {
    return { problems: [bi(`the PDF has more than ${MAX_OBJECTS} objects: its updates were not compared`, `il PDF ha più di ${MAX_OBJECTS} oggetti: i suoi aggiornamenti non sono stati confrontati`)], added: nothing };
  }
  const changed = new Set<string>();
  let newSignatures = 0;
  for (const [ref, object] of objects) {
    const old = before.context.lookup(ref);
    const name = `${ref.objectNumber} ${ref.generationNumber} R`;
    if (old === undefined) {
      const type = typeOf(object);
      if (type === 'Sig' || type === 'DocTimeStamp') newSignatures += 1;
      if ((type === 'Catalog' && ref !== rootAfter) || type === 'Pages' || type === 'Page') {
        problems.push(bi(`an update after signing added a new /${type} (object ${name})`, `un aggiornamento successivo alla firma ha aggiunto un nuovo /${type} (oggetto ${name})`));
      }
      continue;
    }
    // The same content rewritten (keys reordered, a string as hex, a reference to an identical copy) is no change.
    if (equivalent(old, object, r, 0)) continue;
    changed.add(name);
    if (ref === rootBefore) {
      problems.push(...(ref === rootAfter ? catalogChange(old, object, r) : [replaced]));
    } else if (ref === acroFormRefBefore) {
      problems.push(...acroFormChange(old, object, r));
    } else if (ref === infoRef || ref === metadataRef) {
      continue; // document information and XMP metadata: signing tools rewrite the modification date
    } else if (dssBefore.has(ref) || (dssAfter.has(ref) && typeOf(old) === 'VRI')) {
      continue; // validation data grown by a later long-term-validation update
    } else if (typeOf(old) === 'Page' || typeOf(object) === 'Page') {
      problems.push(...pageChange(old, object, name, r));
    } else if (old instanceof PDFArray && object instanceof PDFArray && isAnnotsArray(before, ref)) {
      problems.push(...listGrowth(old, object, after, 'annotation', name));
    } else if (old instanceof PDFArray && object instanceof PDFArray && ref === fieldsRefBefore) {
      problems.push(...listGrowth(old, object, after, 'field', 'the form fields'));
    } else if (isSignatureField(old)) {
      const keys = object instanceof PDFDict ? changedKeys(old as PDFDict, object, r) : [];
      const other = keys.filter((k) => !SIGNATURE_FIELD_KEYS.has(k));
      if (other.length > 0 || !(object instanceof PDFDict)) {
        problems.push(bi(`an update after signing changed the signature field ${name} beyond filling it (${other.join(', ')})`, `un aggiornamento successivo alla firma ha modificato il campo firma ${name} oltre a compilarlo (${other.join(', ')})`));
      }
    } else {
      const type = typeOf(old);
      problems.push(bi(
        `an update after signing changed object ${name}${type ? ` (/${type})` : ''}, which is neither validation data nor a signature`,
        `un aggiornamento successivo alla firma ha modificato l'oggetto ${name}${type ? ` (/${type})` : ''}, che non è né un dato di validazione né una firma`,
      ));
    }
  }
  // A signature added after this one must be one the verifier found and checks (docs/verdict-rules.md: itself verified); one it
  // cannot locate (a /ByteRange by reference, a dictionary inside an object stream) is not vouched for.
  if (newSignatures > later.length) {
    problems.push(bi(
      `${newSignatures - later.length} signature dictionary(ies) added after signing could not be located and verified`,
      `${newSignatures - later.length} dizionari di firma aggiunti dopo la firma non sono stati individuati e verificati`,
    ));
  }
  return { problems, added: describeAdded(dssAfter.size > 0 && (dssBefore.size === 0 || changed.size > 0), later) };
}

const nothing = bi('nothing', 'nulla');

/**
 * The whole file parsed once for all its signatures and its /DSS (a file with 24 signatures parsed it 49 times: 13 s).
 * Only read from, never changed.
 */
const parsed = new WeakMap<Uint8Array, Promise<PDFDocument>>();
function wholeFile(file: Uint8Array): Promise<PDFDocument> {
  let doc = parsed.get(file);
  if (!doc) {
    doc = PDFDocument.load(file, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
    parsed.set(file, doc);
  }
  return doc;
}

function describeAdded(dss: boolean, later: PadesSignatureField[]): Bilingual {
  const timestamps = later.filter((f) => f.kind === 'document-timestamp').length;
  const signatures = later.length - timestamps;
  const en: string[] = [];
  const it: string[] = [];
  if (dss) {
    en.push('validation data (/DSS)');
    it.push('dati di validazione (/DSS)');
  }
  if (timestamps) {
    en.push(`${timestamps} document timestamp(s)`);
    it.push(`${timestamps} marca/marche temporali del documento`);
  }
  if (signatures) {
    en.push(`${signatures} further signature(s), each verified on its own`);
    it.push(`${signatures} ulteriore/i firma/e, ciascuna verificata a sé`);
  }
  if (en.length === 0) return bi('updates that change no signed content', 'aggiornamenti che non modificano alcun contenuto firmato');
  return bi(en.join(', '), it.join(', '));
}

/**
 * Offset in `tail` of the first byte that is not part of an incremental update, or null when all of it is:
 * whitespace and comments, "N G obj ... endobj", "xref ... trailer << >>", "startxref N %%EOF", and it ends with
 * %%EOF.
 */
export function strayBytes(tail: string): number | null {
  let at = 0;
  let sawEof = false;
  /** Where the comments skipped since the last token began: a comment after the last %%EOF is still stray bytes. */
  let comment: number | null = null;
  const lineEnd = /[\r\n]/g;
  const skipSpace = () => {
    for (;;) {
      while (at < tail.length && /[\s\0]/.test(tail[at]!)) at++;
      if (tail[at] !== '%') return;
      // A comment (iText writes its version line before startxref): to the end of its line.
      comment ??= at;
      sawEof = false;
      lineEnd.lastIndex = at;
      at = lineEnd.exec(tail)?.index ?? tail.length;
    }
  };
  for (;;) {
    skipSpace();
    if (at >= tail.length) return sawEof ? null : (comment ?? at);
    comment = null;
    sawEof = false;
    const rest = tail.slice(at, at + 40);
    const object = /^\d+\s+\d+\s+obj\b/.exec(rest);
    if (object) {
      const streamAt = tail.indexOf('stream', at);
      const endObj = tail.indexOf('endobj', at);
      if (endObj < 0) return at;
      let end = endObj;
      if (streamAt >= 0 && streamAt < endObj && tail.slice(streamAt - 3, streamAt) !== 'end') {
        const endStream = tail.indexOf('endstream', streamAt);
        if (endStream < 0) return at;
        end = tail.indexOf('endobj', endStream);
        if (end < 0) return at;
      }
      at = end + 'endobj'.length;
      continue;
    }
    if (rest.startsWith('xref')) {
      const trailer = tail.indexOf('trailer', at);
      const startxref = tail.indexOf('startxref', at);
      if (trailer < 0 || startxref < 0 || startxref < trailer) return at;
      // Between xref and trailer: subsection headers and 20-byte entries only.
      if (!isXrefTable(tail.slice(at + 'xref'.length, trailer))) return at;
      // The trailer dictionary, then perhaps comments (iText's, again) before startxref.
      const dict = tail.slice(trailer + 'trailer'.length, startxref).replace(/(?:\s*%[^\r\n]*)+\s*$/, '').trim();
      if (!dict.startsWith('<<') || !dict.endsWith('>>')) return at;
      at = startxref;
      continue;
    }
    const end = /^startxref\s+\d+\s+%%EOF/.exec(rest);
    if (end) {
      at += end[0].length;
      sawEof = true;
      continue;
    }
    return at;
  }
}

/** "start count" subsection headers, each followed by `count` entries "0000000000 00000 n": read token by token. */
function isXrefTable(text: string): boolean {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  let i = 0;
  while (i < tokens.length) {
    const start = tokens[i++];
    const count = tokens[i++];
    if (!start || !count || !/^\d+$/.test(start) || !/^\d+$/.test(count)) return false;
    for (let n = Number(count); n > 0; n--) {
      const [offset, generation, kind] = [tokens[i++], tokens[i++], tokens[i++]];
      if (!offset || !/^\d{10}$/.test(offset) || !generation || !/^\d{5}$/.test(generation) || (kind !== 'n' && kind !== 'f')) return false;
    }
  }
  return true;
}

function same(a: PDFObject, b: PDFObject): boolean {
  if (a === b) return true;
  if (a instanceof PDFRawStream && b instanceof PDFRawStream) {
    return a.dict.toString() === b.dict.toString() && Buffer.from(a.contents).equals(Buffer.from(b.contents));
  }
  if (a instanceof PDFStream || b instanceof PDFStream) return false;
  return a.toString() === b.toString();
}

function typeOf(object: PDFObject | undefined): string | undefined {
  const dict = object instanceof PDFDict ? object : object instanceof PDFStream ? object.dict : undefined;
  const type = dict?.get(PDFName.of('Type'));
  return type instanceof PDFName ? type.asString().slice(1) : undefined;
}

/**
 * Keys of a dictionary whose value changed from `old` (in the signed revision) to `now` (in the whole file). A value
 * that now points to another object with the same content is not a change: writers of later revisions (SecCommerce
 * adding a document timestamp, for one) rewrite a page's /Resources as a fresh copy, which changes nothing shown.
 */
function changedKeys(old: PDFDict, now: PDFDict, r: Revisions): string[] {
  const keys = new Set([...old.keys(), ...now.keys()].map((k) => k.asString().slice(1)));
  return [...keys].filter((k) => {
    const a = old.get(PDFName.of(k));
    const b = now.get(PDFName.of(k));
    if (a === undefined || b === undefined) return a !== b;
    return !equivalent(a, b, r, 0);
  });
}

/** The signed revision and the whole file, and what is left of the comparison's bound. */
interface Revisions {
  before: PDFDocument;
  after: PDFDocument;
  budget: { left: number };
}

/**
 * Values compared (over one file's comparison), and reference levels followed, when deciding that two values have the
 * same content (docs/limits-and-retention.md: bounded work per document). Past the bound, values count as changed.
 */
const MAX_EQUIVALENCE_STEPS = 1_000_000;
const MAX_EQUIVALENCE_DEPTH = 16;

/**
 * Whether `a` (read in the signed revision) and `b` (read in the whole file) have the same content: the same value
 * (a string compared by its bytes, however it is written), or references to objects whose contents are, followed
 * through references a bounded number of times. A reference to
 * the same object number counts as the same: if that object itself changed, the comparison of objects judges it.
 */
function equivalent(a: PDFObject, b: PDFObject, r: Revisions, depth: number): boolean {
  if (same(a, b)) return true;
  r.budget.left -= 1;
  if (r.budget.left < 0 || depth > MAX_EQUIVALENCE_DEPTH) return false;
  const x = a instanceof PDFRef ? r.before.context.lookup(a) : a;
  const y = b instanceof PDFRef ? r.after.context.lookup(b) : b;
  if (x === undefined || y === undefined || x instanceof PDFRef || y instanceof PDFRef) return false;
  const next = depth + (a instanceof PDFRef || b instanceof PDFRef ? 1 : 0);
  if (x instanceof PDFRawStream && y instanceof PDFRawStream) {
    return Buffer.from(x.contents).equals(Buffer.from(y.contents)) && equivalent(x.dict, y.dict, r, next);
  }
  if (x instanceof PDFStream || y instanceof PDFStream) return false;
  if (x instanceof PDFDict && y instanceof PDFDict) {
    const entries = x.entries();
    if (entries.length !== y.keys().length) return false;
    return entries.every(([key, value]) => {
      const other = y.get(key);
      return other !== undefined && equivalent(value, other, r, next);
    });
  }
  if (x instanceof PDFArray && y instanceof PDFArray) {
    return x.size() === y.size() && x.asArray().every((item, i) => equivalent(item, y.get(i), r, next));
  }
  // The same text written as a literal (…) or a hex <…> string, or with other escapes.
  if ((x instanceof PDFString || x instanceof PDFHexString) && (y instanceof PDFString || y instanceof PDFHexString)) {
    return Buffer.from(x.asBytes()).equals(Buffer.from(y.asBytes()));
  }
  return same(x, y);
}

function catalogChange(old: PDFObject, now: PDFObject, r: Revisions): Bilingual[] {
  const { before, after } = r;
  if (!(old instanceof PDFDict) || !(now instanceof PDFDict)) return [bi('an update after signing replaced the document catalog', 'un aggiornamento successivo alla firma ha sostituito il catalogo del documento')];
  const problems: Bilingual[] = [];
  const other = changedKeys(old, now, r).filter((k) => !CATALOG_KEYS.has(k) && k !== 'Metadata');
  if (other.length > 0) {
    problems.push(bi(`an update after signing changed the document catalog (${other.map((k) => `/${k}`).join(', ')})`, `un aggiornamento successivo alla firma ha modificato il catalogo del documento (${other.map((k) => `/${k}`).join(', ')})`));
  }
  const oldForm = old.get(PDFName.of('AcroForm'));
  const newForm = now.get(PDFName.of('AcroForm'));
  if (newForm instanceof PDFDict && !(oldForm instanceof PDFRef)) {
    // An interactive form written inline in the catalog.
    const previous = oldForm instanceof PDFDict ? oldForm : before.context.obj({});
    problems.push(...acroFormChange(previous, newForm, r));
  } else if (oldForm instanceof PDFRef && newForm !== oldForm) {
    const previous = before.context.lookup(oldForm);
    const next = newForm instanceof PDFRef ? after.context.lookup(newForm) : newForm;
    if (previous && next) problems.push(...acroFormChange(previous, next, r));
  }
  return problems;
}

function acroFormChange(old: PDFObject, now: PDFObject, r: Revisions): Bilingual[] {
  const { after } = r;
  if (!(old instanceof PDFDict) || !(now instanceof PDFDict)) return [bi('an update after signing replaced the interactive form', "un aggiornamento successivo alla firma ha sostituito il modulo interattivo")];
  const problems: Bilingual[] = [];
  const other = changedKeys(old, now, r).filter((k) => !ACROFORM_KEYS.has(k));
  if (other.length > 0) {
    problems.push(bi(`an update after signing changed the interactive form (${other.map((k) => `/${k}`).join(', ')})`, `un aggiornamento successivo alla firma ha modificato il modulo interattivo (${other.map((k) => `/${k}`).join(', ')})`));
  }
  const oldFields = resolveArray(old.get(PDFName.of('Fields')), r.before) ?? PDFArray.withContext(after.context);
  const newFields = resolveArray(now.get(PDFName.of('Fields')), after) ?? PDFArray.withContext(after.context);
  problems.push(...listGrowth(oldFields, newFields, after, 'field', 'the form fields'));
  return problems;
}

function pageChange(old: PDFObject, now: PDFObject, name: string, r: Revisions): Bilingual[] {
  const { before, after } = r;
  if (!(old instanceof PDFDict) || !(now instanceof PDFDict)) return [bi(`an update after signing replaced page ${name}`, `un aggiornamento successivo alla firma ha sostituito la pagina ${name}`)];
  const other = changedKeys(old, now, r).filter((k) => k !== 'Annots');
  if (other.length > 0) {
    return [bi(`an update after signing changed page ${name} (${other.map((k) => `/${k}`).join(', ')})`, `un aggiornamento successivo alla firma ha modificato la pagina ${name} (${other.map((k) => `/${k}`).join(', ')})`)];
  }
  const oldAnnots = resolveArray(old.get(PDFName.of('Annots')), before) ?? PDFArray.withContext(before.context);
  const newAnnots = resolveArray(now.get(PDFName.of('Annots')), after) ?? PDFArray.withContext(after.context);
  return listGrowth(oldAnnots, newAnnots, after, 'annotation', `page ${name}`);
}

/** An annotation or field list may only grow, and only by signature fields/widgets, keeping its items' order. */
function listGrowth(old: PDFArray, now: PDFArray, after: PDFDocument, what: 'annotation' | 'field', where: string): Bilingual[] {
  const oldItems = old.asArray().map((o) => o.toString());
  const newItems = now.asArray();
  // Every item kept, in its order; the new ones may stand anywhere (some tools put a new field first).
  const added: PDFObject[] = [];
  let kept = 0;
  for (const item of newItems) {
    if (kept < oldItems.length && item.toString() === oldItems[kept]) kept += 1;
    else added.push(item);
  }
  if (kept < oldItems.length) {
    return [bi(`an update after signing removed or reordered the ${what}s of ${where}`, `un aggiornamento successivo alla firma ha rimosso o riordinato ${what === 'field' ? 'i campi' : 'le annotazioni'} di ${where}`)];
  }
  const notSignature = added.filter((item) => !isSignatureField(item instanceof PDFRef ? after.context.lookup(item) : item));
  if (notSignature.length > 0) {
    return [bi(
      `an update after signing added ${notSignature.length} ${what}(s) to ${where} that are not signature fields (${notSignature.map((o) => o.toString()).join(', ')})`,
      `un aggiornamento successivo alla firma ha aggiunto a ${where} ${notSignature.length} ${what === 'field' ? 'campi' : 'annotazioni'} che non sono campi firma (${notSignature.map((o) => o.toString()).join(', ')})`,
    )];
  }
  return [];
}

function isSignatureField(object: PDFObject | undefined): boolean {
  if (!(object instanceof PDFDict)) return false;
  const ft = object.get(PDFName.of('FT'));
  if (ft instanceof PDFName && ft.asString() === '/Sig') return true;
  // A widget whose parent field is a signature field.
  const parent = object.get(PDFName.of('Parent'));
  const parentDict = parent instanceof PDFRef ? object.context.lookup(parent) : parent;
  if (parentDict instanceof PDFDict) {
    const pft = parentDict.get(PDFName.of('FT'));
    return pft instanceof PDFName && pft.asString() === '/Sig';
  }
  return false;
}

function resolveArray(value: PDFObject | undefined, doc: PDFDocument): PDFArray | undefined {
  const resolved = value instanceof PDFRef ? doc.context.lookup(value) : value;
  return resolved instanceof PDFArray ? resolved : undefined;
}

function isAnnotsArray(doc: PDFDocument, ref: PDFRef): boolean {
  return doc.getPages().some((page) => page.node.get(PDFName.of('Annots')) === ref);
}

/** Every object reachable from `start` (bounded): the DSS and what it holds. */
function reachable(doc: PDFDocument, start: PDFObject | undefined): Set<PDFRef> {
  const seen = new Set<PDFRef>();
  const stack: PDFObject[] = start ? [start] : [];
  while (stack.length > 0 && seen.size < 100_000) {
    const item = stack.pop()!;
    if (item instanceof PDFRef) {
      if (seen.has(item)) continue;
      seen.add(item);
      const target = doc.context.lookup(item);
      if (target) stack.push(target);
    } else if (item instanceof PDFDict) {
      for (const [, value] of item.entries()) stack.push(value);
    } else if (item instanceof PDFArray) {
      stack.push(...item.asArray());
    } else if (item instanceof PDFStream) {
      stack.push(item.dict);
    }
  }
  return seen;
}

/** Bytes one /DSS stream may inflate to (docs/limits-and-retention.md): a CRL of a large CA is a few megabytes. */
const MAX_DSS_STREAM = 32 * 1024 * 1024;

/**
 * The certificates, CRLs and OCSP responses of the PDF's Document Security Store (PAdES long-term validation data), as DER. Streams
 * that cannot be read, or inflate beyond the bound, are left out.
 */
export async function readDss(file: Uint8Array): Promise<{ certificates: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] }> {
  const empty = { certificates: [], crls: [], ocsps: [] };
  if (!Buffer.from(file.buffer, file.byteOffset, file.length).includes('/DSS')) return empty;
  let doc: PDFDocument;
  try {
    doc = await wholeFile(file);
  } catch {
    return empty;
  }
  const dss = doc.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  if (!dss) return empty;
  const streams = (key: string): Uint8Array[] => {
    const list = dss.lookupMaybe(PDFName.of(key), PDFArray);
    if (!list) return [];
    return list.asArray().flatMap((item) => {
      const stream = item instanceof PDFRef ? doc.context.lookup(item) : item;
      if (!(stream instanceof PDFRawStream)) return [];
      // /Filter is a name or an array of names (Belgian eID signing tools write [/FlateDecode]); only Flate is read.
      const filter = stream.dict.get(PDFName.of('Filter'));
      const filters = filter === undefined ? [] : filter instanceof PDFArray ? filter.asArray() : [filter];
      if (!filters.every((f) => f instanceof PDFName && f.asString() === '/FlateDecode')) return [];
      try {
        let bytes = new Uint8Array(stream.contents);
        for (let n = 0; n < filters.length; n++) bytes = new Uint8Array(inflateSync(bytes, { maxOutputLength: MAX_DSS_STREAM }));
        return [bytes];
      } catch {
        return [];
      }
    });
  };
  return { certificates: streams('Certs'), crls: streams('CRLs'), ocsps: streams('OCSPs') };
}
