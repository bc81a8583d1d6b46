/**
 * docs/verdict-rules.md: after a PAdES signature, an incremental update may add only validation data (/DSS, /VRI),
 * RFC 3161 document timestamps or a further signature (itself verified); anything else rejects. Updates are written
 * by hand here as signing tools write them (test/fixtures/signing.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import type { SignatureExpectations, SignatureReport } from '../../../shared/signature/index.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki, type Pki } from '../../fixtures/pki.js';
import {
  ACME_SUBJECT,
  EKU,
  appendDss,
  appendSignatureField,
  appendUpdate,
  catalogNumber,
  issue,
  makeTestPki,
  objectText,
  pageNumber,
  signCmsWith,
  timeStampToken,
  withEntries,
  type Issued,
  type TestPki,
} from '../../fixtures/signing.js';

let opensslPki: Pki;
let mine: TestPki;
let tsa: Issued;
let stranger: Issued;
let signed: Uint8Array;

const pemDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));

beforeAll(async () => {
  opensslPki = await makePki();
  mine = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  tsa = await issue({ subject: [['C', 'IT'], ['O', 'Test Trust Services'], ['CN', 'Test TSA']], issuer: mine.intermediate, keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
  const strangerRoot = await issue({ subject: [['CN', 'Nobody Trusts Me Root']], ca: true, keyUsage: ['keyCertSign'] });
  stranger = await issue({ subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY), issuer: strangerRoot, keyUsage: ['nonRepudiation'] });
  signed = (await makeAttestation({ signing: 'pades' })).bytes;
}, 60_000);

function expectations(): SignatureExpectations {
  return { trustAnchors: [opensslPki.rootCaPem, mine.root.certPem], tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date() };
}

const outcomes = (report: SignatureReport) => Object.fromEntries(report.checks.map((c) => [c.name, c.outcome]));

const documentTimestamp = (pdf: Uint8Array, by = tsa) =>
  appendSignatureField(pdf, { kind: 'document-timestamp', sign: (bytes) => timeStampToken(bytes, by, new Date(), [mine.intermediate]) });

describe('long-term validation data and document timestamps after a signature', () => {
  it('an LTV-augmented PAdES (DSS with certificates and VRI, then a document timestamp) is valid', async () => {
    // Prepare: what Adobe or DSS do to extend a PAdES-B to PAdES-LTA
    const ltv = documentTimestamp(appendDss(signed, [pemDer(opensslPki.intermediateCaPem), pemDer(opensslPki.rootCaPem)]));
    // Act
    const { signature, document } = await examineAttestation(ltv, expectations());
    // Assess
    expect(document.readError).toBeUndefined();
    expect(signature.signatures).toHaveLength(1);
    expect(signature.checks.find((c) => c.name === 'coverage')).toMatchObject({
      outcome: 'pass',
      detail: expect.stringMatching(/added after it is only validation data \(\/DSS\), 1 document timestamp/),
    });
    expect(signature.documentTimestamps).toEqual([expect.objectContaining({ valid: true, trusted: true, authority: 'Test TSA' })]);
    expect(signature.valid).toBe(true);
  });

  it('a document timestamp from an authority no one trusts does not reject: it is not used', async () => {
    const untrustedTsa = await issue({ subject: [['CN', 'Rogue TSA']], keyUsage: ['digitalSignature'], eku: [EKU.timeStamping] });
    const { signature } = await examineAttestation(documentTimestamp(signed, untrustedTsa), expectations());
    expect(signature.documentTimestamps).toEqual([expect.objectContaining({ valid: true, trusted: false })]);
    expect(signature.valid).toBe(true);
  });

  it('a document timestamp whose imprint does not match the bytes rejects', async () => {
    const broken = appendSignatureField(signed, { kind: 'document-timestamp', sign: () => timeStampToken(new Uint8Array([1, 2, 3]), tsa) });
    const { signature } = await examineAttestation(broken, expectations());
    expect(signature.checks.find((c) => c.name === 'integrity')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/document timestamp 1: The timestamp’s message imprint does not match/) });
    expect(signature.valid).toBe(false);
    // The file's ETSI status says so too, though its one signature passes.
    expect(signature.signatures?.map((s) => s.indication)).not.toContain('TOTAL-FAILED');
    expect([signature.indication, signature.subIndication]).toEqual(['TOTAL-FAILED', 'HASH_FAILURE']);
  });
});

describe('a further signature after the first', () => {
  it('a second trusted signature in an incremental update: both verified, valid', async () => {
    const twice = appendSignatureField(signed, { kind: 'signature', sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer: mine.signer, chain: [mine.intermediate] }] }) });
    const { signature } = await examineAttestation(twice, expectations());
    expect(signature.signatures?.map((s) => [s.label, s.valid])).toEqual([
      ['PDF signature 1 of 2', true],
      ['PDF signature 2 of 2', true],
    ]);
    expect(signature.signatures![0]!.checks.find((c) => c.name === 'coverage')?.detail).toMatch(/1 further signature/);
    expect(signature.valid).toBe(true);
  });

  it('a second signature that does not chain rejects the file', async () => {
    const twice = appendSignatureField(signed, { kind: 'signature', sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer: stranger }] }) });
    const { signature } = await examineAttestation(twice, expectations());
    expect(signature.checks.find((c) => c.name === 'chain')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^PDF signature 2 of 2/) });
    expect(signature.valid).toBe(false);
  });
});

describe('anything else after a signature rejects', () => {
  it.each<[string, (pdf: Uint8Array) => Uint8Array, RegExp]>([
    [
      'new page content (a content stream swapped in)',
      (pdf) => {
        const page = pageNumber(pdf);
        const stream = 9000;
        const text = objectText(pdf, page).replace(/\/Contents\s+(\[[^\]]*\]|\d+\s+0\s+R)/, `/Contents ${stream} 0 R`);
        if (text === objectText(pdf, page)) throw new Error('the page was not changed');
        return appendUpdate(pdf, [
          { num: stream, stream: new TextEncoder().encode('BT /F1 12 Tf 72 720 Td (Impronta: 000) Tj ET') },
          { num: page, text },
        ]);
      },
      /changed page \d+ 0 R \(\/Contents\)/,
    ],
    [
      'a text annotation added to the page',
      (pdf) => {
        const page = pageNumber(pdf);
        const note = 9001;
        const text = objectText(pdf, page).replace(/\/Annots\s*\[([^\]]*)\]/, `/Annots [$1 ${note} 0 R ]`);
        return appendUpdate(pdf, [
          { num: note, text: '<< /Type /Annot /Subtype /FreeText /Rect [72 700 300 720] /Contents (Numero di contatti: 9999) >>' },
          { num: page, text },
        ]);
      },
      /added 1 annotation\(s\) to page .* that are not signature fields/,
    ],
    [
      'the catalog pointed to another page tree',
      (pdf) => {
        const catalog = catalogNumber(pdf);
        return appendUpdate(pdf, [
          { num: 9002, text: '<< /Type /Pages /Kids [] /Count 0 >>' },
          { num: catalog, text: objectText(pdf, catalog).replace(/\/Pages\s+\d+\s+0\s+R/, '/Pages 9002 0 R') },
        ]);
      },
      /added a new \/Pages|changed the document catalog \(\/Pages\)/,
    ],
    [
      'an object that is not validation data rewritten (a font)',
      (pdf) => {
        const font = Number(/(\d+) 0 obj\s*<<\s*\/Type \/Font/.exec(Buffer.from(pdf).toString('latin1'))![1]);
        return appendUpdate(pdf, [{ num: font, text: withEntries(objectText(pdf, font), '/FirstChar 32') }]);
      },
      /changed object \d+ 0 R \(\/Font\), which is neither validation data nor a signature/,
    ],
    ['stray bytes after the signed revision', (pdf) => new Uint8Array(Buffer.concat([Buffer.from(pdf), Buffer.from('\n% appended after signing\n')])), /added after signing and are not signed/],
    [
      'an update that is not terminated by %%EOF',
      (pdf) => {
        const dss = appendDss(pdf, [pemDer(opensslPki.rootCaPem)]);
        return dss.subarray(0, dss.length - 7);
      },
      /added after signing and are not signed/,
    ],
  ])('%s', async (_name, tamper, detail) => {
    const { signature } = await examineAttestation(tamper(signed), expectations());
    expect(signature.checks.find((c) => c.name === 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(detail) });
    expect(outcomes(signature).integrity).toBe('pass');
    expect(signature.valid).toBe(false);
  });

  it('a signature added in an update where the verifier cannot find it (its /ByteRange by reference) is not vouched for', async () => {
    const page = pageNumber(signed);
    const pageText = objectText(signed, page).replace(/\/Annots\s*\[([^\]]*)\]/, '/Annots [$1 9011 0 R ]');
    const hidden = appendUpdate(signed, [
      { num: 9010, text: '[0 10 20 30]' },
      { num: 9012, text: `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange 9010 0 R /Contents <${'00'.repeat(64)}> >>` },
      { num: 9011, text: `<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /V 9012 0 R /T (Hidden) /P ${page} 0 R >>` },
      { num: page, text: pageText },
    ]);
    const { signature } = await examineAttestation(hidden, expectations());
    expect(signature.signatures).toHaveLength(1);
    expect(signature.checks.find((c) => c.name === 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/1 signature dictionary\(ies\) added after signing could not be located/) });
  });

  it('validation data added after a forbidden change does not launder it', async () => {
    const page = pageNumber(signed);
    const changed = appendUpdate(signed, [{ num: page, text: withEntries(objectText(signed, page), '/Rotate 90') }]);
    const { signature } = await examineAttestation(documentTimestamp(appendDss(changed, [pemDer(opensslPki.rootCaPem)])), expectations());
    expect(signature.checks.find((c) => c.name === 'coverage')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/\/Rotate/) });
  });
});

describe('a signed PDF that cannot be read', () => {
  it('is not parsed for its revisions: the signature is reported unverified', async () => {
    // A signature dictionary in a file pdf.js cannot open.
    const broken = new TextEncoder().encode(
      `%PDF-1.7\n1 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <${'00'.repeat(32)}> >>\nendobj\n%%EOF\n`,
    );
    const { document, signature } = await examineAttestation(broken, expectations());
    expect(document.readError).toBeDefined();
    expect(signature).toMatchObject({ present: true, valid: false, checks: [{ name: 'integrity', outcome: 'fail', detail: expect.stringMatching(/^The signature was not verified: the PDF cannot be read/) }] });
  });
});
