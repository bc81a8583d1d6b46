import { describe, expect, it } from 'vitest';
import { evidenceKeys } from '../../../shared/intake/evidence-keys.js';
import { MEMORY_BUCKETS, startMemoryStack, type Caller } from '../../fixtures/memory-stack.js';
import { cleanList } from '../../fixtures/stack.js';

/**
 * Evidence is kept whatever the verdict (docs/limits-and-retention.md): the signed attestation as uploaded and the
 * receipt go to the evidence store for the evidence retention also when a list is rejected or sent to a person,
 * not only when it is released.
 */
const acme: Caller = { role: 'committente', tenant: 'acme', sub: 'alice' };

async function submitted(bind: 'bound' | 'other list') {
  const stack = startMemoryStack();
  const created = await stack.call('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'luce' });
  const id = created.json.intakeId as string;
  const list = cleanList(4, 9);
  const attestation = await stack.unsignedAttestation(id, bind === 'bound' ? list : cleanList(4, 10), 4);
  await stack.upload(id, 'list', list);
  await stack.upload(id, 'attestation', attestation);
  return { stack, id, attestation };
}

describe('evidence kept at the verdict', () => {
  it.each([
    ['sent to a person (unsigned)', 'bound', 'IN_REVIEW'],
    ['rejected (bound to another list)', 'other list', 'REJECTED'],
  ] as const)('%s: the attestation as uploaded and the receipt are in the evidence store', async (_name, bind, status) => {
    const { stack, id, attestation } = await submitted(bind);
    expect((await stack.call('GET', `/v1/intakes/${id}`, acme)).json.status).toBe(status);
    const keys = evidenceKeys('acme', id);
    const kept = await stack.deps.objects.getBytes(MEMORY_BUCKETS.evidence, keys.attestation, 1 << 26);
    expect(Buffer.from(kept).equals(Buffer.from(attestation))).toBe(true);
    const receipt = JSON.parse(new TextDecoder().decode(await stack.deps.objects.getBytes(MEMORY_BUCKETS.evidence, keys.receipt, 1 << 26)));
    expect(receipt).toMatchObject({ intakeId: id, verdict: status === 'REJECTED' ? 'rejected' : 'review' });
  });
});
