import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/finding.js';
import {
  IllegalTransitionError,
  Intake,
  type IntakeAction,
  type IntakeStatus,
  type IntakeTransition,
  intakeStatuses,
} from '../../../shared/intake/intake.js';
import { isIntakeId, newIntakeId, normalizeIntakeId } from '../../../shared/intake/intake-id.js';
import { parseUploadKey, releaseKeys, uploadKey } from '../../../shared/intake/object-keys.js';

const T0 = new Date('2025-03-10T09:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const system = (minutes = 1) => ({ actor: 'system:pipeline', now: later(minutes) });
const reviewFinding: Finding = { code: 'unsigned_attestation', severity: 'review', message: 'no signature' };
const sampleRow = (row: number) => ({ row, index: row - 1, phone: `+39347100000${row}`, consentDate: null, consentSource: null, key: 'c'.repeat(64) });
const awaitSample = (i: Intake, minutes = 5) =>
  i.awaitEvidence(
    { documentsVerdict: 'approved', findings: [], receiptKey: 'r', sample: { seed: 'a'.repeat(64), nonce: 'b'.repeat(64), size: 2, rows: [sampleRow(1), sampleRow(3)] }, hours: 72 },
    system(minutes),
  );
const receiveEvidence = (i: Intake, minutes = 6) =>
  i.receiveEvidence({ key: i.evidenceKey(), size: 10, etag: 'etag-evidence', uploadedAt: later(minutes).toISOString() }, system(minutes));

function open(): Intake {
  return Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'spring', actor: 'committente:acme/alice', now: T0, intakeId: 'FIL-0123456789' }).intake;
}

function upload(intake: Intake, kind: 'list' | 'attestation', minutes = 1): Intake {
  return intake.recordUpload(kind, { key: intake.uploadKey(kind), size: 10, etag: `etag-${kind}`, uploadedAt: later(minutes).toISOString() }, system(minutes)).next;
}

/** An intake brought to each status by legal moves only. */
function inStatus(status: IntakeStatus): Intake {
  const both = upload(upload(open(), 'list'), 'attestation');
  const processing = both.startProcessing(system(2)).next;
  switch (status) {
    case 'AWAITING_UPLOADS':
      return open();
    case 'PROCESSING':
      return processing;
    case 'AWAITING_EVIDENCE':
      return awaitSample(processing, 3).next;
    case 'APPROVED':
      return processing.recordVerdict({ verdict: 'approved', findings: [] }, system(3)).next;
    case 'IN_REVIEW':
      return processing.recordVerdict({ verdict: 'review', findings: [reviewFinding] }, system(3)).next;
    case 'REJECTED':
      return processing.recordVerdict({ verdict: 'rejected', findings: [{ code: 'hash_mismatch', severity: 'reject', message: 'x' }] }, system(3)).next;
    case 'RELEASED':
      return inStatus('APPROVED').release({ ...releaseKeys('cc-napoli', 'FIL-0123456789'), expiresAt: later(9000).toISOString() }, system(4)).next;
    case 'EXPIRED':
      return open().expire(system(24 * 60)).next;
  }
}

/** Each move with inputs that are valid when the status allows it. */
const moves: Record<IntakeAction, (intake: Intake) => IntakeTransition> = {
  recordUpload: (i) => i.recordUpload('list', { key: i.uploadKey('list'), size: 1, etag: 'e', uploadedAt: later(5).toISOString() }, system(5)),
  startProcessing: (i) => upload(upload(i, 'list', 5), 'attestation', 5).startProcessing(system(6)),
  resumeProcessing: (i) => i.resumeProcessing(system(30)),
  awaitExtraction: (i) => i.awaitExtraction({ jobId: 'job-1' }, system(5)),
  failProcessing: (i) => {
    let current = i;
    while (current.status === 'PROCESSING' && !current.processingExhausted) current = current.resumeProcessing(system(30)).next;
    return current.failProcessing({ code: 'processing_failed', severity: 'reject', message: 'x' }, system(40));
  },
  recordVerdict: (i) => i.recordVerdict({ verdict: 'approved', findings: [] }, system(5)),
  awaitEvidence: (i) => awaitSample(i),
  receiveEvidence: (i) => receiveEvidence(i),
  // Refusing evidence needs evidence being checked: a PROCESSING intake is brought there first by legal moves.
  refuseEvidence: (i) => {
    const checking = i.status === 'PROCESSING' ? receiveEvidence(awaitSample(i).next).next : i;
    return checking.refuseEvidence([], system(8));
  },
  evidenceOverdue: (i) => i.evidenceOverdue({ code: 'consent_evidence_overdue', severity: 'reject', message: 'x' }, system(72 * 60 + 10)),
  decideReview: (i) => i.decideReview({ decision: 'approve', justification: 'checked the paper original', reviewer: 'bob' }, { now: later(5) }),
  release: (i) => i.release({ key: 'k', receiptKey: 'r', expiresAt: later(9000).toISOString() }, system(5)),
  expire: (i) => i.expire(system(24 * 60 + 1)),
};

