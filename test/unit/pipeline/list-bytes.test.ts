/**
 * docs/list-format.md: told the list's size (a file's, an S3 object's), the engine sizes its duplicate table once
 * from it instead of regrowing it; filiera verify passes the file's size and the pipeline the uploaded object's.
 */
import { describe, expect, it } from 'vitest';
import { renderAttestationPdf } from '../../../shared/attestation/template.js';
import { PolicySchema } from '../../../shared/config.js';
import { verifyIntake, type VerificationRequest } from '../../../shared/verification.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { DEMO_TENANT_VAT } from '../../fixtures/pki.js';

const list = 'telefono\r\n' + Array.from({ length: 200 }, (_, i) => `34712${String(i).padStart(5, '0')}`).join('\r\n') + '\r\n';
const bytes = new TextEncoder().encode(list);

async function run(extra: Partial<VerificationRequest>) {
  return verifyIntake({
    intakeId: 'FIL-LISTBYTES01',
    tenant: { vat: DEMO_TENANT_VAT, signatories: [] },
    policy: PolicySchema.parse({ consentSampleSize: 0 }),
    trustAnchors: [],
    list: async function* () {
      yield bytes;
    },
    attestation: await renderAttestationPdf(demoAttestationValues({ intakeId: 'FIL-LISTBYTES01' })),
    now: new Date(),
    ...extra,
  });
}

describe('the list size handed to the engine', () => {
  it('sizes the duplicate table from the size told, not from growth; the list itself reads the same', async () => {
    const grown = await run({});
    const told = await run({ listBytes: 64 * 1024 * 1024 });
    expect(told.list.dataRows).toBe(200);
    expect({ ...told.list, dedupeStateBytes: 0 }).toEqual({ ...grown.list, dedupeStateBytes: 0 });
    // 64 MiB of 12-byte rows is millions of numbers: the table is made for them at once.
    expect(told.list.dedupeStateBytes).toBeGreaterThan(16 * (grown.list.dedupeStateBytes ?? 0));
  });
});
