import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderAttestationPdf } from '../../../shared/attestation/index.js';
import { CONSENT_SAMPLE_DRAWN, consentSeedFromAuditTrail, drawSampleIndices } from '../../../shared/consent/index.js';
import { evidenceKeys } from '../../../shared/intake/evidence-keys.js';
import { releaseKeys } from '../../../shared/intake/object-keys.js';
import { sweep } from '../../../shared/pipeline/sweep.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { MEMORY_BUCKETS, startMemoryStack, TENANT_VAT, type Caller, type MemoryStack } from '../../fixtures/memory-stack.js';
import { makeTestPki, signCmsWith, type TestPki } from '../../fixtures/signing.js';

/**
 * Consent evidence sampling through the handlers over the in-memory adapters (docs/consent-sampling.md): the draw in the
 * list's pass, AWAITING_EVIDENCE, the evidence upload and its three outcomes, the deadline, the auditor's recomputation
 * from the audit trail alone, and who may see the sample or upload its evidence. Attestations are CAdES-signed with
 * an in-process PKI, so that the documents alone would approve: what the sample decides shows.
 */

const SIGNATORY = 'RSSMRA80A01F205X';
const committente: Caller = { role: 'committente', tenant: 'acme' };
const otherCommittente: Caller = { role: 'committente', tenant: 'beta' };
const compliance: Caller = { role: 'compliance' };
const betaCompliance: Caller = { role: 'compliance', tenants: ['beta'] };
const callcenter: Caller = { role: 'callcenter', callcenter: 'cc-napoli' };

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki(TENANT_VAT.acme, SIGNATORY);
});

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** n distinct Italian mobiles, all consented on 15/03/2026 through the web form. */
function consentList(n: number): string {
  const rows = ['nome;telefono;data_consenso;fonte_consenso'];
  for (let i = 0; i < n; i++) rows.push(`Nome${i};+39 347 ${String(2_000_000 + i).padStart(7, '0')};15/03/2026;https://www.acme-energia.it/offerte`);
  return `${rows.join('\r\n')}\r\n`;
}

function stack(policy: Record<string, unknown> = {}): MemoryStack {
  const s = startMemoryStack({ policy: { consentSampleSize: 10, ...policy }, trustAnchorPems: pki.anchors });
  s.clock.now = new Date('2026-11-20T09:00:00.000Z');
  return s;
}

/** The signed attestation for this intake and list (or another list's hash, to see a mismatch). */
async function signedAttestation(s: MemoryStack, intakeId: string, list: string, rows: number, options: { legalBasis?: string; listSha256?: string } = {}) {
  const today = romeDate(s.clock.now);
  const pdf = await renderAttestationPdf(
    demoAttestationValues(
      {
        intakeId,
        listSha256: options.listSha256 ?? sha256(list),
        rowCount: String(rows),
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
        rpoCheckDate: italianDate(addDays(today, -2)),
        placeAndDate: `Milano, ${italianDate(addDays(today, -1))}`,
        ...(options.legalBasis ? { legalBasis: options.legalBasis } : {}),
      },
      s.clock.now,
    ),
    { language: 'it', layout: 'same-line' },
  );
  return signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: s.clock.now }] });
}

async function submitted(s: MemoryStack, n = 40, options: { legalBasis?: string; listSha256?: string } = {}) {
  const opened = await s.call('POST', '/v1/intakes', committente, { callCenter: 'cc-napoli', campaign: 'luce' });
  expect(opened.status).toBe(201);
  const intakeId = opened.json.intakeId as string;
  const list = consentList(n);
  const attestation = await signedAttestation(s, intakeId, list, n, options);
  await s.upload(intakeId, 'list', list);
  await s.upload(intakeId, 'attestation', attestation);
  return { intakeId, list, attestation };
}

interface SampleRow {
  row: number;
  index: number;
  phone: string;
}

