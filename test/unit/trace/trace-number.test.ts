import { beforeEach, describe, expect, it } from 'vitest';
import { cleanList } from '../../fixtures/stack.js';
import { MEMORY_BUCKETS, startMemoryStack, type Caller, type MemoryStack } from '../../fixtures/memory-stack.js';
import { MemoryTraceIndex } from '../../../shared/adapters/memory/memory-trace-index.js';
import { Intake } from '../../../shared/intake/intake.js';
import type { TraceIndexRow } from '../../../shared/ports/trace-index.js';
import { traceHashHex } from '../../../shared/trace/index-layout.js';
import { parquetReadObjects } from 'hyparquet';

/**
 * GET /v1/trace over the handlers and the in-memory adapters (docs/api.md): who may trace, in which scope,
 * the number in any notation, the audit record of each trace, and the index a release writes.
 */
const KEY = new Uint8Array(32).fill(7);
const NUMBER = '+393471234567';

const callers = {
  acme: { role: 'committente', tenant: 'acme', sub: 'alice' },
  beta: { role: 'committente', tenant: 'beta', sub: 'bruno' },
  napoli: { role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' },
  compliance: { role: 'compliance', tenants: 'all', sub: 'carla' },
  complianceBeta: { role: 'compliance', tenants: ['beta'], sub: 'berta' },
  complianceNone: { role: 'compliance', tenants: [], sub: 'nessuno' },
} satisfies Record<string, Caller>;

let stack: MemoryStack;
let index: MemoryTraceIndex;

function row(intakeId: string, tenant: string, releasedAt: string): TraceIndexRow {
  return { intakeId, tenant, callCenter: tenant === 'acme' ? 'cc-napoli' : 'cc-milano', campaign: `Campagna ${intakeId}`, releasedAt, consentDate: '2026-03-15', consentSource: 'https://example.it/modulo' };
}

beforeEach(async () => {
  stack = startMemoryStack();
  index = new MemoryTraceIndex();
  stack.deps.trace = index;
  stack.deps.traceKey = { key: async () => KEY };
  const hash = traceHashHex(KEY, NUMBER);
  index.add(hash, row('FIL-ACME000001', 'acme', '2026-11-02T09:00:00.000Z'));
  index.add(hash, row('FIL-BETA000001', 'beta', '2026-11-03T09:00:00.000Z'));
  index.add(traceHashHex(KEY, '+393479999999'), row('FIL-ACME000002', 'acme', '2026-11-04T09:00:00.000Z'));
});

const trace = (caller: Caller | undefined, phone = NUMBER) => stack.call('GET', `/v1/trace?phone=${encodeURIComponent(phone)}`, caller);

describe('GET /v1/trace: who sees what', () => {
  it('compliance with every tenant finds every release that held the number, newest first, asked as the configured tenants', async () => {
    const res = await trace(callers.compliance);
    expect(res.status).toBe(200);
    expect(res.json.releases.map((r: { intakeId: string }) => r.intakeId)).toEqual(['FIL-BETA000001', 'FIL-ACME000001']);
    expect(index.queries.at(-1)!.scope).toEqual(['acme', 'beta']);
  });

  it.each([
    ['complianceBeta', ['FIL-BETA000001']],
    ['acme', ['FIL-ACME000001']],
    ['beta', ['FIL-BETA000001']],
    ['complianceNone', []],
  ] as const)('%s finds only its tenants\' releases', async (who, found) => {
    const res = await trace(callers[who]);
    expect(res.status).toBe(200);
    expect(res.json.releases.map((r: { intakeId: string }) => r.intakeId)).toEqual(found);
  });

  it('a committente\'s scope reaches the engine, not only the answer', async () => {
    await trace(callers.acme);
    expect(index.queries.at(-1)!.scope).toEqual(['acme']);
  });

  it('call centers get 403 and no token 401; neither is audited', async () => {
    expect((await trace(callers.napoli)).status).toBe(403);
    expect((await trace(undefined)).status).toBe(401);
    expect(stack.deps.objects.keys(MEMORY_BUCKETS.evidence).filter((k) => k.startsWith('trace-audit/'))).toEqual([]);
  });

  it('returns each release with its campaign, call center, release time, consent date and source', async () => {
    const res = await trace(callers.acme);
    expect(res.json).toEqual({
      phone: NUMBER,
      hash: traceHashHex(KEY, NUMBER),
      releases: [
        {
          intakeId: 'FIL-ACME000001',
          tenant: 'acme',
          campaign: 'Campagna FIL-ACME000001',
          callCenter: 'cc-napoli',
          releasedAt: '2026-11-02T09:00:00.000Z',
          signer: null,
          consentDate: '2026-03-15',
          consentSource: 'https://example.it/modulo',
          sample: null,
        },
      ],
    });
  });

  it('names the signer from the intake when it is kept', async () => {
    const opened = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'Firmata', actor: 'test', now: new Date('2026-11-01T00:00:00Z') });
    const snapshot = {
      ...opened.intake.toSnapshot(),
      attestation: { signature: { signer: { commonName: 'Mario Rossi', serialNumber: 'TINIT-RSSMRA80A01F205X', subject: 'CN=Mario Rossi', issuer: 'CN=CA', certificateSerial: '01', notBefore: '', notAfter: '' } } },
    };
    await stack.deps.intakes.create(Intake.fromSnapshot(snapshot), opened.event);
    index.add(traceHashHex(KEY, NUMBER), row(snapshot.intakeId, 'acme', '2026-11-05T09:00:00.000Z'));
    const res = await trace(callers.acme);
    expect(res.json.releases[0]).toMatchObject({ intakeId: snapshot.intakeId, signer: { commonName: 'Mario Rossi', serialNumber: 'TINIT-RSSMRA80A01F205X' } });
  });
});

