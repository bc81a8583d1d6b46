/**
 * docs/verdict-rules.md: an update after a PAdES signature may add only validation data, document timestamps and
 * further signatures. What real signing tools also write in such an update, and which must not reject (found on EU
 * DSS's real files, test/integration/signature/real-pades.test.ts): a page's /Resources pointed to a fresh copy of
 * the same resources, the catalog's /Version raised, a string rewritten as hex, keys reordered, the catalog written
 * as a new object, a new field put first. A copy that differs still rejects.
 * And the validation data such an update adds is read whichever way its streams' /Filter is written, and an update
 * with comments in it (iText's version line) is an update.
 */
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { SignatureExpectations } from '../../../shared/signature/index.js';
import { PDFDocument, PDFName } from 'pdf-lib';
import { checkUpdatesAfter, readDss, strayBytes } from '../../../shared/signature/pdf-updates.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki, type Pki } from '../../fixtures/pki.js';
import { appendDss, appendUpdate, catalogNumber, objectText, pageNumber, withEntries } from '../../fixtures/signing.js';

let pki: Pki;
let signed: Uint8Array;

const pemDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));

beforeAll(async () => {
  pki = await makePki();
  signed = (await makeAttestation({ signing: 'pades' })).bytes;
}, 60_000);

const expectations = (): SignatureExpectations => ({ trustAnchors: [pki.rootCaPem], tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date() });

/** The page's /Resources dictionary, written inline in the page as the fixture's writer (pdf-lib) writes it. */
function inlineResources(pageText: string): string {
  const start = pageText.indexOf('<<', pageText.indexOf('/Resources'));
  let depth = 0;
  for (let i = start; i < pageText.length; i++) {
    if (pageText.startsWith('<<', i)) depth++;
    else if (pageText.startsWith('>>', i)) depth--;
    else continue;
    i++;
    if (depth === 0) return pageText.slice(start, i + 1);
  }
  throw new Error('unbalanced /Resources');
}

/** An update that points the page's /Resources to a new object holding `resources`, then validation data. */
function resourcesRewritten(pdf: Uint8Array, rewrite: (resources: string) => string): Uint8Array {
  const page = pageNumber(pdf);
  const text = objectText(pdf, page);
  const resources = inlineResources(text);
  return appendDss(appendUpdate(pdf, [
    { num: 9100, text: rewrite(resources) },
    { num: page, text: text.replace(resources, '9100 0 R') },
  ]), [pemDer(pki.rootCaPem)]);
}

describe('what signing tools rewrite after a signature without changing what is shown', () => {
  it("a page's /Resources pointed to an identical copy is not a change", async () => {
    const copy = resourcesRewritten(signed, (resources) => resources);
    const { signature } = await examineAttestation(copy, expectations());
    expect(signature.checks.find((c) => c.name === 'coverage')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/only validation data \(\/DSS\)/) });
    expect(signature.valid).toBe(true);
  });

  it("a page's /Resources pointed to a copy with one more entry rejects", async () => {
    const page = pageNumber(signed);
    const grown = resourcesRewritten(signed, (resources) => withEntries(resources, '/Pattern << /P9 9101 0 R >>'));
    const { signature } = await examineAttestation(grown, expectations());
    expect(signature.checks.find((c) => c.name === 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(new RegExp(`changed page ${page} 0 R \\(/Resources\\)`)) });
    expect(signature.valid).toBe(false);
  });

  it("the catalog's /Version raised is not a change; another catalog key changed with it still is", async () => {
    const catalog = catalogNumber(signed);
    const raised = appendUpdate(signed, [{ num: catalog, text: withEntries(objectText(signed, catalog), '/Version /2.0') }]);
    const { signature } = await examineAttestation(raised, expectations());
    expect(signature.checks.find((c) => c.name === 'coverage')?.outcome).toBe('pass');

    const opened = appendUpdate(signed, [{ num: catalog, text: withEntries(objectText(signed, catalog), '/Version /2.0 /OpenAction 9102 0 R') }, { num: 9102, text: '<< /S /URI /URI (https://example.invalid/) >>' }]);
    const { signature: other } = await examineAttestation(opened, expectations());
    expect(other.checks.find((c) => c.name === 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/changed the document catalog \(\/OpenAction\)/) });
  });

  it("the catalog rewritten with the same /Lang as a hex string is not a change; another language is", async () => {
    const catalog = catalogNumber(signed);
    const text = objectText(signed, catalog);
    expect(text).toMatch(/\/Lang \(it-IT\)/);
    const hex = appendUpdate(signed, [{ num: catalog, text: text.replace('(it-IT)', `<${Buffer.from('it-IT').toString('hex')}>`) }]);
    expect((await examineAttestation(hex, expectations())).signature.checks.find((c) => c.name === 'coverage')?.outcome).toBe('pass');
    const other = appendUpdate(signed, [{ num: catalog, text: text.replace('(it-IT)', `<${Buffer.from('en-US').toString('hex')}>`) }]);
    expect((await examineAttestation(other, expectations())).signature.checks.find((c) => c.name === 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/changed the document catalog \(\/Lang\)/) });
  });
});

