import { describe, expect, it } from 'vitest';
import {
  buildAppendEventInput,
  buildCreateInput,
  buildTransitionInput,
  fromEventItem,
  fromIntakeItem,
} from '../../../shared/adapters/dynamodb/intake-items.js';
import { chainAuditEvent, verifyAuditChain } from '../../../shared/intake/audit.js';
import { Intake } from '../../../shared/intake/intake.js';
import { maskListReport, maskPhone, retentionTtl } from '../../../shared/intake/retention.js';
import type { ListReport } from '../../../shared/list/model.js';
import { intakeWithVerdict, memoryDeps } from './approved-fixture.js';

/**
 * The intake item and its trail outlived the contact data (docs/limits-and-retention.md): up to a hundred phone numbers in
 * the excluded-row samples, signer identities and attestation text stayed in DynamoDB for ever. They now carry the
 * evidence retention as TTL, and the samples are masked before they are stored.
 */
const T0 = new Date('2026-03-10T09:00:00.000Z');
const FIVE_YEARS = Math.floor(T0.getTime() / 1000) + 1825 * 86_400;
const opened = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'c', actor: 'a', now: T0, intakeId: 'FIL-0123456789' });
const first = chainAuditEvent('FIL-0123456789', undefined, opened.event);
const report = (phones: string[]) =>
  ({ samples: phones.map((phone, i) => ({ row: i + 1, reason: 'rpo_objection', phone })) }) as unknown as ListReport;

describe('masking excluded-row samples', () => {
  it.each([
    ['+393471234567', '+39347*****67'],
    ['  3471234567 ', '347123**67'],
    ['0612345', '06***45'],
    ['12345', '*****'],
    ['', ''],
  ])('writes %j as %j', (cell, masked) => {
    expect(maskPhone(cell)).toBe(masked);
  });

  it('hides long cells behind at most 16 stars, and never keeps more than 8 characters of a cell', () => {
    const masked = maskPhone('mario.rossi@example.com, via Roma 1, Milano');
    expect(masked).toBe(`mario.${'*'.repeat(16)}no`);
    expect(masked.replace(/\*/g, '')).toHaveLength(8);
  });

  it('masks the samples of a list report and leaves the rest', () => {
    const masked = maskListReport({ ...report(['+393471234567']), dataRows: 3 } as ListReport);
    expect(masked.samples).toEqual([{ row: 1, reason: 'rpo_objection', phone: '+39347*****67' }]);
    expect(masked.dataRows).toBe(3);
  });
});

describe('what DynamoDB keeps, and for how long (pure inputs)', () => {
  it('gives a new intake and its first event the evidence retention from creation as TTL', () => {
    // Act
    const input = buildCreateInput('t', opened.intake.toSnapshot(), first, retentionTtl(T0.toISOString(), 1825));
    // Assess
    expect(input.TransactItems!.map((i) => i.Put!.Item!.ttl)).toEqual([FIVE_YEARS, FIVE_YEARS]);
    expect(fromIntakeItem(input.TransactItems![0]!.Put!.Item!).intake.toSnapshot()).toEqual(opened.intake.toSnapshot());
  });

  it('stores a verdict with masked samples, and the event with the TTL, which the chain does not cover', () => {
    // Prepare
    const event = chainAuditEvent('FIL-0123456789', first, { type: 'verdict.recorded', actor: 'system', at: T0.toISOString() });
    // Act
    const input = buildTransitionInput(
      't',
      'FIL-0123456789',
      { from: 'PROCESSING', version: 3 },
      { status: 'APPROVED', updatedAt: T0.toISOString(), list: report(['+393471234567', '+393359876543']) },
      { seq: 1, hash: first.hash },
      event,
      { tenantId: 'acme', callCenterId: 'cc-napoli' },
      FIVE_YEARS,
    );
    // Assess
    const update = input.TransactItems![0]!.Update!;
    const listPlaceholder = Object.entries(update.ExpressionAttributeNames!).find(([, v]) => v === 'list')![0].replace('#', ':');
    expect((update.ExpressionAttributeValues![listPlaceholder] as ListReport).samples.map((s) => s.phone)).toEqual(['+39347*****67', '+39335*****43']);
    const eventItem = input.TransactItems![1]!.Put!.Item!;
    expect(eventItem.ttl).toBe(FIVE_YEARS);
    expect(verifyAuditChain([first, fromEventItem(eventItem)])).toEqual({ valid: true });
  });

  it('gives an appended event the TTL too', () => {
    const event = chainAuditEvent('FIL-0123456789', first, { type: 'document.link_issued', actor: 'x', at: T0.toISOString() });
    expect(buildAppendEventInput('t', { seq: 1, hash: first.hash }, event, FIVE_YEARS).TransactItems![1]!.Put!.Item!.ttl).toBe(FIVE_YEARS);
  });

  it('refuses a retention that is not a positive number of days', () => {
    expect(() => retentionTtl(T0.toISOString(), 0)).toThrow(RangeError);
    expect(() => retentionTtl('yesterday', 30)).toThrow(RangeError);
  });
});

describe('the memory adapter stores as DynamoDB does', () => {
  it('keeps masked samples', async () => {
    const deps = memoryDeps();
    const intake = await intakeWithVerdict(deps, { verdict: 'review', verdictInput: { list: { ...report(['+393471234567']), sha256: 'x', dataRows: 1, releasedRows: 0 } as ListReport } });
    expect((await deps.intakes.get(intake.intakeId))!.toSnapshot().list!.samples[0]!.phone).toBe('+39347*****67');
  });
});