/** A clean evidence record for each sampled number; `bad` rows get a private IP address (public_ip fails). */
function evidenceFor(rows: SampleRow[], bad: ReadonlySet<number> = new Set()): string {
  const lines = ['telefono;consenso_il;ip;fonte;informativa;conferma;confermato_il'];
  for (const r of rows) {
    const ip = bad.has(r.row) ? '192.168.1.10' : '93.184.216.34';
    lines.push(`${r.phone};2026-03-15T10:00:00+01:00;${ip};https://www.acme-energia.it/offerte;INF-2026-01;double_opt_in;2026-03-15T10:07:00+01:00`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function sampleOf(s: MemoryStack, intakeId: string): Promise<SampleRow[]> {
  const sample = await s.call('GET', `/v1/intakes/${intakeId}/consent-sample`, committente);
  expect(sample.status).toBe(200);
  return sample.json.rows as SampleRow[];
}

/** The findings that decide (the signature's informational notes aside). */
function decisive(view: { findings: { code: string; severity: string }[] }): string[] {
  return view.findings.filter((f) => f.severity !== 'info').map((f) => f.code);
}

async function intake(s: MemoryStack, intakeId: string) {
  return (await s.call('GET', `/v1/intakes/${intakeId}`, compliance)).json;
}

describe('the consent sample is drawn in the list pass and awaited', () => {
  it('waits in AWAITING_EVIDENCE with the drawn rows instead of releasing, and nothing reaches the call center', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const view = await intake(s, intakeId);
    expect(view.status).toBe('AWAITING_EVIDENCE');
    expect(view.verdict).toBeUndefined();
    expect(view.consentSample).toMatchObject({ sampledRows: 10, deadline: '2026-11-23T09:00:00.000Z' });
    const rows = await sampleOf(s, intakeId);
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.row)).toEqual([...rows.map((r) => r.row)].sort((a, b) => a - b));
    expect(await s.deps.objects.head(MEMORY_BUCKETS.release, releaseKeys('cc-napoli', intakeId).key)).toBeNull();
    // the nonce is on the trail once, before the sample was requested
    const types = (await s.call('GET', `/v1/intakes/${intakeId}/audit`, committente)).json.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === CONSENT_SAMPLE_DRAWN)).toHaveLength(1);
    expect(types.indexOf(CONSENT_SAMPLE_DRAWN)).toBeLessThan(types.indexOf('consent_sample.requested'));
  });

  it('releases a clean sample, with the seed, the rows and each check in the receipt, and keeps the evidence', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const rows = await sampleOf(s, intakeId);
    const evidence = evidenceFor(rows);
    s.clock.now = new Date(s.clock.now.getTime() + 3_600_000);
    await s.upload(intakeId, 'evidence', evidence);

    const view = await intake(s, intakeId);
    expect(view.status).toBe('RELEASED');
    expect(view.consentSample).toMatchObject({ outcome: 'proceed', defectiveRows: 0 });
    const receipt = JSON.parse(new TextDecoder().decode(await s.deps.objects.getBytes(MEMORY_BUCKETS.release, releaseKeys('cc-napoli', intakeId).receiptKey, 1 << 20)));
    expect(receipt.verdict).toBe('approved');
    expect(receipt.consentSample).toMatchObject({ status: 'checked', outcome: 'proceed', defects: [], seed: view.consentSample.seed });
    expect(receipt.consentSample.rows).toHaveLength(10);
    expect(receipt.consentSample.rows[0].checks).toMatchObject({ record: 'passed', public_ip: 'passed', confirmation: 'passed' });
    expect(receipt.consentSample.evidence).toMatchObject({ sha256: sha256(evidence), dataRows: 10 });
    // docs/consent-sampling.md: the evidence file is kept with the signed attestation
    const kept = evidenceKeys('acme', intakeId);
    expect(new TextDecoder().decode(await s.deps.objects.getBytes(MEMORY_BUCKETS.evidence, kept.consentEvidence, 1 << 20))).toBe(evidence);
    expect(await s.deps.objects.head(MEMORY_BUCKETS.evidence, kept.attestation)).not.toBeNull();
  });

  it('sends a sample with a few defects (at most 10%) to review with consent_sample_defects', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const rows = await sampleOf(s, intakeId);
    await s.upload(intakeId, 'evidence', evidenceFor(rows, new Set([rows[2]!.row])));
    const view = await intake(s, intakeId);
    expect(view.status).toBe('IN_REVIEW');
    expect(decisive(view)).toEqual(['consent_sample_defects']);
    const sample = (await s.call('GET', `/v1/intakes/${intakeId}/consent-sample`, compliance)).json;
    expect(sample.outcome).toBe('review');
    expect(sample.defects).toEqual([expect.objectContaining({ row: rows[2]!.row, check: 'public_ip' })]);
    // compliance decides with the sample in front of them: an approval releases
    const decided = await s.call('POST', `/v1/review/${intakeId}/decision`, compliance, { decision: 'approve', justification: 'Consenso verificato a mano: IP della rete interna del call center.' });
    expect(decided.json.status).toBe('RELEASED');
  });

  it('rejects a sample with more than 10% defective rows with consent_sample_failed', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const rows = await sampleOf(s, intakeId);
    await s.upload(intakeId, 'evidence', evidenceFor(rows, new Set([rows[0]!.row, rows[5]!.row])));
    const view = await intake(s, intakeId);
    expect(view.status).toBe('REJECTED');
    expect(decisive(view)).toEqual(['consent_sample_failed']);
    expect(view.consentSample).toMatchObject({ outcome: 'rejected', defectiveRows: 2 });
  });

  it('keeps waiting, with the errors, when the evidence cannot be read; a corrected file is then checked', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const rows = await sampleOf(s, intakeId);
    await s.upload(intakeId, 'evidence', 'telefono;ip\r\n+393470000000;1.2.3.4\r\n');
    expect((await intake(s, intakeId)).status).toBe('AWAITING_EVIDENCE');
    const sample = (await s.call('GET', `/v1/intakes/${intakeId}/consent-sample`, committente)).json;
    expect(sample.refused.errors.length).toBeGreaterThan(0);
    expect(sample.refused.errors[0].message).toMatch(/consenso_il|consent_at/);
    await s.upload(intakeId, 'evidence', evidenceFor(rows));
    expect((await intake(s, intakeId)).status).toBe('RELEASED');
  });

  it('rejects with consent_evidence_overdue when the sweep finds no evidence after consentEvidenceHours', async () => {
    const s = stack({ consentEvidenceHours: 24 });
    const { intakeId } = await submitted(s);
    s.clock.now = new Date(s.clock.now.getTime() + 24 * 3_600_000);
    expect((await sweep(s.deps)).overdue).toBeUndefined();
    expect((await intake(s, intakeId)).status).toBe('AWAITING_EVIDENCE');
    s.clock.now = new Date(s.clock.now.getTime() + 60_000);
    expect((await sweep(s.deps)).overdue).toEqual([intakeId]);
    const view = await intake(s, intakeId);
    expect(view.status).toBe('REJECTED');
    expect(decisive(view)).toEqual(['consent_evidence_overdue']);
    // evidence arriving now changes nothing
    await s.upload(intakeId, 'evidence', evidenceFor(await sampleOf(s, intakeId)));
    expect((await intake(s, intakeId)).status).toBe('REJECTED');
    const receipt = JSON.parse(new TextDecoder().decode(await s.deps.objects.getBytes(MEMORY_BUCKETS.evidence, evidenceKeys('acme', intakeId).receipt, 1 << 20)));
    expect(receipt).toMatchObject({ verdict: 'rejected', consentSample: { status: 'overdue' } });
  });

  it('rejects evidence uploaded after the deadline as overdue, even before a sweep', async () => {
    const s = stack({ consentEvidenceHours: 1 });
    const { intakeId } = await submitted(s);
    const rows = await sampleOf(s, intakeId);
    s.clock.now = new Date(s.clock.now.getTime() + 2 * 3_600_000);
    await s.upload(intakeId, 'evidence', evidenceFor(rows));
    expect(decisive(await intake(s, intakeId))).toEqual(['consent_evidence_overdue']);
  });

  it('goes straight on with consentSampleSize 0, and for a legal basis other than consent', async () => {
    const off = stack({ consentSampleSize: 0 });
    const first = await submitted(off);
    expect((await intake(off, first.intakeId)).status).toBe('RELEASED');
    const trail = (await off.call('GET', `/v1/intakes/${first.intakeId}/audit`, committente)).json.events;
    expect(trail.some((e: { type: string }) => e.type === CONSENT_SAMPLE_DRAWN)).toBe(false);
    expect((await off.call('GET', `/v1/intakes/${first.intakeId}/consent-sample`, committente)).status).toBe(404);

    const contract = stack({ allowedLegalBases: ['consent', 'contract'] });
    const second = await submitted(contract, 40, { legalBasis: 'Esecuzione di un contratto (art. 6.1.b GDPR)' });
    expect((await intake(contract, second.intakeId)).status).toBe('RELEASED');
  });

  it('awaits no sample when the attested list hash is not the list\'s: rejected with list_hash_mismatch', async () => {
    const s = stack();
    const { intakeId } = await submitted(s, 40, { listSha256: sha256('another list') });
    const view = await intake(s, intakeId);
    expect(view.status).toBe('REJECTED');
    expect(decisive(view)).toContain('list_hash_mismatch');
    expect(view.consentSample).toBeUndefined();
  });
});

