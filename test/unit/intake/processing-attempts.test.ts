import { describe, expect, it } from 'vitest';
import { MemoryIntakeRepository } from '../../../shared/adapters/memory/memory-intake-repository.js';
import type { Finding } from '../../../shared/finding.js';
import { IllegalTransitionError, Intake, MAX_PROCESSING_ATTEMPTS } from '../../../shared/intake/intake.js';
import {
  ATTESTATION_BUDGET_BYTES,
  boundValue,
  FINDINGS_BUDGET_BYTES,
  fitToBudget,
  itemBytes,
  ITEM_STEPS,
  LIST_REPORT_BUDGET_BYTES,
  truncateString,
} from '../../../shared/intake/stored-bounds.js';
import type { ListReport } from '../../../shared/list/model.js';

const T0 = new Date('2026-03-10T09:00:00.000Z');
const ctx = (minutes: number) => ({ actor: 'system:pipeline', now: new Date(T0.getTime() + minutes * 60_000) });
const failed: Finding = { code: 'processing_failed', severity: 'reject', message: 'failed 3 times' };

function processing(): Intake {
  let intake = Intake.open({ tenantId: 'acme', callCenterId: 'cc', campaign: 'c', actor: 'a', now: T0 }).intake;
  for (const kind of ['list', 'attestation'] as const) {
    intake = intake.recordUpload(kind, { key: intake.uploadKey(kind), size: 1, etag: 'e', uploadedAt: T0.toISOString() }, ctx(0)).next;
  }
  return intake.startProcessing(ctx(1)).next;
}

describe('processing attempts (Filiera specification §2)', () => {
  it('start is attempt 1, each resume one more; past the last, resume is refused and failProcessing ends it REJECTED', () => {
    let intake = processing();
    expect(intake.processingAttempts).toBe(1);
    expect(() => intake.failProcessing(failed, ctx(2))).toThrow(IllegalTransitionError);
    for (let attempt = 2; attempt <= MAX_PROCESSING_ATTEMPTS; attempt++) {
      const move = intake.resumeProcessing(ctx(attempt * 20));
      expect(move.event.data).toMatchObject({ attempt });
      intake = move.next;
    }
    expect(intake.processingExhausted).toBe(true);
    expect(() => intake.resumeProcessing(ctx(100))).toThrow(/attempts failed/);
    const end = intake.failProcessing(failed, ctx(101));
    expect(end.next.status).toBe('REJECTED');
    expect(end.next.verdict).toBe('rejected');
    expect(end.changes.findings).toEqual([failed]);
    expect(end.event).toMatchObject({ type: 'processing.failed', data: { from: 'PROCESSING', to: 'REJECTED', attempts: 3 } });
    expect(end.next.processingExhausted).toBe(false);
  });

  it('an attempt that ends waiting for an extraction job did not fail: the count starts again', () => {
    const waiting = processing().awaitExtraction({ jobId: 'job-1', key: 'k' }, ctx(2));
    expect(waiting.next.status).toBe('PROCESSING');
    expect(waiting.next.processingAttempts).toBe(0);
    expect(waiting.event).toMatchObject({ type: 'attestation.extraction_started', data: { jobId: 'job-1', key: 'k' } });
    // The completion's claim, then two crashes: still allowed; a third crash ends it.
    let intake = waiting.next;
    for (let i = 0; i < MAX_PROCESSING_ATTEMPTS; i++) intake = intake.resumeProcessing(ctx(10 + i)).next;
    expect(intake.processingExhausted).toBe(true);
  });

  it('snapshots stored before attempts were counted read as 0 attempts', () => {
    const snapshot = processing().toSnapshot();
    delete snapshot.processingAttempts;
    expect(Intake.fromSnapshot(snapshot).processingAttempts).toBe(0);
  });
});

