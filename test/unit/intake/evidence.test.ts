import { describe, expect, it } from 'vitest';
import { evidenceKeys } from '../../../shared/intake/evidence-keys.js';
import { releaseKeys } from '../../../shared/intake/object-keys.js';
import { releaseIntake } from '../../../shared/pipeline/release-intake.js';
import { ATTESTATION_BYTES, BUCKETS, intakeWithVerdict, memoryDeps } from './approved-fixture.js';

/**
 * docs/limits-and-retention.md: the signed attestation as uploaded and the receipt are evidence, kept for the evidence
 * retention in the evidence bucket (Object Lock in AWS), while the contact data goes after the contact retention.
 * The release step writes them there before it publishes.
 */
describe('the release step keeps the evidence', () => {
  it('writes the attestation at its recorded version and the receipt as released to the evidence bucket', async () => {
    // Prepare: the fixture writes a later file at the attestation key after the recorded upload
    const deps = memoryDeps();
    const intake = await intakeWithVerdict(deps);
    const keys = evidenceKeys('acme', intake.intakeId);
    // Act
    expect(await releaseIntake(deps, intake.intakeId)).toBe('released');
    // Assess
    const read = (bucket: string, key: string) => deps.objects.getBytes(bucket, key, 1 << 20);
    expect(Buffer.from(await read(BUCKETS.evidence, keys.attestation))).toEqual(Buffer.from(ATTESTATION_BYTES));
    const released = await read(BUCKETS.release, releaseKeys('cc-napoli', intake.intakeId).receiptKey);
    expect(Buffer.from(await read(BUCKETS.evidence, keys.receipt))).toEqual(Buffer.from(released));
    expect(JSON.parse(new TextDecoder().decode(released))).toMatchObject({ intakeId: intake.intakeId, auditHead: { seq: expect.any(Number) } });
  });

  it('publishes nothing when the evidence cannot be kept', async () => {
    // Prepare: an evidence store that refuses writes
    const deps = memoryDeps();
    const intake = await intakeWithVerdict(deps);
    const put = deps.objects.putObject.bind(deps.objects);
    deps.objects.putObject = async (bucket, key, body, options) => {
      if (bucket === BUCKETS.evidence) throw new Error('evidence bucket unavailable');
      return put(bucket, key, body, options);
    };
    // Act, Assess
    await expect(releaseIntake(deps, intake.intakeId)).rejects.toThrow(/evidence bucket unavailable/);
    expect((await deps.intakes.get(intake.intakeId))!.status).toBe('APPROVED');
  });

  it('keeps the evidence under the tenant prefix, as in the intake bucket', () => {
    expect(evidenceKeys('acme', 'FIL-0123456789')).toMatchObject({
      attestation: 'tenants/acme/intakes/FIL-0123456789/attestation',
      receipt: 'tenants/acme/intakes/FIL-0123456789/receipt.json',
    });
  });
});