describe('the evidence check is never lost nor stuck', () => {
  it('resumes a check that crashed, once its lease lapsed, through the sweep', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const rows = await sampleOf(s, intakeId);
    const objects = s.deps.objects;
    const original = objects.getStream.bind(objects);
    objects.getStream = (bucket, key, version) =>
      key.endsWith('/consent-evidence.csv')
        ? (async function* () {
            throw new Error('storage fault while reading the evidence');
          })()
        : original(bucket, key, version);
    await expect(s.upload(intakeId, 'evidence', evidenceFor(rows))).rejects.toThrow(/failed/);
    expect((await intake(s, intakeId)).status).toBe('PROCESSING');
    objects.getStream = original;
    // Within the lease nothing happens; after it the sweep checks the evidence again (not the documents).
    expect((await sweep(s.deps)).resumed).toEqual([]);
    s.clock.now = new Date(s.clock.now.getTime() + 16 * 60_000);
    expect((await sweep(s.deps)).resumed).toEqual([intakeId]);
    expect((await intake(s, intakeId)).status).toBe('RELEASED');
    const types = (await s.call('GET', `/v1/intakes/${intakeId}/audit`, committente)).json.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'processing.resumed')).toHaveLength(1);
    expect(types.filter((t: string) => t === CONSENT_SAMPLE_DRAWN)).toHaveLength(1);
  });

  it('checks an evidence upload whose event was lost, from storage, at the next sweep', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const rows = await sampleOf(s, intakeId);
    await s.deps.objects.putObject(MEMORY_BUCKETS.intake, `tenants/acme/intakes/${intakeId}/consent-evidence.csv`, new TextEncoder().encode(evidenceFor(rows)), { contentType: 'text/csv' });
    expect((await intake(s, intakeId)).status).toBe('AWAITING_EVIDENCE');
    expect((await sweep(s.deps)).resumed).toEqual([intakeId]);
    expect((await intake(s, intakeId)).status).toBe('RELEASED');
  });
});

