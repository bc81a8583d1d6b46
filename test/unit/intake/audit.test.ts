import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  canonicalJson,
  chainAuditEvent,
  GENESIS_HASH,
  hashAuditEvent,
  verifyAuditChain,
} from '../../../shared/intake/audit.js';

function trail(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push(
      chainAuditEvent('FIL-0123456789', events.at(-1), {
        type: i === 0 ? 'intake.created' : 'upload.received',
        actor: 'system:pipeline',
        at: new Date(Date.UTC(2025, 2, 10, 9, i)).toISOString(),
        data: { step: i, nested: { b: 2, a: [1, { y: 1, x: 0 }] } },
      }),
    );
  }
  return events;
}

describe('audit chain', () => {
  it('chains from 64 zeros, seq 1..n, each prevHash the previous hash', () => {
    const events = trail(4);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(verifyAuditChain(events)).toEqual({ valid: true });
  });

  it('hashes the canonical JSON (sorted keys) of the event without its hash', () => {
    const [event] = trail(1);
    const { hash, ...rest } = event!;
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, 1] } })).toBe('{"a":{"c":[2,1]},"b":1}');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditEvent(rest)).toBe(hash);
    // Key order in storage does not matter.
    const reordered = Object.fromEntries(Object.entries(event!).reverse()) as unknown as AuditEvent;
    expect(hashAuditEvent(reordered)).toBe(hash);
  });

  it.each([
    {
      name: "an event's data altered",
      tamper: (e: AuditEvent[]) => {
        e[2] = { ...e[2]!, data: { ...e[2]!.data, step: 99 } };
      },
      brokenAt: 3,
      reason: /hash does not match/,
    },
    {
      name: 'an altered event re-hashed (the next link breaks)',
      tamper: (e: AuditEvent[]) => {
        const altered = { ...e[1]!, actor: 'someone:else' };
        e[1] = { ...altered, hash: hashAuditEvent(altered) };
      },
      brokenAt: 3,
      reason: /prevHash/,
    },
    {
      name: 'two events swapped',
      tamper: (e: AuditEvent[]) => {
        [e[1], e[2]] = [e[2]!, e[1]!];
      },
      brokenAt: 2,
      reason: /seq/,
    },
    {
      name: 'an event deleted',
      tamper: (e: AuditEvent[]) => {
        e.splice(3, 1);
      },
      brokenAt: 4,
      reason: /seq/,
    },
    {
      name: 'an event deleted and the rest renumbered',
      tamper: (e: AuditEvent[]) => {
        e.splice(1, 1);
        for (let i = 1; i < e.length; i++) e[i] = { ...e[i]!, seq: i + 1 };
      },
      brokenAt: 2,
      reason: /prevHash/,
    },
    {
      name: 'the first event deleted',
      tamper: (e: AuditEvent[]) => {
        e.shift();
      },
      brokenAt: 1,
      reason: /seq/,
    },
    {
      name: "another intake's event slipped in",
      tamper: (e: AuditEvent[]) => {
        e[4] = { ...e[4]!, intakeId: 'FIL-ZZZZZZZZZZ' };
      },
      brokenAt: 5,
      reason: /intake/,
    },
  ])('finds $name at $brokenAt', ({ tamper, brokenAt, reason }) => {
    // Prepare
    const events = trail(6);
    // Act
    tamper(events);
    const check = verifyAuditChain(events);
    // Assess
    expect(check.valid).toBe(false);
    expect(check.brokenAt).toBe(brokenAt);
    expect(check.reason).toMatch(reason);
  });

  it('says an empty trail is not valid', () => {
    expect(verifyAuditChain([])).toMatchObject({ valid: false, brokenAt: 1 });
  });

  it('refuses data that is not a JSON object', () => {
    expect(() => chainAuditEvent('FIL-0123456789', undefined, { type: 'x', actor: 'a', at: new Date().toISOString(), data: [1] as never })).toThrow(TypeError);
  });
});
