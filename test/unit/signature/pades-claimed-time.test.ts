/**
 * docs/verdict-rules.md: a PAdES signature's claimed signing time is its signature dictionary's /M when the CMS has no
 * signing-time attribute (ETSI EN 319 142-1 forbids that attribute in PAdES baseline signatures: Adobe, ArubaSign and
 * Dike put the time in /M only). Without it, such a signature had no signing time at all, and its certificate was
 * judged at the time of processing.
 */
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineAttestation } from '../../../shared/attestation/index.js';
import { pdfDate } from '../../../shared/attestation/pades.js';
import type { SignatureReport } from '../../../shared/signature/index.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { ACME_SUBJECT, appendSignatureField, issue, makeTestPki, signCmsWith, type Issued, type TestPki } from '../../fixtures/signing.js';

const DAY = 86_400_000;
let pki: TestPki;
let plain: Uint8Array;
/** A signer whose certificate expired ten days ago. */
let expired: Issued;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  plain = await (await PDFDocument.load((await makeAttestation()).pdf)).save({ useObjectStreams: false });
  expired = await issue({
    subject: ACME_SUBJECT(DEMO_TENANT_VAT, DEMO_SIGNATORY),
    issuer: pki.intermediate,
    keyUsage: ['nonRepudiation'],
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() - 10 * DAY),
  });
}, 60_000);

/** "D:YYYYMMDDHHmmSS+01'00'" for a time, as Acrobat writes /M (Rome's winter offset). */
function pdfTime(at: Date): string {
  const rome = new Date(at.getTime() + 3_600_000).toISOString();
  return `D:${rome.slice(0, 4)}${rome.slice(5, 7)}${rome.slice(8, 10)}${rome.slice(11, 13)}${rome.slice(14, 16)}${rome.slice(17, 19)}+01'00'`;
}

function padesSignedBy(signer: Issued, entries: string): Uint8Array {
  return appendSignatureField(plain, {
    kind: 'signature',
    entries,
    sign: (bytes) => signCmsWith({ content: bytes, detached: true, signers: [{ signer, chain: [pki.intermediate], signingTime: null }] }),
  });
}

async function verify(pdf: Uint8Array): Promise<SignatureReport> {
  const { signature } = await examineAttestation(pdf, { trustAnchors: [pki.root.certPem], tenantVat: DEMO_TENANT_VAT, signatories: [DEMO_SIGNATORY], now: new Date() });
  return signature;
}

const outcome = (report: SignatureReport, name: string) => report.checks.find((c) => c.name === name)?.outcome;

describe('PDF dates', () => {
  it.each([
    ["D:20261120103000+01'00'", '2026-11-20T09:30:00.000Z'],
    ["D:20260715083000+02'00'", '2026-07-15T06:30:00.000Z'],
    ['D:20261120103000Z', '2026-11-20T10:30:00.000Z'],
    ["D:20261120103000-05'30'", '2026-11-20T16:00:00.000Z'],
    ['D:20261120103000', '2026-11-20T10:30:00.000Z'],
    ['D:2026', '2026-01-01T00:00:00.000Z'],
    ["D:20261120103000+01'00", '2026-11-20T09:30:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(pdfDate(text)).toBe(iso);
  });

  it.each(['', 'yesterday', 'D:20261320103000Z', 'D:20261120253000Z', 'D:2026112010300'])('%j is not a date', (text) => {
    expect(pdfDate(text)).toBeNull();
  });
});

describe("a PAdES signature's /M", () => {
  it('is the claimed signing time when the CMS has no signing-time attribute, and certificates are judged at it', async () => {
    const signedAt = new Date(Date.now() - 20 * DAY);
    signedAt.setUTCMilliseconds(0);
    const report = await verify(padesSignedBy(expired, `/M (${pdfTime(signedAt)}) `));

    expect(report.signingTime).toBe(signedAt.toISOString());
    expect(report.signingTimeSource).toBe('signed-attribute');
    expect(report.notes.join(' ')).toMatch(/signer’s own claim \(the signature dictionary’s \/M\)/);
    // Valid when signed (20 days ago), expired since (10 days ago): judged at the claimed time, not now.
    expect(outcome(report, 'validity')).toBe('pass');
  });

  it('without /M nor attribute there is no signing time, and the expired certificate is judged now', async () => {
    const report = await verify(padesSignedBy(expired, ''));

    expect(report.signingTime).toBeUndefined();
    expect(report.signingTimeSource).toBe('none');
    expect(outcome(report, 'validity')).toBe('fail');
  });

  it('a /M in the future fails the signing-time check like a future attribute', async () => {
    const report = await verify(padesSignedBy(pki.signer, `/M (${pdfTime(new Date(Date.now() + 2 * DAY))}) `));

    expect(outcome(report, 'signing_time')).toBe('fail');
    expect(report.valid).toBe(false);
  });

  it('an unreadable /M counts as no claim', async () => {
    const report = await verify(padesSignedBy(pki.signer, '/M (ieri pomeriggio) '));

    expect(report.signingTimeSource).toBe('none');
  });
});
