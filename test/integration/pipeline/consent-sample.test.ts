import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as submitCommand } from '../../../bin/commands/submit.js';
import { consentSeedFromAuditTrail, drawSampleIndices } from '../../../shared/consent/index.js';
import { evidenceKeys } from '../../../shared/intake/evidence-keys.js';
import { boundAttestation, cleanList, sha256, startTestStack, type TestStack, apiCall } from '../../fixtures/stack.js';

/**
 * Consent evidence sampling on the embedded stack (docs/consent-sampling.md): real engines, uploads by plain HTTP PUT to
 * presigned links, the sample downloaded as CSV, filled in and uploaded as the evidence, the list released to the call
 * center with the checked sample in its receipt and the evidence kept in the evidence store.
 */

let stack: TestStack;
let acme: string;
let napoli: string;

beforeAll(async () => {
  stack = await startTestStack({ policy: { consentSampleSize: 8 } });
  acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  napoli = await stack.token({ role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' });
});

afterAll(async () => {
  await stack?.dispose();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** `filiera submit ...` in process, against the stack, as the committente. */
async function submit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
  try {
    const code = await submitCommand([...args, '--url', stack.baseUrl, '--token', acme, '--timeout', '120']);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

const api = (method: string, path: string, token: string | undefined, body?: unknown) => apiCall(stack.baseUrl, method, path, token, body);

async function put(link: { url: string; method: string; headers: Record<string, string> }, body: Uint8Array | string) {
  const response = await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit });
  expect(response.status).toBe(200);
}

/** The downloaded sample with its evidence columns filled in: an online consent, public IP, double opt-in. */
function fillIn(csv: string): string {
  const [header, ...rows] = csv.trimEnd().split('\r\n');
  const filled = rows.map((line) =>
    line.replace(/;;;;;;$/, ';2026-03-15T10:00:00+01:00;93.184.216.34;https://www.acme-energia.it/offerte;INF-2026-01;double_opt_in;2026-03-15T10:06:00+01:00'),
  );
  return `${[header, ...filled].join('\r\n')}\r\n`;
}

describe('consent evidence sampling on the embedded stack', () => {
  it('waits for the evidence, checks the filled-in sample uploaded through its link, then releases', async () => {
    // Prepare: an approvable consent-based intake
    const list = cleanList(30, 7);
    const created = await api('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'Inverno 2026' });
    expect(created.status).toBe(201);
    const { intakeId, uploads } = created.json;
    const attestation = await boundAttestation(intakeId, list, 30);
    await put(uploads.list, list);
    await put(uploads.attestation, attestation);
    await stack.settle();
    const waiting = await api('GET', `/v1/intakes/${intakeId}`, acme);
    expect(waiting.json.status).toBe('AWAITING_EVIDENCE');
    expect(waiting.json.consentSample.sampledRows).toBe(8);

    // Act: download the sample as CSV, fill it in, upload it as the evidence through a size-bound link
    const sample = await api('GET', `/v1/intakes/${intakeId}/consent-sample?format=csv`, acme);
    expect(sample.status).toBe(200);
    expect(sample.contentType).toMatch(/^text\/csv/);
    const evidence = fillIn(sample.text);
    const bytes = new TextEncoder().encode(evidence);
    const link = await api('POST', `/v1/intakes/${intakeId}/evidence?evidenceBytes=${bytes.byteLength}`, acme);
    expect(link.status).toBe(200);
    await put(link.json.upload, bytes);
    await stack.settle();

    // Assess: released, the receipt carries the checked sample, the evidence is kept
    const done = await api('GET', `/v1/intakes/${intakeId}`, acme);
    expect(done.json.status).toBe('RELEASED');
    expect(done.json.consentSample).toMatchObject({ outcome: 'proceed', defectiveRows: 0 });
    const links = await api('GET', `/v1/releases/${intakeId}`, napoli);
    const receipt = await (await fetch(links.json.receiptUrl)).json();
    expect(receipt.consentSample).toMatchObject({ status: 'checked', outcome: 'proceed', defects: [], evidence: { sha256: sha256(bytes), dataRows: 8 } });
    expect(receipt.consentSample.rows).toHaveLength(8);
    const kept = await stack.deps.objects.getBytes(stack.deps.buckets.evidence, evidenceKeys('acme', intakeId).consentEvidence, 1 << 20);
    expect(new TextDecoder().decode(kept)).toBe(evidence);

    // The auditor's recomputation, from the trail and the two files' hashes
    const audit = await api('GET', `/v1/intakes/${intakeId}/audit`, acme);
    expect(audit.json.chain.valid).toBe(true);
    const seed = consentSeedFromAuditTrail(audit.json.events, sha256(list), sha256(attestation));
    expect(seed).toMatchObject({ ok: true, seed: receipt.consentSample.seed });
    if (seed.ok) expect(drawSampleIndices(seed.seed, receipt.released.rows, 8)).toEqual(receipt.consentSample.rows.map((r: { index: number }) => r.index));
  });

  it('filiera submit saves the sample when the documents pass, and --evidence uploads the answer and prints the verdict', async () => {
    // Prepare: step 1 opens the intake and uploads the list
    const dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-submit-evidence-'));
    const list = cleanList(20, 8);
    const listFile = path.join(dir, 'lista.csv');
    await writeFile(listFile, list);
    const opened = await submit(['--list', listFile, '--call-center', 'cc-napoli', '--campaign', 'CLI', '--template-out', path.join(dir, 'form.pdf')]);
    expect(opened.code, opened.stderr).toBe(0);
    const intakeId = /Intake (FIL-\S+) opened/.exec(opened.stdout)![1]!;
    const attestationFile = path.join(dir, 'firmata.pdf');
    await writeFile(attestationFile, await boundAttestation(intakeId, list, 20));

    // Act 1: the signed attestation; the documents pass and the sample is saved
    const sampleFile = path.join(dir, 'campione.csv');
    const second = await submit(['--intake', intakeId, '--attestation', attestationFile, '--sample-out', sampleFile]);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('AWAITING_EVIDENCE');
    expect(second.stdout).toContain(`filiera submit --intake ${intakeId} --evidence ${sampleFile}`);
    const sample = await readFile(sampleFile, 'utf8');
    expect(sample.trimEnd().split('\r\n')).toHaveLength(9);

    // Act 2: an unreadable answer is refused with its errors; the filled-in sample is checked and released
    const broken = path.join(dir, 'rotta.csv');
    await writeFile(broken, 'telefono;ip\r\n+393470000000;1.2.3.4\r\n');
    const refused = await submit(['--intake', intakeId, '--evidence', broken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the evidence file was refused/);
    await writeFile(sampleFile, fillIn(sample));
    const answered = await submit(['--intake', intakeId, '--evidence', sampleFile]);
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toMatch(/status\s+RELEASED/);
    expect(answered.stdout).toMatch(/sample\s+8 consents drawn, checked: proceed, 0 defective/);
  });
});
