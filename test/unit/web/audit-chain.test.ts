import { describe, expect, it } from 'vitest';
import { chainAuditEvent, type AuditEvent } from '../../../shared/intake/audit.js';
import { canonicalJson, verifyChain } from '../../../web/src/audit-chain.js';

/** The browser's re-check of the audit trail must agree with the server's own hashing (shared/intake/audit.ts). */
function trail(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push(
      chainAuditEvent('FIL-0123456789', events.at(-1), {
        type: i === 0 ? 'intake.created' : 'review.decided',
        actor: i === 0 ? 'committente:acme:alice' : 'compliance:carla',
        at: new Date(Date.UTC(2026, 3, 1, 10, i)).toISOString(),
        data: { z: 1, a: { y: [3, { d: 'è', b: null }], x: 'Firma autografa "verificata"' }, n: 0.5 + i },
      }),
    );
  }
  return events;
}

const headOf = (events: AuditEvent[]) => ({ seq: events.at(-1)!.seq, hash: events.at(-1)!.hash });

describe('the audit chain, re-checked in the browser with WebCrypto', () => {
  it('accepts a trail made by the server', async () => {
    // Act
    const events = trail(5);
    const check = await verifyChain(events, headOf(events));
    // Assess
    expect(check).toEqual({ valid: true, checked: 5 });
  });

  it('survives the trip through JSON, as the API delivers it', async () => {
    const events = trail(3);
    expect((await verifyChain(JSON.parse(JSON.stringify(events)), headOf(events))).valid).toBe(true);
  });

  type Tamper = (events: AuditEvent[]) => void;
  it.each<[string, Tamper, number, string]>([
    ['a changed justification', (e) => { (e[2]!.data as { a: { x: string } }).a.x = 'altered'; }, 3, 'hash'],
    ['a removed event', (e) => { e.splice(1, 1); }, 2, 'seq'],
    ['two events swapped', (e) => { [e[1], e[2]] = [e[2]!, e[1]!]; }, 2, 'seq'],
    ['another actor with a made-up hash', (e) => {
      e[1]!.actor = 'compliance:mallory';
      e[1]!.hash = e[1]!.hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    }, 2, 'hash'],
    ['a broken link', (e) => { e[3]!.prevHash = '0'.repeat(64); }, 4, 'prev_hash'],
    ['an event of another intake', (e) => { e[4]!.intakeId = 'FIL-9999999999'; }, 5, 'intake'],
  ])('finds %s', async (_name, tamper, brokenAt, reason) => {
    // Prepare
    const events = trail(5);
    const head = headOf(events);
    tamper(events);
    // Act
    const check = await verifyChain(events, head);
    // Assess
    expect(check).toMatchObject({ valid: false, brokenAt, reason });
  });

  it('does not accept an empty trail', async () => {
    expect(await verifyChain([], null)).toMatchObject({ valid: false, reason: 'empty' });
  });

  it('finds the last events dropped, which leave a valid chain behind, by the recorded head', async () => {
    // Prepare
    const events = trail(5);
    const head = headOf(events);
    // Act
    const check = await verifyChain(events.slice(0, 3), head);
    // Assess: the links alone hold, the head does not
    expect(check).toEqual({ valid: false, checked: 3, brokenAt: 4, reason: 'head' });
  });

  it('finds a trail whose event at the head is not the recorded one, and accepts events appended after the head', async () => {
    const events = trail(5);
    expect(await verifyChain(events, { seq: 4, hash: events[3]!.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) })).toMatchObject({
      valid: false,
      brokenAt: 4,
      reason: 'head',
    });
    expect(await verifyChain(events, headOf(events.slice(0, 4)))).toEqual({ valid: true, checked: 5 });
  });

  it('does not call a trail intact without a head to compare it with', async () => {
    expect(await verifyChain(trail(2), undefined)).toMatchObject({ valid: false, reason: 'head' });
  });

  it('writes canonical JSON with sorted keys at every depth and no undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"f":1}]},"b":1}');
  });
});
