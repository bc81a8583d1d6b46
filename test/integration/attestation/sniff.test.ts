import { describe, expect, it } from 'vitest';
import { sniffAttestationKind } from '../../../shared/attestation/index.js';
import { makeAttestation, makeScan } from '../../fixtures/attestations.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('sniffAttestationKind', () => {
  it.each([
    ['unsigned PDF', () => makeAttestation({ signing: 'none' }).then((a) => a.bytes), 'pdf'],
    ['PAdES PDF', () => makeAttestation({ signing: 'pades' }).then((a) => a.bytes), 'pades-pdf'],
    ['CAdES DER', () => makeAttestation({ signing: 'cades-der' }).then((a) => a.bytes), 'cades-pdf'],
    ['CAdES base64', () => makeAttestation({ signing: 'cades-base64' }).then((a) => a.bytes), 'cades-pdf'],
    ['CAdES base64 in PEM armour', () => makeAttestation({ signing: 'cades-base64', pemArmour: true }).then((a) => a.bytes), 'cades-pdf'],
    ['PNG scan', () => makeScan('png'), 'scan-png'],
    ['JPEG scan', () => makeScan('jpeg'), 'scan-jpeg'],
    ['TIFF scan', () => makeScan('tiff'), 'scan-tiff'],
    ['image-only PDF', () => makeScan('pdf'), 'scan-pdf'],
  ] as const)('%s -> %s', async (_name, make, expected) => {
    // Prepare
    const bytes = await make();
    // Act / Assess
    expect(sniffAttestationKind(bytes)).toBe(expected);
  });

  it('finds %PDF- after junk within the first KiB, not beyond', async () => {
    const { bytes } = await makeAttestation();
    const junk = (n: number) => new Uint8Array(n).fill(0x41);
    expect(sniffAttestationKind(Buffer.concat([junk(500), bytes]))).toBe('pdf');
    expect(sniffAttestationKind(Buffer.concat([junk(2000), bytes]))).toBe('unknown');
  });

  it('tells big-endian TIFF too', () => {
    expect(sniffAttestationKind(Uint8Array.of(0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8))).toBe('scan-tiff');
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['garbage', Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256)],
    ['plain text', text('Dichiarazione di provenienza lecita\nPartita IVA: 01234567897\n')],
    ['base64 of something else', text(Buffer.from('hello world, this is not a CMS at all').toString('base64'))],
    ['a DER SEQUENCE that is not SignedData', Uint8Array.of(0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01)],
    ['a truncated PNG signature', Uint8Array.of(0x89, 0x50, 0x4e)],
    ['two bytes of JPEG', Uint8Array.of(0xff, 0xd8)],
  ])('%s -> unknown', (_name, bytes) => {
    expect(sniffAttestationKind(bytes)).toBe('unknown');
  });

  it('still sniffs a truncated PDF and a truncated .p7m by their headers', async () => {
    const pdf = (await makeAttestation()).bytes;
    const p7m = (await makeAttestation({ signing: 'cades-der' })).bytes;
    expect(sniffAttestationKind(pdf.subarray(0, 200))).toBe('pdf');
    expect(sniffAttestationKind(p7m.subarray(0, 40))).toBe('cades-pdf');
  });
});