describe('stored strings are bounded (Filiera specification §9)', () => {
  it('cuts a string with an ellipsis, never inside a surrogate pair', () => {
    expect(truncateString('abcdef', 6)).toBe('abcdef');
    expect(truncateString('abcdefg', 4)).toBe('abc…');
    expect(truncateString('ab😀cd', 4)).toBe('ab…');
    expect(truncateString('ab😀cd', 5)).toBe('ab😀…');
  });

  it('cuts strings and arrays at every depth, keeping keys and other values', () => {
    expect(boundValue({ a: ['xxxx', 'y', 'z'], n: 5, b: { c: 'long text' }, t: true }, { maxString: 3, maxArray: 2 })).toEqual({
      a: ['xx…', 'y'],
      n: 5,
      b: { c: 'lo…' },
      t: true,
    });
  });

  it('measures as DynamoDB does: UTF-8 bytes, numbers at most 21 bytes, 1 byte per element and the keys', () => {
    expect(itemBytes('è')).toBe(2);
    expect(itemBytes({ ab: ['x', 1, true] })).toBe(3 + 1 + 2 + (3 + 2 + 22 + 2));
  });

  it('fits a value to its budget by the first step that fits, else its fallback', () => {
    const small = { s: 'x'.repeat(10) };
    expect(fitToBudget(small, 1000, ITEM_STEPS, () => ({ s: '' }))).toBe(small);
    const big = { s: 'x'.repeat(5000) };
    expect(fitToBudget(big, 1000, ITEM_STEPS, () => ({ s: '' })).s).toHaveLength(500);
    const huge = { many: Array.from({ length: 100 }, () => ({ deep: Array.from({ length: 100 }, () => 'y'.repeat(100)) })) };
    expect(fitToBudget(huge, 1000, ITEM_STEPS, () => ({ many: [] }))).toEqual({ many: [] });
  });

  it('a verdict with oversized findings, list report and attestation is stored within its budgets', () => {
    const huge = 'è'.repeat(300_000);
    const findings: Finding[] = Array.from({ length: 500 }, (_, i) => ({ code: `code_${i}`, severity: 'reject', message: huge, messageIt: huge, rule: 'r' }));
    const list = {
      readable: true, sha256: 'a'.repeat(64), bytes: 1, encoding: 'utf-8', delimiter: ';', header: Array.from({ length: 20_000 }, () => huge.slice(0, 1000)),
      phoneColumn: huge, dataRows: 1, releasedRows: 1, excluded: { invalid_phone: 0, not_callable: 0, duplicate: 0, consent_out_of_period: 0, invalid_consent_date: 0, consent_date_missing: 0, rpo_opposed: 0 },
      samples: Array.from({ length: 100 }, (_, row) => ({ row, reason: 'invalid_phone' as const, phone: huge })),
    } satisfies ListReport;
    const attestation = { format: 'pdf', sha256: 'b'.repeat(64), fields: { purpose: { raw: huge, value: huge, confidence: 1, source: 'text-layer' } }, signature: { present: true, valid: false, checks: [], signer: { subject: huge }, notes: [huge] } };
    const move = processing().recordVerdict({ verdict: 'rejected', findings, list, attestation }, ctx(5));
    expect(itemBytes(move.changes.findings)).toBeLessThanOrEqual(FINDINGS_BUDGET_BYTES);
    expect(itemBytes(move.changes.list)).toBeLessThanOrEqual(LIST_REPORT_BUDGET_BYTES);
    expect(itemBytes(move.changes.attestation)).toBeLessThanOrEqual(ATTESTATION_BUDGET_BYTES);
    // What matters for a decision survives: codes, severities, counts, hashes.
    expect(move.changes.findings!.slice(0, 3).map((f) => [f.code, f.severity])).toEqual([['code_0', 'reject'], ['code_1', 'reject'], ['code_2', 'reject']]);
    expect(move.changes.list).toMatchObject({ sha256: 'a'.repeat(64), dataRows: 1, excluded: list.excluded });
    expect(move.changes.attestation).toMatchObject({ format: 'pdf', sha256: 'b'.repeat(64) });
    // Small verdicts are stored as they are.
    const plain = processing().recordVerdict({ verdict: 'rejected', findings: [failed] }, ctx(5));
    expect(plain.changes.findings).toEqual([failed]);
  });
});

describe('the in-memory repository holds items to DynamoDB\'s 400 KB', () => {
  it('refuses a write DynamoDB would refuse, and keeps the intake as it was', async () => {
    const repo = new MemoryIntakeRepository();
    const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc', campaign: 'c', actor: 'a', now: T0 });
    await repo.create(intake, event);
    const move = intake.recordUpload('list', { key: intake.uploadKey('list'), size: 1, etag: 'e', uploadedAt: T0.toISOString() }, ctx(0));
    await expect(repo.transition(move.intakeId, move.expected, { ...move.changes, receiptKey: 'x'.repeat(500_000) }, move.event)).rejects.toThrow(
      /maximum allowed size: the intake takes \d+ bytes/,
    );
    await expect(repo.appendEvent(intake.intakeId, { type: 'note', actor: 'a', at: T0.toISOString(), data: { text: 'y'.repeat(500_000) } })).rejects.toThrow(
      /the audit event takes/,
    );
    expect((await repo.get(intake.intakeId))!.version).toBe(0);
    expect(await repo.auditTrail(intake.intakeId)).toHaveLength(1);
    // The same write within the limit goes through.
    await repo.transition(move.intakeId, move.expected, move.changes, move.event);
  });
});
