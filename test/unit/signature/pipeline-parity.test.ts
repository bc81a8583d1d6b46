/**
 * docs/verdict-rules.md, docs/cli.md: the pipeline (handlers over the in-memory adapters) and `filiera verify` (in process)
 * run one engine and give the same verdict on the signature cases of the signatures issue: a good signer; two
 * signers with one untrusted or invalid; a nested envelope with an untrusted inner layer; an encryption-only
 * certificate; a signing time two days in the future.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as verifyCommand } from '../../../bin/commands/verify.js';
import { renderAttestationPdf } from '../../../shared/attestation/index.js';
import { addDays, italianDate, romeDate } from '../../../shared/verdict/dates.js';
import { demoAttestationValues } from '../../fixtures/attestations.js';
import { startMemoryStack, TENANT_VAT, type Caller, type MemoryStack } from '../../fixtures/memory-stack.js';
import { ACME_SUBJECT, issue, makeTestPki, signCmsWith, type Issued, type SignerSpec, type TestPki } from '../../fixtures/signing.js';

const SIGNATORY = 'RSSMRA80A01F205X';
const committente: Caller = { role: 'committente', tenant: 'acme' };
const compliance: Caller = { role: 'compliance' };
let pki: TestPki;
let stranger: Issued;
let strangerRoot: Issued;
let encryptionOnly: Issued;
let dir: string;

beforeAll(async () => {
  pki = await makeTestPki(TENANT_VAT.acme, SIGNATORY);
  strangerRoot = await issue({ subject: [['CN', 'Nobody Trusts Me Root']], ca: true, keyUsage: ['keyCertSign'] });
  stranger = await issue({ subject: ACME_SUBJECT(TENANT_VAT.acme, SIGNATORY), issuer: strangerRoot });
  encryptionOnly = await issue({ subject: ACME_SUBJECT(TENANT_VAT.acme, SIGNATORY), issuer: pki.intermediate, keyUsage: ['keyEncipherment'] });
  dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-parity-'));
}, 30_000);

afterEach(() => {
  vi.restoreAllMocks();
});

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function list(n: number): string {
  const rows = ['nome;telefono;data_consenso'];
  for (let i = 0; i < n; i++) rows.push(`Nome${i};+39 347 ${String(5_000_000 + i).padStart(7, '0')};15/03/2026`);
  return `${rows.join('\r\n')}\r\n`;
}

type Envelope = (pdf: Uint8Array, now: Date) => Uint8Array;
const good = (now: Date): SignerSpec => ({ signer: pki.signer, chain: [pki.intermediate], signingTime: now });

const cases: [string, Envelope, 'approved' | 'rejected', string | undefined][] = [
  ['one trusted signer', (pdf, now) => signCmsWith({ content: pdf, signers: [good(now)] }), 'approved', undefined],
  ['two signers, the second untrusted', (pdf, now) => signCmsWith({ content: pdf, signers: [good(now), { signer: stranger, chain: [strangerRoot], signingTime: now }] }), 'rejected', 'signature_untrusted'],
  ['two signers, the second invalid', (pdf, now) => signCmsWith({ content: pdf, signers: [good(now), { ...good(now), corrupt: true }] }), 'rejected', 'signature_invalid'],
  [
    'nested, the inner envelope untrusted',
    (pdf, now) => signCmsWith({ content: signCmsWith({ content: pdf, signers: [{ signer: stranger, chain: [strangerRoot], signingTime: now }] }), signers: [good(now)] }),
    'rejected',
    'signature_untrusted',
  ],
  ['an encryption-only certificate', (pdf, now) => signCmsWith({ content: pdf, signers: [{ ...good(now), signer: encryptionOnly }] }), 'rejected', 'signature_certificate_usage'],
  ['a signing time two days in the future', (pdf, now) => signCmsWith({ content: pdf, signers: [{ ...good(now), signingTime: new Date(now.getTime() + 2 * 86_400_000) }] }), 'rejected', 'signing_time_future'],
];

async function throughPipeline(s: MemoryStack, envelope: Envelope) {
  const opened = await s.call('POST', '/v1/intakes', committente, { callCenter: 'cc-napoli', campaign: 'luce' });
  const intakeId = opened.json.intakeId as string;
  const rows = list(12);
  const today = romeDate(s.clock.now);
  const pdf = await renderAttestationPdf(
    demoAttestationValues(
      {
        intakeId,
        listSha256: sha256(rows),
        rowCount: '12',
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
        rpoCheckDate: italianDate(addDays(today, -2)),
        placeAndDate: `Milano, ${italianDate(addDays(today, -1))}`,
      },
      s.clock.now,
    ),
    { language: 'it', layout: 'same-line' },
  );
  const attestation = envelope(pdf, s.clock.now);
  await s.upload(intakeId, 'list', rows);
  await s.upload(intakeId, 'attestation', attestation);
  const view = (await s.call('GET', `/v1/intakes/${intakeId}`, compliance)).json;
  return { intakeId, rows, attestation, view };
}

async function throughCli(intakeId: string, rows: string, attestation: Uint8Array, now: Date) {
  const base = path.join(dir, intakeId);
  await Promise.all([writeFile(`${base}.csv`, rows), writeFile(`${base}.p7m`, attestation), writeFile(`${base}.pem`, pki.root.certPem)]);
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await verifyCommand([
    '--list', `${base}.csv`, '--attestation', `${base}.p7m`, '--intake', intakeId, '--tenant-vat', `IT${TENANT_VAT.acme}`,
    '--trust', `${base}.pem`, '--signatory', SIGNATORY, '--now', now.toISOString(), '--json',
  ]);
  vi.restoreAllMocks();
  return { code, json: JSON.parse(stdout) as { verdict: string; findings: { code: string }[] } };
}

describe('the pipeline and filiera verify agree', () => {
  it.each(cases)('%s', async (_name, envelope, verdict, code) => {
    // Prepare
    const s = startMemoryStack({ trustAnchorPems: pki.anchors });
    s.clock.now = new Date('2026-11-20T09:00:00.000Z');
    // Act
    const pipeline = await throughPipeline(s, envelope);
    const cli = await throughCli(pipeline.intakeId, pipeline.rows, pipeline.attestation, s.clock.now);
    // Assess
    const codes = (pipeline.view.findings as { code: string }[]).map((f) => f.code);
    expect(pipeline.view.status).toBe(verdict === 'approved' ? 'RELEASED' : 'REJECTED');
    expect(cli.json.verdict).toBe(verdict);
    expect(cli.code).toBe(verdict === 'approved' ? 0 : 20);
    expect(cli.json.findings.map((f) => f.code).sort()).toEqual([...codes].sort());
    if (code) expect(codes).toContain(code);
  });
});
