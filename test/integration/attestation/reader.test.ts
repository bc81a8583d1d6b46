import { beforeAll, describe, expect, it } from 'vitest';
import { attestationFieldNames, parseAttestationText, readAttestation, renderAttestationPdf } from '../../../shared/attestation/index.js';
import { demoAttestationValues, makeAttestation, makeEncryptedPdf, makeScan, signCms } from '../../fixtures/attestations.js';
import { makePki } from '../../fixtures/pki.js';
import type { DocumentExtractor, DocumentToRead } from '../../../shared/ports/document-extractor.js';

// The PKI is made once (openssl, a few seconds on a busy machine): not inside the first test's time budget.
beforeAll(async () => {
  await makePki();
});

const values = demoAttestationValues({
  purpose: 'Vendita di contratti luce, gas e servizi à è ì ò ù ’ €',
  extraEuTransfer: 'Sì, call center in Albania con clausole contrattuali tipo',
  legalBasis: 'Legittimo interesse (art. 6.1.f GDPR)',
});

describe('readAttestation: the form round-trips', () => {
  it.each([
    ['it', 'same-line'],
    ['it', 'next-line'],
    ['en', 'same-line'],
    ['en', 'next-line'],
  ] as const)('%s, %s', async (language, layout) => {
    // Prepare
    const pdf = await renderAttestationPdf(values, { language, layout });
    // Act
    const { document, signed } = await readAttestation(pdf);
    // Assess: every field as written, normalised as the text parser does it
    expect(document.readError).toBeUndefined();
    expect(document.kind).toBe('pdf');
    expect(signed).toBeNull();
    for (const field of attestationFieldNames) {
      expect(document.fields[field]?.raw, field).toBe(values[field]);
      expect(document.fields[field]?.value, field).not.toBeNull();
    }
    expect(document.fields.rowCount?.value).toBe(1234);
    expect(document.fields.controllerVat?.value).toBe('01234567897');
    expect(document.fields.legalBasis?.value).toBe('legitimate_interests');
    expect(document.fields.extraEuTransfer?.value).toEqual({ declared: true, details: 'call center in Albania con clausole contrattuali tipo' });
    expect(document.text).toContain(language === 'it' ? 'Dichiarazione di provenienza lecita dei dati di contatto' : 'Declaration of lawful provenance');
  });

  it.each(['same-line', 'next-line'] as const)('a template with blanks gives only the filled fields (%s)', async (layout) => {
    const partial = { intakeId: 'int_42', listSha256: 'ab'.repeat(32), rowCount: '7' };
    const { document } = await readAttestation(await renderAttestationPdf(partial, { layout }));
    expect(Object.keys(document.fields).sort()).toEqual(['intakeId', 'listSha256', 'rowCount']);
    expect(document.fields.rowCount?.value).toBe(7);
  });

  it('keeps a long value on one line', async () => {
    const long = 'Moduli web e fiere di settore, '.repeat(6).trim();
    const { document } = await readAttestation(await renderAttestationPdf({ source: long }));
    expect(document.fields.source?.raw).toBe(long);
  });

  it('replaces characters the standard fonts cannot draw instead of failing', async () => {
    const { document } = await readAttestation(await renderAttestationPdf({ controllerName: 'Łódź Energia 😀' }));
    expect(document.fields.controllerName?.raw).toBe('?ódz Energia ?');
  });
});