describe('what other writers do to objects they rewrite after a signature', () => {
  const coverage = async (pdf: Uint8Array) => (await examineAttestation(pdf, expectations())).signature.checks.find((c) => c.name === 'coverage')!;

  it('the page tree written again with its keys in another order is not a change', async () => {
    const pages = Number(/\/Pages (\d+) 0 R/.exec(objectText(signed, catalogNumber(signed)))![1]);
    const text = objectText(signed, pages);
    const reordered = `<< ${[...text.matchAll(/\/(Type \/Pages|Kids \[[^\]]*\]|Count \d+)/g)].map((m) => `/${m[1]}`).reverse().join(' ')} >>`;
    expect(reordered).not.toBe(text);
    expect((await coverage(appendUpdate(signed, [{ num: pages, text: reordered }]))).outcome).toBe('pass');
    const more = reordered.replace(/\/Count (\d+)/, (_m, n: string) => `/Count ${Number(n) + 1}`);
    expect(await coverage(appendUpdate(signed, [{ num: pages, text: more }]))).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/\(\/Pages\)/) });
  });

  /** An update whose trailer names `root` as the catalog. */
  const withRoot = (pdf: Uint8Array, objects: Parameters<typeof appendUpdate>[1], root: number) => {
    const text = Buffer.from(appendUpdate(pdf, objects)).toString('latin1');
    const at = text.lastIndexOf('/Root ');
    return new Uint8Array(Buffer.from(text.slice(0, at) + text.slice(at).replace(/\/Root \d+ 0 R/, `/Root ${root} 0 R`), 'latin1'));
  };

  it('a catalog written as a new object is judged as a change of the old one', async () => {
    const catalog = objectText(signed, catalogNumber(signed));
    expect((await coverage(withRoot(signed, [{ num: 9300, text: withEntries(catalog, '/Version /1.7') }], 9300))).outcome).toBe('pass');
    expect(await coverage(withRoot(signed, [{ num: 9300, text: withEntries(catalog, '/OpenAction [ 1 0 R /Fit ]') }], 9300))).toMatchObject({
      outcome: 'fail',
      detail: expect.stringMatching(/changed the document catalog \(\/OpenAction\)/),
    });
  });

  it('a signature field put first in the form is a further field; a field removed is not allowed', async () => {
    const number = catalogNumber(signed);
    const catalog = objectText(signed, number);
    const field = '<< /FT /Sig /T (Seconda firma) /Type /Annot /Subtype /Widget /Rect [ 0 0 0 0 ] >>';
    const prepended = appendUpdate(signed, [{ num: 9301, text: field }, { num: number, text: catalog.replace(/\/Fields \[/, '/Fields [ 9301 0 R') }]);
    expect((await coverage(prepended)).outcome).toBe('pass');
    const emptied = appendUpdate(signed, [{ num: number, text: catalog.replace(/\/Fields \[[^\]]*\]/, '/Fields [ 9301 0 R ]') }, { num: 9301, text: field }]);
    expect(await coverage(emptied)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/removed or reordered the fields/) });
  });
});