const legal: Record<IntakeAction, IntakeStatus[]> = {
  recordUpload: ['AWAITING_UPLOADS'],
  startProcessing: ['AWAITING_UPLOADS'],
  resumeProcessing: ['PROCESSING'],
  awaitExtraction: ['PROCESSING'],
  failProcessing: ['PROCESSING'],
  recordVerdict: ['PROCESSING'],
  awaitEvidence: ['PROCESSING'],
  receiveEvidence: ['AWAITING_EVIDENCE'],
  refuseEvidence: ['PROCESSING'],
  evidenceOverdue: ['AWAITING_EVIDENCE'],
  decideReview: ['IN_REVIEW'],
  release: ['APPROVED'],
  expire: ['AWAITING_UPLOADS'],
};

const expectedTarget: Record<IntakeAction, IntakeStatus> = {
  recordUpload: 'AWAITING_UPLOADS',
  startProcessing: 'PROCESSING',
  resumeProcessing: 'PROCESSING',
  awaitExtraction: 'PROCESSING',
  failProcessing: 'REJECTED',
  recordVerdict: 'APPROVED',
  awaitEvidence: 'AWAITING_EVIDENCE',
  receiveEvidence: 'PROCESSING',
  refuseEvidence: 'AWAITING_EVIDENCE',
  evidenceOverdue: 'REJECTED',
  decideReview: 'APPROVED',
  release: 'RELEASED',
  expire: 'EXPIRED',
};

const matrix = (Object.keys(moves) as IntakeAction[]).flatMap((action) =>
  intakeStatuses.map((status) => ({ action, status, allowed: legal[action].includes(status) })),
);

