import { describe, expect, it } from 'vitest';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { MemoryObjectStore } from '../../../shared/adapters/memory/memory-object-store.js';
import { verifyAuditChain } from '../../../shared/intake/audit.js';
import { Intake, type IntakeTransition } from '../../../shared/intake/intake.js';
import { ConcurrentModificationError, IntakeAlreadyExistsError } from '../../../shared/ports/intake-repository.js';
import { ObjectNotFoundError, ObjectTooLargeError, PreconditionFailedError } from '../../../shared/ports/object-store.js';

const BASE = Date.parse('2025-03-10T09:00:00.000Z');
const at = (m: number) => new Date(BASE + m * 60_000);

describe('MemoryIntakeRepository', () => {
  it('applies conditional transitions and chains the trail like the DynamoDB adapter', async () => {
    // Prepare
    const repo = new MemoryIntakeRepository();
    const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc', campaign: 'c', actor: 'a', now: at(0) });
    await repo.create(intake, event);
    const apply = (t: IntakeTransition) => repo.transition(t.intakeId, t.expected, t.changes, t.event);
    const t1 = intake.recordUpload('list', { key: intake.uploadKey('list'), size: 1, etag: 'e', uploadedAt: at(1).toISOString() }, { actor: 's', now: at(1) });
    const t2 = intake.recordUpload('attestation', { key: intake.uploadKey('attestation'), size: 1, etag: 'e', uploadedAt: at(1).toISOString() }, { actor: 's', now: at(1) });
    // Act
    const results = await Promise.allSettled([apply(t1), apply(t2)]);
    await repo.appendEvent(intake.intakeId, (current) => ({ type: 'note', actor: 'x', at: at(2).toISOString(), data: { version: current.version } }));
    // Assess
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentModificationError);
    expect((await repo.get(intake.intakeId))!.version).toBe(1);
    const trail = await repo.auditTrail(intake.intakeId);
    expect(trail.map((e) => e.type)).toEqual(['intake.created', 'upload.received', 'note']);
    expect(verifyAuditChain(trail)).toEqual({ valid: true });
    await expect(repo.create(intake, event)).rejects.toBeInstanceOf(IntakeAlreadyExistsError);
  });

  it('lists newest first with cursors', async () => {
    const repo = new MemoryIntakeRepository();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc', campaign: 'c', actor: 'a', now: at(i) });
      await repo.create(intake, event);
      ids.unshift(intake.intakeId);
    }
    const first = await repo.listForTenant('acme', { limit: 2 });
    const second = await repo.listForTenant('acme', { limit: 2, cursor: first.nextCursor! });
    const third = await repo.listForTenant('acme', { limit: 2, cursor: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((i) => i.intakeId)).toEqual(ids);
    expect(third.nextCursor).toBeUndefined();
    expect((await repo.listByStatus(['AWAITING_UPLOADS'], { limit: 10, order: 'oldest' })).items.map((i) => i.intakeId)).toEqual([...ids].reverse());
  });
});

describe('MemoryObjectStore', () => {
  it('stores, streams, copies and honours If-None-Match', async () => {
    const store = new MemoryObjectStore(['in', 'out']);
    const head = await store.putObject('in', 'k', new TextEncoder().encode('hello'), { contentType: 'text/plain' });
    expect(head).toMatchObject({ size: 5, etag: '5d41402abc4b2a76b9719d911017c592' });
    await expect(store.putObject('in', 'k', new Uint8Array(1), { contentType: 'x', ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    await store.copyObject({ bucket: 'in', key: 'k' }, { bucket: 'out', key: 'j' });
    const chunks: Uint8Array[] = [];
    for await (const c of store.getStream('out', 'j')) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    await expect(store.getBytes('out', 'j', 4)).rejects.toBeInstanceOf(ObjectTooLargeError);
    await store.deleteObject('out', 'j');
    expect(await store.head('out', 'j')).toBeNull();
    await expect(store.getBytes('out', 'j', 4)).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect((await store.presignPut('in', 'a b', { expiresInSeconds: 60, contentType: 'text/csv' })).headers).toEqual({ 'content-type': 'text/csv' });
  });
});
