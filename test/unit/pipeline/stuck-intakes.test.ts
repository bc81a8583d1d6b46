import { describe, expect, it } from 'vitest';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import { MemoryObjectStore } from '../../../shared/adapters/memory/memory-object-store.js';
import { toIntakeItem } from '../../../shared/adapters/dynamodb/intake-items.js';
import { parseConfig } from '../../../shared/config.js';
import { Intake, MAX_PROCESSING_ATTEMPTS } from '../../../shared/intake/intake.js';
import { itemBytes } from '../../../shared/intake/stored-bounds.js';
import { silentLogger, type PipelineDeps } from '../../../shared/pipeline/deps.js';
import { handleObjectCreated } from '../../../shared/pipeline/process-intake.js';
import { sweep } from '../../../shared/pipeline/sweep.js';

/**
 * docs/architecture.md, docs/limits-and-retention.md: no intake stays in PROCESSING for ever. Processing that fails for reasons other than
 * the documents' content ends REJECTED with `processing_failed` after three attempts; the sweep reaches every
 * PROCESSING intake, however many older ones keep failing; a verdict fits its DynamoDB item whatever the list's header
 * or the findings hold.
 */

const BUCKETS = { intake: 'filiera-intake', release: 'filiera-release', evidence: 'filiera-evidence' };
const T0 = Date.parse('2026-03-10T09:00:00.000Z');
const LEASE_MS = 15 * 60_000;
const LIST = 'telefono;nome\r\n3471234567;Mario\r\n';
/** Not a document Filiera reads: the verdict is a content finding (attestation_unreadable), never a failure. */
const NOT_AN_ATTESTATION = 'just some text, not a PDF';

function setup() {
  let now = T0;
  const deps = {
    intakes: new MemoryIntakeRepository(),
    objects: new MemoryObjectStore(Object.values(BUCKETS)),
    buckets: BUCKETS,
    // Tenant 'ghost' is not configured: its intakes fail at every attempt, as a fault would (not their content).
    config: async () => ({
      config: parseConfig({
        tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: 'IT01234567897', signatories: [], callCenters: ['cc-napoli'] }],
        callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli S.r.l.' }],
        trustAnchors: [],
      }),
      file: 'test',
      trustAnchorPems: [],
    }),
    now: () => new Date(now),
    log: silentLogger,
  } satisfies PipelineDeps;
  const advance = (ms: number) => {
    now += ms;
  };
  return { deps, advance };
}

type Deps = ReturnType<typeof setup>['deps'];

/** An intake with both files uploaded and recorded; `process: false` leaves it claimed (PROCESSING) as a crash would. */
async function uploaded(deps: Deps, tenantId: string, files: { list?: string; attestation?: string } = {}, process = true) {
  const { intake, event } = Intake.open({ tenantId, callCenterId: 'cc-napoli', campaign: 'luce', actor: `committente:${tenantId}`, now: deps.now() });
  await deps.intakes.create(intake, event);
  const events = [];
  for (const [kind, body] of [['list', files.list ?? LIST], ['attestation', files.attestation ?? NOT_AN_ATTESTATION]] as const) {
    const key = intake.uploadKey(kind);
    const head = await deps.objects.putObject(BUCKETS.intake, key, new TextEncoder().encode(body), { contentType: 'application/octet-stream' });
    events.push({ bucket: BUCKETS.intake, key, size: head.size, etag: head.etag });
  }
  if (process) {
    await handleObjectCreated(deps, events[0]!);
    await handleObjectCreated(deps, events[1]!).catch(() => undefined);
  } else {
    let current = intake;
    for (const [i, kind] of (['list', 'attestation'] as const).entries()) {
      const move = current.recordUpload(kind, { ...events[i]!, uploadedAt: deps.now().toISOString() }, { actor: 'x', now: deps.now() });
      await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
      current = move.next;
    }
    const claim = current.startProcessing({ actor: 'system:pipeline', now: deps.now() });
    await deps.intakes.transition(claim.intakeId, claim.expected, claim.changes, claim.event);
  }
  return intake.intakeId;
}

async function snapshot(deps: Deps, intakeId: string) {
  return (await deps.intakes.get(intakeId))!.toSnapshot();
}

