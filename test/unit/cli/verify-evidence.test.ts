import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as verifyCommand } from '../../../bin/commands/verify.js';
import { renderAttestationPdf } from '../../../shared/attestation/index.js';
import { ConsentSampleSchema } from '../../../shared/consent/index.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { startMemoryStack, TENANT_VAT, type MemoryStack } from '../../fixtures/memory-stack.js';
import { makeTestPki, signCmsWith, type TestPki } from '../../fixtures/signing.js';

/**
 * `filiera verify --evidence FILE --sample-seed HEX` (docs/cli.md, docs/consent-sampling.md), in process: the auditor re-checks
 * offline, from the files and the seed, the consent sample the pipeline checked, and gets the same rows, the same
 * defects and the same verdict.
 */

const SIGNATORY = 'RSSMRA80A01F205X';
const committente = { role: 'committente', tenant: 'acme' } as const;
let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await makeTestPki(TENANT_VAT.acme, SIGNATORY);
  dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-verify-evidence-'));
});

afterEach(() => {
  vi.restoreAllMocks();
});

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function consentList(n: number): string {
  const rows = ['nome;telefono;data_consenso;fonte_consenso'];
  for (let i = 0; i < n; i++) rows.push(`Nome${i};+39 347 ${String(3_000_000 + i).padStart(7, '0')};15/03/2026;https://www.acme-energia.it/offerte`);
  return `${rows.join('\r\n')}\r\n`;
}

/** One record per sampled number; the `bad` rows' consents came from a private address. */
function evidenceFor(rows: { row: number; phone: string }[], bad: Set<number>): string {
  const lines = ['telefono;consenso_il;ip;fonte;informativa;conferma;confermato_il'];
  for (const r of rows) {
    lines.push(`${r.phone};2026-03-15T10:00:00+01:00;${bad.has(r.row) ? '10.0.0.7' : '93.184.216.34'};https://www.acme-energia.it/offerte;INF-1;sms;2026-03-15T10:01:00+01:00`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function pipelineCase(s: MemoryStack, bad: (rows: { row: number }[]) => Set<number>) {
  const intakeId = (await s.call('POST', '/v1/intakes', committente, { callCenter: 'cc-napoli', campaign: 'luce' })).json.intakeId as string;
  const list = consentList(40);
  const today = romeDate(s.clock.now);
  const pdf = await renderAttestationPdf(
    demoAttestationValues(
      {
        intakeId,
        listSha256: sha256(list),
        rowCount: '40',
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
        rpoCheckDate: italianDate(addDays(today, -2)),
        placeAndDate: `Milano, ${italianDate(addDays(today, -1))}`,
      },
      s.clock.now,
    ),
    { language: 'it', layout: 'same-line' },
  );
  const attestation = signCmsWith({ content: pdf, signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: s.clock.now }] });
  await s.upload(intakeId, 'list', list);
  await s.upload(intakeId, 'attestation', attestation);
  const sample = (await s.call('GET', `/v1/intakes/${intakeId}/consent-sample`, committente)).json;
  const evidence = evidenceFor(sample.rows, bad(sample.rows));
  await s.upload(intakeId, 'evidence', evidence);
  const files = { list: path.join(dir, `${intakeId}.csv`), attestation: path.join(dir, `${intakeId}.pdf.p7m`), evidence: path.join(dir, `${intakeId}-evidence.csv`), trust: path.join(dir, 'root.pem') };
  await Promise.all([writeFile(files.list, list), writeFile(files.attestation, attestation), writeFile(files.evidence, evidence), writeFile(files.trust, pki.root.certPem)]);
  const checked = (await s.call('GET', `/v1/intakes/${intakeId}/consent-sample`, committente)).json;
  const view = (await s.call('GET', `/v1/intakes/${intakeId}`, committente)).json;
  return { intakeId, files, checked, view };
}

async function verify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
  const code = await verifyCommand(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('filiera verify --evidence --sample-seed', () => {
  it.each([
    ['a clean sample', () => new Set<number>(), 0, 'approved', 'RELEASED'],
    ['one defective row of 10', (rows: { row: number }[]) => new Set([rows[4]!.row]), 10, 'review', 'IN_REVIEW'],
    ['two defective rows of 10', (rows: { row: number }[]) => new Set([rows[1]!.row, rows[8]!.row]), 20, 'rejected', 'REJECTED'],
  ] as const)('re-checks %s as the pipeline did', async (_name, bad, exit, verdict, status) => {
    // Prepare: the pipeline drew and checked the sample
    const s = startMemoryStack({ policy: { consentSampleSize: 10 }, trustAnchorPems: pki.anchors });
    const { intakeId, files, checked, view } = await pipelineCase(s, bad);
    expect(view.status).toBe(status);
    // Act: the auditor's offline check, with the pipeline's policy and the intake's seed
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ tenants: [{ id: 'acme', name: 'Acme', vat: `IT${TENANT_VAT.acme}` }], policy: { consentSampleSize: 10 } }));
    const run = await verify([
      '--list', files.list, '--attestation', files.attestation, '--intake', intakeId, '--tenant-vat', `IT${TENANT_VAT.acme}`,
      '--trust', files.trust, '--signatory', SIGNATORY, '--config', config, '--json',
      '--evidence', files.evidence, '--sample-seed', view.consentSample.seed,
    ]);
    // Assess: the same verdict, rows and defects; the JSON's consentSample is docs/cli.md's shape
    expect(run.code, run.stderr).toBe(exit);
    const json = JSON.parse(run.stdout);
    expect(json.verdict).toBe(verdict);
    expect(ConsentSampleSchema.parse(json.consentSample)).toEqual({ seed: checked.seed, rows: checked.rows, defects: checked.defects });
  });

  it('refuses --evidence without --sample-seed, a seed that is not 64 hex digits, and an evidence file it cannot read as evidence', async () => {
    const s = startMemoryStack({ policy: { consentSampleSize: 10 }, trustAnchorPems: pki.anchors });
    const { intakeId, files, view } = await pipelineCase(s, () => new Set());
    const base = ['--list', files.list, '--attestation', files.attestation, '--intake', intakeId, '--tenant-vat', `IT${TENANT_VAT.acme}`, '--trust', files.trust, '--signatory', SIGNATORY];
    await expect(verify([...base, '--evidence', files.evidence])).rejects.toThrow(/go together/);
    await expect(verify([...base, '--evidence', files.evidence, '--sample-seed', 'abc'])).rejects.toThrow(/64 hexadecimal digits/);
    const broken = path.join(dir, 'broken-evidence.csv');
    await writeFile(broken, 'telefono;ip\r\n+393470000000;1.2.3.4\r\n');
    await expect(verify([...base, '--evidence', broken, '--sample-seed', view.consentSample.seed])).rejects.toThrow(/not readable as consent evidence/);
  });
});