describe('the draw is reproducible from the audit trail alone', () => {
  it('recomputes the sampled rows from the nonce on GET /audit, the two files\' hashes and the released list', async () => {
    const s = stack();
    const { intakeId, list, attestation } = await submitted(s, 60);
    const drawn = await sampleOf(s, intakeId);
    await s.upload(intakeId, 'evidence', evidenceFor(drawn));

    // Prepare: what an auditor holds
    const audit = (await s.call('GET', `/v1/intakes/${intakeId}/audit`, compliance)).json;
    const released = new TextDecoder().decode(await s.deps.objects.getBytes(MEMORY_BUCKETS.release, releaseKeys('cc-napoli', intakeId).key, 1 << 20));
    const releasedRows = released.trim().split('\r\n').slice(1);
    // Act
    const seed = consentSeedFromAuditTrail(audit.events, sha256(list), sha256(attestation));
    expect(seed.ok).toBe(true);
    if (!seed.ok) return;
    const positions = drawSampleIndices(seed.seed, releasedRows.length, 10);
    // Assess: the same rows, the same phones
    expect(positions).toEqual(drawn.map((r) => r.index));
    expect(positions.map((i) => releasedRows[i]!.split(';')[1])).toEqual(drawn.map((r) => r.phone));
    expect(seed.seed).toBe((await intake(s, intakeId)).consentSample.seed);
  });
});

