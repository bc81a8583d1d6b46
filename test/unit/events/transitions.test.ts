import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventPublisher } from '../../../shared/adapters/memory/memory-event-publisher.js';
import { renderAttestationPdf } from '../../../shared/attestation/index.js';
import { FilieraEventSchema } from '../../../shared/events/event.js';
import { sweep } from '../../../shared/pipeline/sweep.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { startMemoryStack, TENANT_VAT, type Caller, type MemoryStack } from '../../fixtures/memory-stack.js';
import { makeTestPki, signCmsWith, type TestPki } from '../../fixtures/signing.js';

/**
 * docs/events.md: each transition someone waits for publishes exactly one event of its type, after it is
 * stored, through the same handlers as the API (in-memory adapters); a failed publish leaves the transition standing.
 */

const committente: Caller = { role: 'committente', tenant: 'acme' };
const compliance: Caller = { role: 'compliance' };
const callcenter: Caller = { role: 'callcenter', callcenter: 'cc-napoli' };
const justification = 'Verificata a mano con il legale rappresentante.';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki(TENANT_VAT.acme, 'RSSMRA80A01F205X');
});

const sha256 = (bytes: string) => createHash('sha256').update(bytes).digest('hex');

function list(n: number): string {
  const rows = ['nome;telefono;data_consenso;fonte_consenso'];
  for (let i = 0; i < n; i++) rows.push(`Nome${i};+39 347 ${String(3_000_000 + i).padStart(7, '0')};15/03/2026;https://www.acme-energia.it/offerte`);
  return `${rows.join('\r\n')}\r\n`;
}

function stack(policy: Record<string, unknown> = {}) {
  const events = new MemoryEventPublisher('test');
  const s = startMemoryStack({ policy, trustAnchorPems: pki.anchors, events });
  s.clock.now = new Date('2026-11-20T09:00:00.000Z');
  return { s, events };
}

async function signed(s: MemoryStack, intakeId: string, csv: string, rows: number, listSha256 = sha256(csv)) {
  const today = romeDate(s.clock.now);
  const pdf = await renderAttestationPdf(
    demoAttestationValues(
      {
        intakeId,
        listSha256,
        rowCount: String(rows),
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
        rpoCheckDate: italianDate(addDays(today, -2)),
        placeAndDate: `Milano, ${italianDate(addDays(today, -1))}`,
      },
      s.clock.now,
    ),
    { language: 'it', layout: 'same-line' },
  );
  return signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: s.clock.now }] });
}

async function submit(s: MemoryStack, attestation: 'signed' | 'unsigned' | 'wrong-hash', n = 30) {
  const opened = await s.call('POST', '/v1/intakes', committente, { callCenter: 'cc-napoli', campaign: 'luce' });
  const intakeId = opened.json.intakeId as string;
  const csv = list(n);
  await s.upload(intakeId, 'list', csv);
  const file =
    attestation === 'unsigned' ? await s.unsignedAttestation(intakeId, csv, n) : await signed(s, intakeId, csv, n, attestation === 'wrong-hash' ? sha256('another list') : undefined);
  await s.upload(intakeId, 'attestation', file);
  return intakeId;
}

const types = (events: MemoryEventPublisher) => events.events.map((e) => e.type);