describe('GET /v1/trace: the consent behind a sampled number', () => {
  it('gives the sampled row\'s checks and defects when the number was in the release\'s consent sample; null for the others', async () => {
    const opened = Intake.open({ tenantId: 'acme', callCenterId: 'cc-napoli', campaign: 'Campionata', actor: 'test', now: new Date('2026-11-01T00:00:00Z') });
    const sampleRow = (row: number, phone: string, ok: boolean) => ({
      row, index: row - 1, phone, consentDate: '2026-03-15', consentSource: 'https://example.it/modulo', key: 'a'.repeat(64), evidenceRow: row,
      checks: { record: 'passed', consent_period: 'passed', consent_date: 'passed', public_ip: ok ? 'passed' : 'failed', notice: 'passed', confirmation: 'passed' },
    });
    const snapshot = {
      ...opened.intake.toSnapshot(),
      consentSample: {
        seed: 'b'.repeat(64), nonce: 'c'.repeat(64), size: 2, sampledRows: 2, documentsVerdict: 'approved', requestedAt: '2026-11-01T00:00:00.000Z',
        deadline: '2026-11-04T00:00:00.000Z', hours: 72, rowsComplete: true, outcome: 'review', defectiveRows: 1,
        rows: [sampleRow(4, NUMBER, false), sampleRow(9, '+393480000009', true)],
        defects: [{ row: 4, check: 'public_ip', message: 'Row 4: 192.168.0.20 is not a public address.', messageIt: 'Riga 4: 192.168.0.20 non è un indirizzo pubblico.' }],
      },
    };
    await stack.deps.intakes.create(Intake.fromSnapshot(snapshot), opened.event);
    index.add(traceHashHex(KEY, NUMBER), row(snapshot.intakeId, 'acme', '2026-11-05T09:00:00.000Z'));
    index.add(traceHashHex(KEY, '+393481111111'), row(snapshot.intakeId, 'acme', '2026-11-05T09:00:00.000Z'));
    const sampled = (await trace(callers.acme)).json.releases.find((r: { intakeId: string }) => r.intakeId === snapshot.intakeId);
    expect(sampled.sample).toEqual({
      row: 4,
      evidenceRow: 4,
      checks: { record: 'passed', consent_period: 'passed', consent_date: 'passed', public_ip: 'failed', notice: 'passed', confirmation: 'passed' },
      defects: [{ check: 'public_ip', message: 'Row 4: 192.168.0.20 is not a public address.', messageIt: 'Riga 4: 192.168.0.20 non è un indirizzo pubblico.' }],
    });
    expect((await trace(callers.acme, '+393481111111')).json.releases[0].sample).toBeNull();
  });
});

describe('GET /v1/trace: the number in any notation', () => {
  it.each([['+39 347 123 4567'], ['0039 347-123-4567'], ['347.123.4567'], ['(+39) 3471234567'], ['39 3471234567']])('%j is the same number', async (phone) => {
    const res = await trace(callers.acme, phone);
    expect(res.status).toBe(200);
    expect(res.json.phone).toBe(NUMBER);
    expect(res.json.releases.map((r: { intakeId: string }) => r.intakeId)).toEqual(['FIL-ACME000001']);
  });

  it.each([['12'], ['not a number'], ['+39 000']])('%j is not a phone number: 400', async (phone) => {
    const res = await trace(callers.acme, phone);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/phone/);
  });

  it('a missing phone is 400', async () => {
    expect((await stack.call('GET', '/v1/trace', callers.acme)).status).toBe(400);
  });
});