describe('Intake lifecycle', () => {
  it('opens awaiting uploads, version 0, with a 24 h upload deadline and server-chosen keys', () => {
    // Prepare / Act
    const { intake, event } = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'spring', actor: 'committente:acme/alice', now: T0 });
    // Assess
    expect(isIntakeId(intake.intakeId)).toBe(true);
    expect(intake.status).toBe('AWAITING_UPLOADS');
    expect(intake.version).toBe(0);
    expect(intake.uploadDeadline).toBe('2025-03-11T09:00:00.000Z');
    expect(intake.uploadKey('list')).toBe(`tenants/acme/intakes/${intake.intakeId}/list.csv`);
    expect(intake.uploadKey('attestation')).toBe(`tenants/acme/intakes/${intake.intakeId}/attestation`);
    expect(event).toMatchObject({ type: 'intake.created', actor: 'committente:acme/alice', at: T0.toISOString() });
  });

  it.each(matrix.filter((m) => m.allowed))('$action is allowed from $status', ({ action, status }) => {
    const intake = inStatus(status);
    const transition = moves[action](intake);
    expect(transition.next.status).toBe(expectedTarget[action]);
    expect(transition.changes.status).toBe(expectedTarget[action]);
    expect(transition.next.version).toBe(transition.expected.version + 1);
    expect(transition.event.data).toMatchObject({ to: expectedTarget[action] });
  });

  it.each(matrix.filter((m) => !m.allowed))('$action is refused from $status', ({ action, status }) => {
    const intake = inStatus(status);
    expect(() => moves[action](intake)).toThrow(IllegalTransitionError);
  });

  it('expects the status and version it was read at', () => {
    const t = inStatus('PROCESSING').recordVerdict({ verdict: 'review', findings: [reviewFinding] }, system(3));
    expect(t.expected).toEqual({ from: 'PROCESSING', version: 3 });
    expect(t.next.status).toBe('IN_REVIEW');
  });

  it.each([
    ['approved', 'APPROVED'],
    ['review', 'IN_REVIEW'],
    ['rejected', 'REJECTED'],
  ] as const)('verdict %s leads to %s', (verdict, status) => {
    const findings: Finding[] = verdict === 'approved' ? [] : [{ code: 'x', severity: verdict === 'review' ? 'review' : 'reject', message: 'x' }];
    expect(inStatus('PROCESSING').recordVerdict({ verdict, findings }, system(3)).next.status).toBe(status);
  });

  it.each([
    ['approve', 'APPROVED'],
    ['reject', 'REJECTED'],
  ] as const)('a reviewer decision to %s leads to %s and is recorded', (decision, status) => {
    const t = inStatus('IN_REVIEW').decideReview({ decision, justification: '  seen the original  ', reviewer: 'bob' }, { now: later(10) });
    expect(t.next.status).toBe(status);
    expect(t.next.review).toEqual({ decision, justification: 'seen the original', reviewer: 'bob', decidedAt: later(10).toISOString() });
    expect(t.event).toMatchObject({ type: 'review.decided', actor: 'compliance:bob' });
  });

  describe('refuses moves whose inputs do not hold', () => {
    it.each([
      ['a key outside the intake', (i: Intake) => i.recordUpload('list', { key: 'tenants/other/intakes/FIL-0123456789/list.csv', size: 1, etag: 'e', uploadedAt: later(1).toISOString() }, system())],
      ['the attestation at the list key', (i: Intake) => i.recordUpload('attestation', { key: i.uploadKey('list'), size: 1, etag: 'e', uploadedAt: later(1).toISOString() }, system())],
      ['an upload after the deadline', (i: Intake) => i.recordUpload('list', { key: i.uploadKey('list'), size: 1, etag: 'e', uploadedAt: later(24 * 60 + 1).toISOString() }, system(24 * 60 + 1))],
      ['processing with one file', (i: Intake) => upload(i, 'list').startProcessing(system(2))],
      ['processing with no file', (i: Intake) => i.startProcessing(system(2))],
      ['expiry before the deadline', (i: Intake) => i.expire(system(24 * 60 - 1))],
      ['expiry with both files', (i: Intake) => upload(upload(i, 'list'), 'attestation').expire(system(24 * 60 + 1))],
    ])('%s', (_name, act) => {
      expect(() => act(open())).toThrow(IllegalTransitionError);
    });

    it('an approved verdict with a reject finding', () => {
      expect(() => inStatus('PROCESSING').recordVerdict({ verdict: 'approved', findings: [{ code: 'x', severity: 'reject', message: 'x' }] }, system(3))).toThrow(IllegalTransitionError);
    });

    it('a review decision without justification', () => {
      expect(() => inStatus('IN_REVIEW').decideReview({ decision: 'approve', justification: '   ', reviewer: 'bob' }, { now: later(9) })).toThrow(/justification/);
    });
  });

  it('lets a file be replaced before processing, and says so in the event', () => {
    const once = upload(open(), 'list', 1);
    const t = once.recordUpload('list', { key: once.uploadKey('list'), size: 99, etag: 'second', uploadedAt: later(2).toISOString() }, system(2));
    expect(t.next.uploads.list).toMatchObject({ size: 99, etag: 'second' });
    expect(t.event.data).toMatchObject({ replaced: true, kind: 'list' });
  });

  it('releases exactly once: a second release of the same intake is refused', () => {
    const released = inStatus('RELEASED');
    expect(released.releaseRecord).toMatchObject({ key: 'callcenters/cc-napoli/releases/FIL-0123456789/list.csv' });
    expect(() => moves.release(released)).toThrow(IllegalTransitionError);
  });

  it('is immutable: a move returns a new intake and leaves the old one as it was', () => {
    const before = open();
    const t = moves.recordUpload(before);
    expect(before.uploads.list).toBeUndefined();
    expect(before.version).toBe(0);
    expect(t.next.uploads.list).toBeDefined();
  });

  it('round-trips through its snapshot, and refuses a snapshot that is not an intake', () => {
    const intake = inStatus('RELEASED');
    expect(Intake.fromSnapshot(intake.toSnapshot()).toSnapshot()).toEqual(intake.toSnapshot());
    expect(() => Intake.fromSnapshot({ ...intake.toSnapshot(), status: 'LOST' })).toThrow();
    expect(() => Intake.fromSnapshot({ ...intake.toSnapshot(), intakeId: 'ABC' })).toThrow();
  });
});