describe("a form whose field list is an object of its own (Adobe's writers)", () => {
  /** A revision whose /AcroForm /Fields is an indirect array, and an update that rewrites that array. */
  async function grown(field: string): Promise<{ file: Uint8Array; revisionEnd: number }> {
    const doc = await PDFDocument.create();
    doc.addPage();
    const fields = doc.context.register(doc.context.obj([]));
    doc.catalog.set(PDFName.of('AcroForm'), doc.context.obj({ Fields: fields }));
    const revision = await doc.save({ useObjectStreams: false });
    const file = appendUpdate(revision, [{ num: 9500, text: field }, { num: fields.objectNumber, text: '[ 9500 0 R ]' }]);
    return { file, revisionEnd: revision.length };
  }

  it('may grow by a signature field', async () => {
    const { file, revisionEnd } = await grown('<< /FT /Sig /T (Firma 2) >>');
    expect((await checkUpdatesAfter(file, revisionEnd, [])).problems).toEqual([]);
  });

  it('may not grow by a text field', async () => {
    const { file, revisionEnd } = await grown('<< /FT /Tx /T (Importo) /V (1000) >>');
    const { problems } = await checkUpdatesAfter(file, revisionEnd, []);
    expect(problems.map((p) => p.en)).toEqual([expect.stringMatching(/added 1 field\(s\) to the form fields that are not signature fields \(9500 0 R\)/)]);
  });
});

describe('validation data streams as tools write them', () => {
  it('a /DSS stream whose /Filter is an array ([/FlateDecode]) is read, like one whose /Filter is a name', async () => {
    const catalog = catalogNumber(signed);
    const root = pemDer(pki.rootCaPem);
    const withDss = (filter: string) =>
      appendUpdate(signed, [
        { num: 9200, stream: deflateSync(root), dict: `/Filter ${filter}` },
        { num: 9201, text: '<< /Certs [ 9200 0 R ] >>' },
        { num: catalog, text: withEntries(objectText(signed, catalog), '/DSS 9201 0 R') },
      ]);
    for (const filter of ['[ /FlateDecode ]', '/FlateDecode']) {
      const { certificates } = await readDss(withDss(filter));
      expect(certificates.map((c) => Buffer.from(c).equals(Buffer.from(root)))).toEqual([true]);
    }
  });

  it('a /DSS stream with a filter Filiera does not decode is left out, not read as DER', async () => {
    const catalog = catalogNumber(signed);
    const update = appendUpdate(signed, [
      { num: 9200, stream: new TextEncoder().encode('<3082>'), dict: '/Filter [ /ASCIIHexDecode ]' },
      { num: 9201, text: '<< /Certs [ 9200 0 R ] >>' },
      { num: catalog, text: withEntries(objectText(signed, catalog), '/DSS 9201 0 R') },
    ]);
    expect((await readDss(update)).certificates).toEqual([]);
  });
});

describe('comments inside an incremental update (iText writes its version line in each)', () => {
  const object = '12 0 obj\n<< /Type /DSS >>\nendobj\n';
  const xref = 'xref\n12 1\n0000000100 00000 n \ntrailer\n<< /Size 13 /Root 1 0 R /Prev 9 >>\n';

  it.each([
    ['between an object and startxref', `\n${object}%iText-Core-7.2.2\nstartxref\n100\n%%EOF\n`],
    ['between the trailer and startxref', `\n${object}${xref}%7356f-4ed6a-d244b-18f30-5.5.13-SNAPSHOT\nstartxref\n100\n%%EOF\n`],
    ['before the first object', `\n% written by a tool\r\n${object}${xref}startxref\n100\n%%EOF\r\n`],
  ])('a comment %s is part of the update', (_where, tail) => {
    expect(strayBytes(tail)).toBeNull();
  });

  it('a comment after the last %%EOF, or an update that ends in one, is still stray', () => {
    const update = `\n${object}${xref}startxref\n100\n%%EOF\n`;
    expect(strayBytes(`${update}% appended after signing\n`)).toBe(update.length);
    expect(strayBytes(`${update}% no end of line`)).toBe(update.length);
    expect(strayBytes(`\n${object}% and no startxref\n`)).not.toBeNull();
  });
});