describe('GET /v1/trace: each trace is audited', () => {
  it('writes who looked up which hash, when and what it found, to the evidence bucket, without the number', async () => {
    stack.clock.now = new Date('2026-12-02T08:15:00Z');
    await trace(callers.complianceBeta, '347 123 4567');
    const keys = stack.deps.objects.keys(MEMORY_BUCKETS.evidence).filter((k) => k.startsWith('trace-audit/'));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^trace-audit\/day=2026-12-02\/2026-12-02T081500000Z-[0-9a-f-]+\.json$/);
    const text = new TextDecoder().decode(await stack.deps.objects.getBytes(MEMORY_BUCKETS.evidence, keys[0]!, 1 << 20));
    expect(JSON.parse(text)).toMatchObject({
      type: 'trace.lookup',
      actor: 'compliance:berta',
      at: '2026-12-02T08:15:00.000Z',
      hash: traceHashHex(KEY, NUMBER),
      scope: ['beta'],
      found: ['FIL-BETA000001'],
    });
    expect(text).not.toMatch(/347\D*123\D*4567/);
  });

  it('a trace that finds nothing is audited too', async () => {
    await trace(callers.acme, '+393470000000');
    const keys = stack.deps.objects.keys(MEMORY_BUCKETS.evidence).filter((k) => k.startsWith('trace-audit/'));
    expect(keys).toHaveLength(1);
    expect(JSON.parse(new TextDecoder().decode(await stack.deps.objects.getBytes(MEMORY_BUCKETS.evidence, keys[0]!, 1 << 20)))).toMatchObject({ found: [] });
  });

  it('a lookup that cannot be recorded is not answered', async () => {
    const objects = stack.deps.objects;
    const putObject = objects.putObject.bind(objects);
    objects.putObject = async (bucket, key, body, options) => {
      if (key.startsWith('trace-audit/')) throw new Error('storage down');
      return putObject(bucket, key, body, options);
    };
    const res = await trace(callers.acme);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('FIL-ACME000001');
  });
});

describe('a release writes its trace index', () => {
  it('beside its receipt in the evidence bucket: the keyed hash of each released number, partitioned by tenant and month', async () => {
    stack.clock.now = new Date('2026-12-02T08:00:00Z');
    const created = await stack.call('POST', '/v1/intakes', callers.acme, { callCenter: 'cc-napoli', campaign: 'Dicembre' });
    const id = created.json.intakeId as string;
    const list = cleanList(4, 7);
    await stack.upload(id, 'list', list);
    await stack.upload(id, 'attestation', await stack.unsignedAttestation(id, list, 4));
    const approved = await stack.call('POST', `/v1/review/${id}/decision`, callers.compliance, { decision: 'approve', justification: 'Verificata a mano: firma autografa.' });
    expect(approved.json.status).toBe('RELEASED');

    const key = `trace/tenant=acme/month=2026-12/${id}.parquet`;
    expect(stack.deps.objects.keys(MEMORY_BUCKETS.evidence)).toContain(key);
    const bytes = await stack.deps.objects.getBytes(MEMORY_BUCKETS.evidence, key, 1 << 20);
    const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, utf8: false })) as Record<string, unknown>[];
    const numbers = [0, 1, 2, 3].map((i) => `+39347${1_000_000 + 7 * 1000 + i}`);
    expect(rows.map((r) => Buffer.from(r.hash as Uint8Array).toString('hex'))).toEqual(numbers.map((n) => traceHashHex(KEY, n)));
    expect(rows[0]).toMatchObject({ intake_id: id, call_center: 'cc-napoli', campaign: 'Dicembre', consent_date: '2026-03-15', released_at: '2026-12-02T08:00:00.000Z' });
    // The index's release time is the intake's own.
    expect((await stack.deps.intakes.get(id))!.releaseRecord!.releasedAt).toBe('2026-12-02T08:00:00.000Z');
    expect(Buffer.from(bytes).toString('latin1')).not.toContain('1007000');
  });

  it('a stack without a trace key releases unindexed (and says so)', async () => {
    delete stack.deps.traceKey;
    const created = await stack.call('POST', '/v1/intakes', callers.acme, { callCenter: 'cc-napoli', campaign: 'Senza chiave' });
    const id = created.json.intakeId as string;
    const list = cleanList(2, 8);
    await stack.upload(id, 'list', list);
    await stack.upload(id, 'attestation', await stack.unsignedAttestation(id, list, 2));
    const approved = await stack.call('POST', `/v1/review/${id}/decision`, callers.compliance, { decision: 'approve', justification: 'Verificata a mano: firma autografa.' });
    expect(approved.json.status).toBe('RELEASED');
    expect(stack.deps.objects.keys(MEMORY_BUCKETS.evidence).filter((k) => k.startsWith('trace/'))).toEqual([]);
  });
});