describe('readAttestation: signed and scanned kinds', () => {
  it.each([
    ['cades-der', 'cades-pdf', 'CAdES'],
    ['cades-base64', 'cades-pdf', 'CAdES'],
    ['pades', 'pades-pdf', 'PAdES'],
  ] as const)('%s: fields read from the signed PDF, evidence handed over', async (signing, kind, type) => {
    const made = await makeAttestation({ signing, language: 'en', layout: 'next-line' });
    const { document, signed } = await readAttestation(made.bytes);
    expect(document.kind).toBe(kind);
    expect(document.readError).toBeUndefined();
    expect(document.fields.intakeId?.value).toBe(demoAttestationValues().intakeId);
    expect(document.bytes).toBe(made.bytes.length);
    expect(signed?.type).toBe(type);
    if (signed?.type === 'CAdES') expect(Buffer.from(signed.content!).equals(Buffer.from(made.pdf))).toBe(true);
    if (signed?.type === 'PAdES') {
      expect(signed.signatureCount).toBe(1);
      expect(signed.byteRange![0]).toBe(0);
      expect(signed.byteRange![2]! + signed.byteRange![3]!).toBe(made.bytes.length);
      expect(signed.subFilter).toBe('adbe.pkcs7.detached');
    }
  });

  it.each(['png', 'jpeg', 'tiff', 'pdf'] as const)('a %s scan: no fields, no error, and the extractor when given', async (format) => {
    const scan = await makeScan(format);
    const plain = await readAttestation(scan);
    expect(plain.document.kind).toBe(format === 'pdf' ? 'scan-pdf' : `scan-${format}`);
    expect(plain.document.fields).toEqual({});
    expect(plain.document.readError).toBeUndefined();
    expect(plain.signed).toBeNull();

    const seen: DocumentToRead[] = [];
    const scans: DocumentExtractor = {
      source: 'ocr',
      extract: async (document) => {
        seen.push(document);
        return { status: 'read', source: 'ocr', fields: parseAttestationText('Partita IVA: 01234567897', 'ocr', 0.93), text: 'Partita IVA: 01234567897', pages: 1 };
      },
    };
    const stored = { bucket: 'b', key: 'k' };
    const extracted = await readAttestation(scan, { extractors: { scans }, stored, reference: 'FIL-7K3M9Q2XAB' });
    expect(seen.map((d) => d.kind)).toEqual([extracted.document.kind]);
    expect(seen[0]).toMatchObject({ pages: 1, stored, reference: 'FIL-7K3M9Q2XAB' });
    expect(Buffer.from(seen[0]!.bytes).equals(Buffer.from(scan))).toBe(true);
    expect(extracted.document.fields.controllerVat).toMatchObject({ value: '01234567897', confidence: 0.93, source: 'ocr' });
  });

  it('a digital PDF is read by the text layer even when a scan reader is wired', async () => {
    const scans: DocumentExtractor = { source: 'ocr', extract: () => Promise.reject(new Error('must not be called')) };
    const { document } = await readAttestation((await makeAttestation()).bytes, { extractors: { scans } });
    expect(document.fields.intakeId?.source).toBe('text-layer');
  });

  it('a scan the reader cannot read is a read error (a finding), not a crash', async () => {
    const scans: DocumentExtractor = { source: 'ocr', extract: async () => ({ status: 'unreadable', reason: 'the image cannot be decoded' }) };
    const { document } = await readAttestation(await makeScan('png'), { extractors: { scans } });
    expect(document.readError).toMatch(/scanned attestation could not be read: the image cannot be decoded/);
  });

  it('an extractor fault (an engine down) propagates, so that the pipeline retries instead of deciding', async () => {
    const scans: DocumentExtractor = { source: 'textract', extract: () => Promise.reject(new Error('Rate exceeded')) };
    await expect(readAttestation(await makeScan('png'), { extractors: { scans } })).rejects.toThrow('Rate exceeded');
  });

  it('a job still running leaves the document pending, without fields', async () => {
    const scans: DocumentExtractor = { source: 'textract', extract: async () => ({ status: 'pending', jobId: 'job-1' }) };
    const { document } = await readAttestation(await makeScan('pdf'), { extractors: { scans } });
    expect(document).toMatchObject({ kind: 'scan-pdf', pendingJob: 'job-1', fields: {} });
    expect(document.readError).toBeUndefined();
  });
});

describe('readAttestation: unreadable files get a sentence, never a throw', () => {
  it.each([
    ['empty file', async () => new Uint8Array(0), /empty/],
    ['garbage', async () => Uint8Array.from({ length: 500 }, (_, i) => (i * 7919) % 256), /not an attestation Filiera can read/],
    ['a truncated PDF', async () => (await makeAttestation()).bytes.subarray(0, 400), /PDF/],
    ['a PDF whose body is garbage', async () => new TextEncoder().encode('%PDF-1.7\n' + 'x'.repeat(2000)), /PDF/],
    ['an encrypted PDF', makeEncryptedPdf, /encrypted with a password/],
    ['a truncated .p7m', async () => (await makeAttestation({ signing: 'cades-der' })).bytes.subarray(0, 3000), /CAdES envelope .* cannot be opened/],
    [
      'a .p7m enveloping a text file',
      async () => {
        const pki = await makePki();
        return signCms({ content: new TextEncoder().encode('ciao'), detached: false, signer: pki.signers.mario });
      },
      /not a PDF/,
    ],
    [
      'a detached .p7s without content',
      async () => {
        const pki = await makePki();
        return signCms({ content: new TextEncoder().encode('ciao'), detached: true, signer: pki.signers.mario });
      },
      /detached signature/,
    ],
  ])('%s', async (_name, make, message) => {
    const { document } = await readAttestation(await make());
    expect(document.readError).toMatch(message);
    expect(document.fields).toEqual({});
  });
});
