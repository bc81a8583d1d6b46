import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAttestationValues, makeAttestation } from '../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT, makePki } from '../fixtures/pki.js';
import { cleanList, sha256 } from '../fixtures/stack.js';
import { attestationFieldNames } from '../../shared/attestation/model.js';
import { addDays, italianDate, romeDate } from '../../shared/verdict/dates.js';
import { fieldLabels } from '../../shared/verdict/field-labels.js';

/** `filiera verify` as an auditor runs it: files in, exit status, JSON and the --out files (docs/cli.md). */
let dir: string;
let listFile: string;
let caFile: string;
// The last row repeats the first number (+39 347 107 0000) in another notation.
const list = `${cleanList(20, 70).trimEnd()}\r\nDup;Row;347 107 0000;15/03/2026\r\n`;
let cli: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'filiera-verify-'));
  listFile = path.join(dir, 'lista.csv');
  await writeFile(listFile, list);
  const pki = await makePki();
  caFile = pki.rootCaPath;
  // The CLI's own TypeScript bundled once (dependencies stay in node_modules): each run then starts like an installed
  // command instead of paying the TypeScript loader's start-up on every spawn.
  cli = path.resolve('node_modules/.cache/filiera-e2e/filiera.mjs');
  await build({ entryPoints: ['bin/filiera.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: cli, logLevel: 'error' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function verify(args: string[], options: { offline?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // offline: in a network namespace of its own, with no interface but a down loopback: any download fails.
  const [command, argv] = options.offline ? ['unshare', ['--net', process.execPath]] : [process.execPath, []];
  try {
    const { stdout, stderr } = await promisify(execFile)(command, [...argv, cli, 'verify', ...args], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The list's consent dates (15/03/2026) fall inside the attested collection period.
const values = (over: Record<string, string> = {}) =>
  demoAttestationValues({
    intakeId: 'FIL-AUDIT00001',
    listSha256: sha256(list),
    rowCount: '21',
    collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(romeDate(new Date()), -3))}`,
    ...over,
  });

const common = (attestation: string) => [
  '--list', listFile, '--attestation', attestation, '--intake', 'FIL-AUDIT00001', '--tenant-vat', `IT${DEMO_TENANT_VAT}`,
  '--trust', caFile, '--signatory', DEMO_SIGNATORY,
];

describe('filiera verify', () => {
  it('approves a signed, bound attestation: exit 0, the JSON of section 7, list.csv and receipt.json in --out', async () => {
    const attestation = await makeAttestation({ values: values(), signing: 'cades-der', signer: 'mario' });
    const out = path.join(dir, 'approved');
    const result = await verify([...common(attestation.path), '--json', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      intakeId: 'FIL-AUDIT00001',
      verdict: 'approved',
      list: { sha256: sha256(list), encoding: 'utf-8', delimiter: ';', dataRows: 21, releasedRows: 20, excluded: { duplicate: 1 } },
      attestation: { format: 'cades-pdf', signature: { present: true, valid: true } },
    });
    expect(json.attestation.fields.intakeId.value).toBe('FIL-AUDIT00001');
    for (const f of json.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['code', 'severity', 'message']));
    expect((await readdir(out)).sort()).toEqual(['list.csv', 'receipt.json']);
    const released = await readFile(path.join(out, 'list.csv'));
    const receipt = JSON.parse(await readFile(path.join(out, 'receipt.json'), 'utf8'));
    expect(receipt.released.sha256).toBe(sha256(released));
    expect(receipt.list.sha256).toBe(sha256(list));
    expect(receipt.verdict).toBe('approved');
    expect(released.toString('utf8')).toContain(';+393471070000;');
  });

  it('sends an unsigned attestation to review: exit 10, nothing written to --out, readable text without --json', async () => {
    const attestation = await makeAttestation({ values: values(), signing: 'none' });
    const out = path.join(dir, 'review');
    const result = await verify([...common(attestation.path), '--out', out]);
    expect(result.code).toBe(10);
    expect(result.stdout).toContain('IN REVIEW');
    expect(result.stdout).toContain('attestation_unsigned');
    expect(await readdir(out)).toEqual([]);
  });

  it('rejects a signature by another company: exit 20 with the finding in the JSON', async () => {
    const attestation = await makeAttestation({ values: values(), signing: 'pades', signer: 'otherCompany' });
    const result = await verify([...common(attestation.path), '--json']);
    expect(result.code).toBe(20);
    const json = JSON.parse(result.stdout);
    expect(json.verdict).toBe('rejected');
    expect(json.findings.map((f: { code: string }) => f.code)).toContain('signature_not_tenant');
  });

  it.each([
    [['--list', 'missing.csv'], /--attestation FILE is required|--list missing.csv/],
    [['--list', '/nonexistent/l.csv', '--attestation', '/nonexistent/a.pdf', '--intake', 'X', '--tenant-vat', DEMO_TENANT_VAT, '--trust', '/x.pem'], /--list \/nonexistent\/l.csv: cannot be read/],
    [['--bogus'], /Unknown option/],
  ])('unreadable arguments exit 2 with a one-line reason (%#)', async (args, message) => {
    const result = await verify(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
