import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderAttestationPdf } from '../../../shared/attestation/index.js';
import { PolicySchema } from '../../../shared/config.js';
import { consentSampleSeed, drawSampleIndices } from '../../../shared/consent/index.js';
import { examineRequestAttestation, verifyIntake, type ByteSource } from '../../../shared/verification.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';

/**
 * verifyIntake draws the consent sample inside the list's single pass (docs/consent-sampling.md): the seed needs the
 * list's SHA-256 before the pass ends, so the attested one is used; the one case where it cannot be (a machine reading
 * of the hash in doubt, a person to decide) draws again with the real hash, so that the seed is always the one
 * section 10 writes. The list is counted as it is opened.
 */

const NOW = new Date('2026-11-20T09:00:00.000Z');
const NONCE = 'ab'.repeat(32);
const VAT = '01234567897';
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function consentList(n: number): string {
  const rows = ['telefono;data_consenso'];
  for (let i = 0; i < n; i++) rows.push(`+39 347 ${String(4_000_000 + i).padStart(7, '0')};15/03/2026`);
  return `${rows.join('\r\n')}\r\n`;
}

async function attestation(list: string, rows: number, legalBasis?: string): Promise<Uint8Array> {
  const today = romeDate(NOW);
  return renderAttestationPdf(
    demoAttestationValues(
      {
        intakeId: 'FIL-SAMPLE0001',
        listSha256: sha256(list),
        rowCount: String(rows),
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
        rpoCheckDate: italianDate(addDays(today, -2)),
        placeAndDate: `Milano, ${italianDate(addDays(today, -1))}`,
        ...(legalBasis ? { legalBasis } : {}),
      },
      NOW,
    ),
    { language: 'it', layout: 'same-line' },
  );
}

function counted(list: string): { source: ByteSource; opened: () => number } {
  let opened = 0;
  return {
    source: () => {
      opened++;
      return (async function* () {
        yield new TextEncoder().encode(list);
      })();
    },
    opened: () => opened,
  };
}

async function verify(list: string, bytes: Uint8Array, options: { size?: number; policy?: Record<string, unknown>; tamper?: (e: Awaited<ReturnType<typeof examineRequestAttestation>>) => void } = {}) {
  const request = { attestation: bytes, trustAnchors: [], tenant: { vat: VAT, signatories: [] }, now: NOW };
  const examined = await examineRequestAttestation(request);
  options.tamper?.(examined);
  const reads = counted(list);
  const result = await verifyIntake({
    ...request,
    intakeId: 'FIL-SAMPLE0001',
    policy: PolicySchema.parse({ consentSampleSize: options.size ?? 7, ...options.policy }),
    list: reads.source,
    examined,
    consentSample: { nonce: NONCE },
  });
  return { result, opened: reads.opened() };
}

describe('the consent sample in the list pass', () => {
  it('draws from the attested hash in the one pass: the seed of Filiera specification §10, the rows of the keys', async () => {
    const list = consentList(30);
    const bytes = await attestation(list, 30);
    const { result, opened } = await verify(list, bytes);
    expect(opened).toBe(1);
    expect(result.verdict).toBe('review'); // unsigned: a person decides, the sample is still due
    const seed = consentSampleSeed(sha256(list), sha256(bytes), NONCE);
    expect(result.consentSample?.seed).toBe(seed);
    expect(result.consentSample?.rows.map((r) => r.index)).toEqual(drawSampleIndices(seed, 30, 7));
    expect(result.consentSample?.rows[0]).toMatchObject({ consentDate: '2026-03-15', consentSource: null });
    expect(result.consentSample?.rows.every((r) => r.row === r.index + 1 && /^\+39347400\d{4}$/.test(r.phone))).toBe(true);
  });

  it('draws no sample for a rejected list (the attested hash is another list\'s), a basis other than consent, or size 0', async () => {
    const list = consentList(30);
    const other = await attestation(consentList(31), 30);
    const rejected = await verify(list, other);
    expect(rejected.result.findings.map((f) => f.code)).toContain('list_hash_mismatch');
    expect(rejected.result.verdict).toBe('rejected');
    expect(rejected.result.consentSample).toBeUndefined();
    const contract = await verify(list, await attestation(list, 30, 'Esecuzione di un contratto (art. 6.1.b GDPR)'), { policy: { allowedLegalBases: ['consent', 'contract'] } });
    expect(contract.result.verdict).toBe('review');
    expect(contract.result.consentSample).toBeUndefined();
    expect((await verify(list, await attestation(list, 30), { size: 0 })).result.consentSample).toBeUndefined();
  });

  it('draws again with the real hash when a machine reading of the attested hash is in doubt and a person will decide', async () => {
    const list = consentList(30);
    const bytes = await attestation(list, 30);
    const real = sha256(list);
    const misread = `${real.slice(0, 10)}${real[10] === '0' ? '8' : '0'}${real.slice(11)}`;
    const { result, opened } = await verify(list, bytes, {
      tamper: (examined) => {
        examined.document.fields.listSha256 = { raw: misread, value: misread, confidence: 0.97, source: 'ocr' };
      },
    });
    expect(result.findings.map((f) => f.code)).toContain('ocr_doubt');
    expect(result.verdict).toBe('review');
    expect(opened).toBe(2);
    const seed = consentSampleSeed(real, sha256(bytes), NONCE);
    expect(result.consentSample?.seed).toBe(seed);
    expect(result.consentSample?.rows.map((r) => r.index)).toEqual(drawSampleIndices(seed, 30, 7));
  });
});