describe('each awaited transition publishes one event', () => {
  it('an approved intake: intake.released, with the intake, its scope and its counts, and no contact data', async () => {
    const { s, events } = stack();
    const intakeId = await submit(s, 'signed');
    expect((await s.call('GET', `/v1/intakes/${intakeId}`, committente)).json.status).toBe('RELEASED');
    expect(types(events)).toEqual(['filiera.intake.released']);
    const [event] = events.events;
    expect(FilieraEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      specversion: '1.0',
      source: 'filiera/test',
      subject: intakeId,
      data: { intakeId, tenant: 'acme', callCenter: 'cc-napoli', campaign: 'luce', status: 'RELEASED', verdict: 'approved', counts: { dataRows: 30, releasedRows: 30, excludedRows: 0 } },
    });
    // The id names the audit event that recorded the release: the same step always has the same id.
    const trail = (await s.call('GET', `/v1/intakes/${intakeId}/audit`, committente)).json;
    const published = (trail.events ?? trail).find((e: { type: string }) => e.type === 'release.published');
    expect(event!.id).toBe(`${intakeId}.${published.seq}`);
    expect(JSON.stringify(event)).not.toMatch(/\+39|347/);
  });

  it('a rejected intake: intake.rejected', async () => {
    const { s, events } = stack();
    await submit(s, 'wrong-hash');
    expect(types(events)).toEqual(['filiera.intake.rejected']);
    expect(events.events[0]!.data).toMatchObject({ status: 'REJECTED', verdict: 'rejected' });
  });

  it('in review, then a reviewer approves: intake.in_review, intake.decided, intake.released', async () => {
    const { s, events } = stack();
    const intakeId = await submit(s, 'unsigned');
    expect(types(events)).toEqual(['filiera.intake.in_review']);
    const decided = await s.call('POST', `/v1/review/${intakeId}/decision`, compliance, { decision: 'approve', justification });
    expect(decided.status).toBe(200);
    expect(types(events)).toEqual(['filiera.intake.in_review', 'filiera.intake.decided', 'filiera.intake.released']);
    expect(events.events[1]!.data.status).toBe('APPROVED');
    expect(new Set(events.events.map((e) => e.id)).size).toBe(3);
  });

  it('a reviewer rejects: intake.decided with the REJECTED status, and nothing else', async () => {
    const { s, events } = stack();
    const intakeId = await submit(s, 'unsigned');
    await s.call('POST', `/v1/review/${intakeId}/decision`, compliance, { decision: 'reject', justification });
    expect(types(events)).toEqual(['filiera.intake.in_review', 'filiera.intake.decided']);
    expect(events.events[1]!.data.status).toBe('REJECTED');
  });

  it('a consent sample is due: intake.evidence_requested', async () => {
    const { s, events } = stack({ consentSampleSize: 10 });
    const intakeId = await submit(s, 'signed');
    expect((await s.call('GET', `/v1/intakes/${intakeId}`, committente)).json.status).toBe('AWAITING_EVIDENCE');
    expect(types(events)).toEqual(['filiera.intake.evidence_requested']);
  });

  it('no evidence within consentEvidenceHours: intake.rejected when the sweep rejects it', async () => {
    const { s, events } = stack({ consentSampleSize: 10, consentEvidenceHours: 72 });
    const intakeId = await submit(s, 'signed');
    s.clock.now = new Date(s.clock.now.getTime() + 73 * 3_600_000);
    await sweep(s.deps);
    expect((await s.call('GET', `/v1/intakes/${intakeId}`, committente)).json.status).toBe('REJECTED');
    expect(types(events)).toEqual(['filiera.intake.evidence_requested', 'filiera.intake.rejected']);
  });

  it('each download link issued to the call center: release.downloaded', async () => {
    const { s, events } = stack();
    const intakeId = await submit(s, 'signed');
    expect((await s.call('GET', `/v1/releases/${intakeId}`, callcenter)).status).toBe(200);
    expect(types(events)).toEqual(['filiera.intake.released', 'filiera.release.downloaded']);
    expect(events.events[1]!.data).toMatchObject({ intakeId, callCenter: 'cc-napoli', status: 'RELEASED' });
  });

  it('a publish that fails is logged and leaves the transition stored', async () => {
    const { s, events } = stack();
    const errors: string[] = [];
    s.deps.log = { ...s.deps.log, error: (message: string) => errors.push(message) };
    events.failWith = new Error('bus unavailable');
    const intakeId = await submit(s, 'signed');
    expect((await s.call('GET', `/v1/intakes/${intakeId}`, committente)).json.status).toBe('RELEASED');
    expect(events.events).toEqual([]);
    expect(errors.some((m) => m.startsWith('event not published'))).toBe(true);
  });
});
