import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { givenDeps } from '../../../functions/lib/deps-source.js';
import type { ApiEvent } from '../../../functions/lib/http.js';
import { createHandler as auditHandler } from '../../../functions/intake-audit.js';
import { verifyChain } from '../../../web/src/audit-chain.js';
import { type AuditEvent, chainAuditEvent, verifyAuditChain } from '../../../shared/intake/audit.js';
import { releaseKeys } from '../../../shared/intake/object-keys.js';
import { auditOf } from '../../../shared/pipeline/queries.js';
import { releaseIntake } from '../../../shared/pipeline/release-intake.js';
import { intakeWithVerdict, memoryDeps } from './approved-fixture.js';

/**
 * Hash links show an altered, removed or reordered event, but not the last events dropped: a shortened chain is
 * still a chain. The head (seq and hash of the last event), recorded on the intake in the same write as each event
 * and in the receipt at release, is what a trail must reach (docs/architecture.md, docs/limits-and-retention.md).
 */
function trail(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push(chainAuditEvent('FIL-0123456789', events.at(-1), { type: 'step', actor: 'system:test', at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), data: { i } }));
  }
  return events;
}
const headOf = (events: AuditEvent[]) => ({ seq: events.at(-1)!.seq, hash: events.at(-1)!.hash });
const compliance = { role: 'compliance' as const, sub: 'carla', tenants: 'all' as const };

describe('the audit trail against its recorded head', () => {
  it('finds the last events dropped, which the links alone let through', () => {
    // Prepare
    const events = trail(5);
    const head = headOf(events);
    const cut = events.slice(0, 3);
    // Act, Assess
    expect(verifyAuditChain(cut)).toEqual({ valid: true });
    expect(verifyAuditChain(cut, head)).toMatchObject({ valid: false, brokenAt: 4, reason: expect.stringMatching(/head is event 5/) });
  });

  it('finds an event at the head that is not the recorded one, and accepts one appended after the head was read', () => {
    const events = trail(4);
    expect(verifyAuditChain(events, { seq: 4, hash: 'f'.repeat(64) })).toMatchObject({ valid: false, brokenAt: 4 });
    expect(verifyAuditChain(events, headOf(events.slice(0, 3)))).toEqual({ valid: true });
  });

  it('GET /v1/intakes/{id}/audit returns the head and finds a trail whose last events were deleted in storage', async () => {
    // Prepare
    const deps = memoryDeps();
    const intake = await intakeWithVerdict(deps, { verdict: 'review' });
    const whole = await auditOf(deps, compliance, intake.intakeId);
    // Act: someone with write access to the table deletes the verdict event
    deps.intakes.tamperTrail(intake.intakeId, (events) => events.slice(0, -1));
    const cut = await auditOf(deps, compliance, intake.intakeId);
    // Assess
    expect(whole.chain).toEqual({ valid: true });
    expect(whole.head).toEqual({ seq: whole.events.length, hash: whole.events.at(-1)!.hash });
    expect(cut.head).toEqual(whole.head);
    expect(cut.chain).toMatchObject({ valid: false, brokenAt: whole.events.length });
  });

  it('anchors the head in the receipt released to the call center', async () => {
    // Prepare
    const deps = memoryDeps();
    const intake = await intakeWithVerdict(deps);
    // Act
    expect(await releaseIntake(deps, intake.intakeId)).toBe('released');
    // Assess: the receipt names the head before the release event, which chains on it
    const receipt = JSON.parse(new TextDecoder().decode(await deps.objects.getBytes('filiera-release', releaseKeys('cc-napoli', intake.intakeId).receiptKey, 1 << 20)));
    const events = await deps.intakes.auditTrail(intake.intakeId);
    const published = events.at(-1)!;
    expect(published.type).toBe('release.published');
    expect(receipt.auditHead).toEqual({ seq: published.seq - 1, hash: published.prevHash });
    expect(verifyAuditChain(events.slice(0, receipt.auditHead.seq - 1), receipt.auditHead).valid).toBe(false);
  });

  it('gives the console what its own re-check needs: the route answers the head, and a cut trail fails in the browser', async () => {
    // Prepare
    const deps = memoryDeps();
    const intake = await intakeWithVerdict(deps, { verdict: 'review' });
    const handler = auditHandler(givenDeps(deps));
    const call = async () => {
      const event = {
        version: '2.0',
        rawPath: `/v1/intakes/${intake.intakeId}/audit`,
        headers: {},
        pathParameters: { id: intake.intakeId },
        requestContext: { authorizer: { jwt: { claims: { sub: 'carla', token_use: 'id', 'cognito:groups': '[compliance]', 'custom:tenants': '*' }, scopes: null } } },
      } as unknown as ApiEvent;
      const response = await handler(event, {} as Context);
      expect(response.statusCode).toBe(200);
      return JSON.parse(String(response.body)) as { head: { seq: number; hash: string }; events: AuditEvent[] };
    };
    // Act
    const whole = await call();
    deps.intakes.tamperTrail(intake.intakeId, (events) => events.slice(0, -2));
    const cut = await call();
    // Assess
    expect(await verifyChain(whole.events, whole.head)).toMatchObject({ valid: true });
    expect(await verifyChain(cut.events, cut.head)).toMatchObject({ valid: false, reason: 'head', brokenAt: cut.events.length + 1 });
  });
});