describe('intake ids and keys', () => {
  it('issues FIL- and 10 Crockford base32 symbols', () => {
    const ids = Array.from({ length: 200 }, () => newIntakeId());
    for (const id of ids) expect(id).toMatch(/^FIL-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['fil-0123456789', 'FIL-0123456789'],
    ['FIL-O12345678I', 'FIL-0123456781'],
    ['FIL 01234 56789', 'FIL-0123456789'],
    ['FIL-012345678', null],
    ['XYZ-0123456789', null],
  ])('reads %s as %s', (input, expected) => {
    expect(normalizeIntakeId(input)).toBe(expected);
  });

  it('builds keys from ids only and refuses unsafe segments', () => {
    expect(uploadKey('acme', 'FIL-0123456789', 'list')).toBe('tenants/acme/intakes/FIL-0123456789/list.csv');
    expect(parseUploadKey('tenants/acme/intakes/FIL-0123456789/attestation')).toEqual({ tenantId: 'acme', intakeId: 'FIL-0123456789', kind: 'attestation' });
    expect(parseUploadKey('tenants/acme/intakes/FIL-0123456789/other.pdf')).toBeNull();
    expect(() => uploadKey('../etc', 'FIL-0123456789', 'list')).toThrow(RangeError);
    expect(() => releaseKeys('cc/x', 'FIL-0123456789')).toThrow(RangeError);
  });
});

describe('the consent sample in the lifecycle (Filiera specification §10)', () => {
  it('knows the evidence key, and only that key among the intake prefix is evidence', () => {
    const intake = open();
    expect(intake.evidenceKey()).toBe('tenants/acme/intakes/FIL-0123456789/consent-evidence.csv');
    expect(parseUploadKey(intake.evidenceKey())).toEqual({ tenantId: 'acme', intakeId: 'FIL-0123456789', kind: 'evidence' });
    expect(parseUploadKey('tenants/acme/intakes/FIL-0123456789/consent-evidence.csv.bak')).toBeNull();
  });

  it('waits with the documents\' verdict and a deadline consentEvidenceHours after the request', () => {
    const t = awaitSample(inStatus('PROCESSING'), 5);
    expect(t.next.status).toBe('AWAITING_EVIDENCE');
    expect(t.next.verdict).toBeUndefined();
    expect(t.next.consentSample).toMatchObject({ documentsVerdict: 'approved', sampledRows: 2, rowsComplete: true, requestedAt: later(5).toISOString(), deadline: later(5 + 72 * 60).toISOString() });
    expect(t.event).toMatchObject({ type: 'consent_sample.requested', data: { from: 'PROCESSING', to: 'AWAITING_EVIDENCE', rows: [1, 3] } });
  });

  it('refuses to wait for a rejected intake, and to draw twice', () => {
    const processing = inStatus('PROCESSING');
    const input = { documentsVerdict: 'rejected' as never, findings: [], receiptKey: 'r', sample: { seed: 'a'.repeat(64), nonce: 'b'.repeat(64), size: 1, rows: [] }, hours: 72 };
    expect(() => processing.awaitEvidence(input, system(5))).toThrow(IllegalTransitionError);
    const again = receiveEvidence(awaitSample(processing).next).next;
    expect(() => awaitSample(again, 9)).toThrow(/drawn once/);
  });

  it('takes evidence up to the deadline exactly, not after, and is overdue only after it', () => {
    const waiting = inStatus('AWAITING_EVIDENCE'); // requested at minute 3
    const deadline = 3 + 72 * 60;
    expect(receiveEvidence(waiting, deadline).next.checkingEvidence).toBe(true);
    expect(() => receiveEvidence(waiting, deadline + 1)).toThrow(/after the evidence deadline/);
    const overdue = { code: 'consent_evidence_overdue', severity: 'reject' as const, message: 'x' };
    expect(() => waiting.evidenceOverdue(overdue, system(deadline))).toThrow(/has not passed/);
    const rejected = waiting.evidenceOverdue(overdue, system(deadline + 1)).next;
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.toSnapshot().findings?.map((f) => f.code)).toEqual(['consent_evidence_overdue']);
    expect(rejected.consentSample?.outcome).toBe('overdue');
  });

  it('sends an unreadable evidence file back to waiting with its errors and the same deadline', () => {
    const checking = receiveEvidence(inStatus('AWAITING_EVIDENCE'), 10).next;
    const error = { reason: 'missing_column' as never, row: null, sheetRow: null, column: 'consenso_il', message: 'no consenso_il column', messageIt: 'manca' };
    const back = checking.refuseEvidence([error], system(11)).next;
    expect(back.status).toBe('AWAITING_EVIDENCE');
    expect(back.consentSample?.refused).toMatchObject({ etag: 'etag-evidence', errors: [{ column: 'consenso_il' }] });
    expect(back.consentSample?.deadline).toBe(checking.consentSample?.deadline);
    expect(back.processingAttempts).toBe(0);
  });

  it('records the sample\'s outcome with the final verdict', () => {
    const checking = receiveEvidence(inStatus('AWAITING_EVIDENCE'), 10).next;
    const sample = { ...checking.consentSample!, outcome: 'review' as const, defectiveRows: 1 };
    const t = checking.recordVerdict({ verdict: 'review', findings: [reviewFinding], consentSample: sample }, system(12));
    expect(t.next.status).toBe('IN_REVIEW');
    expect(t.next.consentSample).toMatchObject({ outcome: 'review', defectiveRows: 1 });
    expect(t.event.data).toMatchObject({ consentSample: { outcome: 'review', defectiveRows: 1, sampledRows: 2 } });
  });
});