describe('processing attempts are counted', () => {
  it('after three failed attempts the intake ends REJECTED with processing_failed, and is never tried again', async () => {
    // Prepare: the upload's own attempt fails (attempt 1)
    const { deps, advance } = setup();
    const id = await uploaded(deps, 'ghost');
    expect(await snapshot(deps, id)).toMatchObject({ status: 'PROCESSING', processingAttempts: 1 });
    // Act: the sweep resumes it after each lease, twice failing again (attempts 2 and 3)
    for (const attempt of [2, 3]) {
      advance(LEASE_MS + 1);
      const report = await sweep(deps);
      expect(report.failed.map((f) => f.intakeId)).toEqual([id]);
      expect(await snapshot(deps, id)).toMatchObject({ status: 'PROCESSING', processingAttempts: attempt });
    }
    advance(LEASE_MS + 1);
    const last = await sweep(deps);
    // Assess
    expect(last.failed).toEqual([]);
    const done = await snapshot(deps, id);
    expect(done).toMatchObject({ status: 'REJECTED', verdict: 'rejected', processingAttempts: MAX_PROCESSING_ATTEMPTS });
    expect(done.findings).toEqual([expect.objectContaining({ code: 'processing_failed', severity: 'reject', rule: expect.stringMatching(/^Filiera specification §2/) })]);
    expect(done.findings![0]!.message).toMatch(/failed 3 times/);
    const trail = await deps.intakes.auditTrail(id);
    expect(trail.map((e) => e.type).slice(-1)).toEqual(['processing.failed']);
    expect(trail.filter((e) => e.type === 'processing.resumed').map((e) => e.data.attempt)).toEqual([2, 3]);
    // Later sweeps leave it alone.
    advance(LEASE_MS + 1);
    expect(await sweep(deps)).toEqual({ expired: [], released: [], resumed: [], failed: [] });
    expect((await deps.intakes.auditTrail(id)).length).toBe(trail.length);
  });

  it('a resume within the lease is busy and counts nothing', async () => {
    const { deps, advance } = setup();
    const id = await uploaded(deps, 'ghost');
    advance(LEASE_MS - 1);
    await sweep(deps);
    expect(await snapshot(deps, id)).toMatchObject({ status: 'PROCESSING', processingAttempts: 1 });
  });

  it('a crash followed by a good attempt ends with the documents\' verdict, not processing_failed', async () => {
    const { deps, advance } = setup();
    const id = await uploaded(deps, 'acme', {}, false);
    advance(LEASE_MS + 1);
    const report = await sweep(deps);
    expect(report.resumed).toEqual([id]);
    const done = await snapshot(deps, id);
    expect(done.status).toBe('REJECTED');
    expect(done.findings?.map((f) => f.code)).toContain('attestation_unreadable');
    expect(done.findings?.map((f) => f.code)).not.toContain('processing_failed');
  });
});

describe('the sweep reaches every PROCESSING intake', () => {
  it('older intakes that keep failing do not hide a newer one from crash recovery', async () => {
    // Prepare: three poison intakes, oldest first, then a healthy one abandoned by a crashed worker.
    const { deps, advance } = setup();
    const ghosts = [];
    for (let i = 0; i < 3; i++) {
      ghosts.push(await uploaded(deps, 'ghost'));
      advance(1000);
    }
    const healthy = await uploaded(deps, 'acme', {}, false);
    advance(LEASE_MS + 1);
    // Act: pages of two
    const report = await sweep(deps, { limit: 2 });
    // Assess: every one was tried; the healthy one has its verdict.
    expect(report.failed.map((f) => f.intakeId).sort()).toEqual([...ghosts].sort());
    expect(report.resumed).toEqual([healthy]);
    expect((await snapshot(deps, healthy)).status).toBe('REJECTED');
    // Two more sweeps and the poison intakes are closed too: nothing stays PROCESSING.
    for (let i = 0; i < 2; i++) {
      advance(LEASE_MS + 1);
      await sweep(deps, { limit: 2 });
    }
    for (const id of ghosts) expect((await snapshot(deps, id)).findings?.[0]?.code).toBe('processing_failed');
    expect((await deps.intakes.listByStatus(['PROCESSING'], { limit: 10 })).items).toEqual([]);
  });

  it('pages AWAITING_UPLOADS too: every expired intake past the first page expires', async () => {
    const { deps, advance } = setup();
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'luce', actor: 'c', now: deps.now() });
      await deps.intakes.create(intake, event);
      ids.push(intake.intakeId);
    }
    advance(25 * 60 * 60_000);
    const report = await sweep(deps, { limit: 2 });
    expect(report.expired.sort()).toEqual([...ids].sort());
  });
});

describe('a verdict always fits its item (Filiera specification §9)', () => {
  const DYNAMODB_ITEM_LIMIT = 400 * 1024;

  it('a 600 KB header cell is stored cut, whole in the receipt, and the item stays well under 400 KB', async () => {
    const { deps } = setup();
    const long = 'colonna'.repeat(600 * 1024 / 7);
    const id = await uploaded(deps, 'acme', { list: `telefono;${long}\r\n3471234567;x\r\n` });
    const done = await snapshot(deps, id);
    expect(done.status).toBe('REJECTED');
    expect(done.list!.header[0]).toBe('telefono');
    expect(done.list!.header[1]!.length).toBeLessThanOrEqual(2000);
    expect(done.list!.header[1]!.endsWith('…')).toBe(true);
    expect(itemBytes(toIntakeItem(done, { seq: 9, hash: 'f'.repeat(64) }))).toBeLessThan(DYNAMODB_ITEM_LIMIT * 0.75);
    const receipt = JSON.parse(new TextDecoder().decode(await deps.objects.getBytes(BUCKETS.intake, done.receiptKey!, 10 << 20)));
    expect(receipt.details.header).toEqual(['telefono', long]);
  });

  it('a header without a phone column, 300 KB long, gives a bounded finding message', async () => {
    const { deps } = setup();
    const header = Array.from({ length: 3000 }, (_, i) => `colonna numero ${i} ${'x'.repeat(80)}`).join(';');
    const id = await uploaded(deps, 'acme', { list: `${header}\r\n3471234567\r\n` });
    const done = await snapshot(deps, id);
    const unreadable = done.findings!.find((f) => f.code === 'list_unreadable')!;
    expect(unreadable.message.length).toBeLessThanOrEqual(2000);
    expect(done.list!.header.length).toBeLessThanOrEqual(200);
    expect(itemBytes(toIntakeItem(done, { seq: 9, hash: 'f'.repeat(64) }))).toBeLessThan(DYNAMODB_ITEM_LIMIT * 0.75);
    // The receipt keeps the whole message.
    const receipt = JSON.parse(new TextDecoder().decode(await deps.objects.getBytes(BUCKETS.intake, done.receiptKey!, 10 << 20)));
    expect(receipt.findings.find((f: { code: string }) => f.code === 'list_unreadable').message.length).toBeGreaterThan(300_000);
  });
});
