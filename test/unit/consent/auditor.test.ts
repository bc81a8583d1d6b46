import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  ConsentSampleSelector,
  consentSampleDrawnEvent,
  consentSeedFromAuditTrail,
  newConsentSampleNonce,
} from '../../../shared/consent/draw.js';
import { chainAuditEvent, type AuditEvent, type AuditEventDraft } from '../../../shared/intake/audit.js';
import { normalizePhone, parseCsv, processContactList } from '../../../shared/list/index.js';
import { chunksOf, listBytes, outputCollector } from '../../fixtures/lists.js';

/**
 * The auditor's path (docs/consent-sampling.md): the pipeline draws the sample and records only the nonce; years later
 * an auditor holding the audit trail, the uploaded list, the attestation as uploaded and the released list recomputes
 * the same rows with nothing but SHA-256, the way docs/consent-sampling.md tells them to.
 */

const PERIOD = { from: '2025-01-01', to: '2025-12-31' };

function uploadedList(): Uint8Array {
  const rows: string[][] = [['nome', 'Telefono', 'Data consenso', 'fonte_consenso']];
  for (let i = 0; i < 80; i++) {
    const phone = `347 ${String(1200000 + i * 37).padStart(7, '0')}`;
    if (i % 11 === 3) rows.push([`n${i}`, '12345', '01/02/2025', 'web']); // invalid_phone
    else if (i % 13 === 5) rows.push([`n${i}`, rows[2]![1]!, '01/02/2025', 'web']); // duplicate of an earlier row
    else if (i % 17 === 7) rows.push([`n${i}`, phone, '01/02/2021', 'fiera']); // consent_out_of_period
    else if (i % 19 === 9) rows.push(['', '', '', '']); // blank record: not a data row
    else rows.push([`n${i}`, phone, `${String(1 + (i % 28)).padStart(2, '0')}/03/2025`, i % 2 === 0 ? 'https://acme.example/promo' : 'modulo cartaceo']);
  }
  return listBytes(rows);
}

/**
 * The pipeline's feed, as the list's pass will give it: each released row with its uploaded data-row number. Here
 * it is rebuilt from the released list: dedupe keeps the first occurrence of a number, so a released phone's row is
 * the first data row that normalises to it.
 */
function releasedFeed(uploaded: Uint8Array, released: string): { row: number; phone: string; date: string; source: string }[] {
  const records = parseCsv(new TextDecoder().decode(uploaded), ';').records.filter((r) => r.some((c) => c.trim() !== ''));
  const firstRow = new Map<string, number>();
  records.slice(1).forEach((cells, i) => {
    const e164 = normalizePhone(cells[1]!);
    if (e164 !== null && !firstRow.has(e164)) firstRow.set(e164, i + 1);
  });
  return parseCsv(released, ';')
    .records.slice(1)
    .filter((r) => r.length > 1)
    .map((cells) => ({ row: firstRow.get(cells[1]!)!, phone: cells[1]!, date: cells[2]!, source: cells[3]! }));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe("the auditor's path", () => {
  it('recomputes the sample from the audit trail, the two files and the released list alone', async () => {
    // Prepare: the pipeline reads the list, records the nonce when the attestation arrives, draws in the pass.
    const list = uploadedList();
    const attestation = new TextEncoder().encode('%PDF-1.7 the signed attestation, as uploaded');
    const out = outputCollector();
    const report = await processContactList(chunksOf(list, 100), { maxBytes: 1 << 20, consentPeriod: PERIOD, output: out.output });
    expect(report.excluded.invalid_phone + report.excluded.duplicate + report.excluded.consent_out_of_period).toBeGreaterThan(5);
    const releasedList = out.text();

    const nonce = newConsentSampleNonce();
    const drafts: AuditEventDraft[] = [
      { type: 'intake.created', actor: 'committente:acme/alice', at: '2026-03-14T09:00:00Z' },
      { type: 'upload.received', actor: 'system:pipeline', at: '2026-03-14T09:01:00Z', data: { file: 'list' } },
      { type: 'upload.received', actor: 'system:pipeline', at: '2026-03-14T09:02:00Z', data: { file: 'attestation' } },
      consentSampleDrawnEvent(nonce, '2026-03-14T09:02:01Z'),
    ];
    const events: AuditEvent[] = [];
    for (const d of drafts) events.push(chainAuditEvent('int-7', events[events.length - 1], d));

    const pipelineSeed = consentSeedFromAuditTrail(events, report.sha256, sha256(attestation));
    if (!pipelineSeed.ok) throw new Error(pipelineSeed.reason);
    const selector = new ConsentSampleSelector(pipelineSeed.seed, 12);
    releasedFeed(list, releasedList).forEach((r, i) => selector.offer(i, r.row, r.phone, r.date, r.source));
    const sample = selector.rows();
    expect(sample).toHaveLength(12);

    // Act: the auditor, holding the trail as the API returns it, the files and the released list, and nothing else.
    const trailJson = JSON.parse(JSON.stringify(events)) as AuditEvent[];
    const audited = consentSeedFromAuditTrail(trailJson, sha256(list), sha256(attestation));
    if (!audited.ok) throw new Error(audited.reason);
    const seed = Buffer.from(audited.seed, 'hex');
    const releasedPhones = parseCsv(releasedList, ';').records.slice(1).filter((r) => r.length > 1).map((r) => r[1]!);
    const keyed = releasedPhones.map((phone, i) => {
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(i);
      return { i, phone, key: createHash('sha256').update(seed).update(counter).digest('hex') };
    });
    const recomputed = [...keyed].sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, 12).sort((a, b) => a.i - b.i);

    // Assess: the same rows, the same phones, the same keys; and each sampled row number names that phone upstream.
    expect(sample.map((r) => [r.index, r.phone, r.key])).toEqual(recomputed.map((r) => [r.i, r.phone, r.key]));
    const uploadedRecords = parseCsv(new TextDecoder().decode(list), ';').records.filter((r) => r.some((c) => c.trim() !== '')).slice(1);
    for (const r of sample) expect(normalizePhone(uploadedRecords[r.row - 1]![1]!)).toBe(r.phone);
    expect(sample.some((r) => r.row !== r.index + 1)).toBe(true); // exclusions shift the numbering: rows are named upstream
  });

  it('draws another sample for another nonce, another list or another attestation', () => {
    const list = uploadedList();
    const seeds = [
      consentSeedFromAuditTrail([chainAuditEvent('i', undefined, consentSampleDrawnEvent('01'.repeat(32), '2026-01-01T00:00:00Z'))], sha256(list), sha256(new Uint8Array([1]))),
      consentSeedFromAuditTrail([chainAuditEvent('i', undefined, consentSampleDrawnEvent('02'.repeat(32), '2026-01-01T00:00:00Z'))], sha256(list), sha256(new Uint8Array([1]))),
      consentSeedFromAuditTrail([chainAuditEvent('i', undefined, consentSampleDrawnEvent('01'.repeat(32), '2026-01-01T00:00:00Z'))], sha256(list), sha256(new Uint8Array([2]))),
      consentSeedFromAuditTrail([chainAuditEvent('i', undefined, consentSampleDrawnEvent('01'.repeat(32), '2026-01-01T00:00:00Z'))], sha256(new Uint8Array([0])), sha256(new Uint8Array([1]))),
    ].map((s) => (s.ok ? s.seed : s.reason));
    expect(new Set(seeds).size).toBe(4);
    for (const s of seeds) expect(s).toMatch(/^[0-9a-f]{64}$/);
  });
});