describe('who may see the sample and upload its evidence', () => {
  it('shows the sample to its committente and compliance in scope, as JSON or CSV, and to no one else', async () => {
    const s = stack();
    const { intakeId } = await submitted(s);
    const path = `/v1/intakes/${intakeId}/consent-sample`;
    expect((await s.call('GET', path, committente)).status).toBe(200);
    expect((await s.call('GET', path, compliance)).status).toBe(200);
    expect((await s.call('GET', path, otherCommittente)).status).toBe(404);
    expect((await s.call('GET', path, betaCompliance)).status).toBe(404);
    expect((await s.call('GET', path, callcenter)).status).toBe(403);
    expect((await s.call('GET', path)).status).toBe(401);
    expect((await s.call('GET', '/v1/intakes/FIL-0000000000/consent-sample', committente)).status).toBe(404);
    const csv = await s.call('GET', `${path}?format=csv`, committente);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('riga;telefono;data_consenso;fonte_consenso;consenso_il;ip;fonte;informativa;conferma;confermato_il');
    expect(lines).toHaveLength(11);
    expect(lines[1]).toMatch(/^\d+;\+39347\d{7};2026-03-15;https:\/\/www\.acme-energia\.it\/offerte;;;;;;$/);
  });

  it('issues an evidence link to the committente only while the evidence is awaited, bound to the evidence key', async () => {
    const s = stack();
    const waiting = await submitted(s);
    const path = `/v1/intakes/${waiting.intakeId}/evidence`;
    const link = await s.call('POST', path, committente);
    expect(link.status).toBe(200);
    expect(link.json).toMatchObject({ status: 'AWAITING_EVIDENCE', upload: { method: 'PUT' }, deadline: '2026-11-23T09:00:00.000Z' });
    expect(link.json.upload.url).toContain(`tenants/acme/intakes/${waiting.intakeId}/consent-evidence.csv`);
    expect((await s.call('POST', `${path}?evidenceBytes=2000`, committente)).status).toBe(200);
    expect((await s.call('POST', `${path}?evidenceBytes=${32 * 1024 * 1024}`, committente)).status).toBe(400);
    expect((await s.call('POST', path, otherCommittente)).status).toBe(404);
    expect((await s.call('POST', path, compliance)).status).toBe(403);
    expect((await s.call('POST', path, callcenter)).status).toBe(403);
    expect((await s.call('POST', path)).status).toBe(401);

    const opened = await s.call('POST', '/v1/intakes', committente, { callCenter: 'cc-napoli', campaign: 'gas' });
    expect((await s.call('POST', `/v1/intakes/${opened.json.intakeId}/evidence`, committente)).status).toBe(409);
    await s.upload(waiting.intakeId, 'evidence', evidenceFor(await sampleOf(s, waiting.intakeId)));
    expect((await s.call('POST', path, committente)).status).toBe(409);
  });
});
