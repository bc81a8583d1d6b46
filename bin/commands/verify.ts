import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { TesseractExtractor } from '../../shared/adapters/ocr/tesseract-extractor.js';
import { attestationFieldNames, type AttestationFieldName } from '../../shared/attestation/model.js';
import { bareVat, crlFromFile, loadConfig, PolicySchema, type Policy } from '../../shared/config.js';
import { isValidPartitaIva } from '../../shared/identifiers.js';
import { fieldLabels } from '../../shared/verdict/field-labels.js';
import { doubtfulFields } from '../../shared/verdict/ocr-doubt.js';
import { buildReceipt, verifyIntake, type VerificationResult } from '../../shared/verification.js';
import { EXIT, parseFlags, progress, progressDone, readableFile, UsageError } from '../cli-support.js';
import { terminalSafeLines } from '../terminal-text.js';

const help = `filiera verify --list FILE --attestation FILE --intake ID --tenant-vat VAT --trust PEM [--trust PEM ...]
               [--signatory TAXCODE ...] [--rpo FILE] [--now ISO8601] [--out DIR] [--json] [--config FILE]
               [--crl FILE ...] [--require-revocation-status]

Re-verifies a contact list and its signed attestation offline with the pipeline's engine.
Exit status: 0 approved, 10 in review, 20 rejected, 2 usage or unreadable arguments.
--config FILE takes the policy thresholds and the CRLs (revocation.crls) from a configuration file (default: the
policy defaults). --crl FILE adds a CRL (DER or PEM) to the revocation data the signatures carry;
--require-revocation-status sends an attestation whose signing certificates' status is unknown to a person.`;

const Args = z.object({
  list: z.string({ error: '--list FILE is required' }),
  attestation: z.string({ error: '--attestation FILE is required' }),
  intake: z.string({ error: '--intake ID is required' }).min(1, '--intake ID is empty'),
  'tenant-vat': z
    .string({ error: '--tenant-vat VAT is required' })
    .refine((v) => /^(IT)?\d{11}$/i.test(v.replace(/\s+/g, '')), '--tenant-vat must be 11 digits, optionally after IT'),
  trust: z.array(z.string()).min(1, 'at least one --trust PEM is required'),
  signatory: z.array(z.string().regex(/^[A-Za-z0-9]{16}$/, '--signatory must be a 16-character codice fiscale')).default([]),
  rpo: z.string().optional(),
  now: z
    .string()
    .optional()
    .refine((v) => v === undefined || !Number.isNaN(Date.parse(v)), '--now must be an ISO 8601 date or date-time'),
  out: z.string().optional(),
  json: z.boolean().default(false),
  config: z.string().optional(),
  crl: z.array(z.string()).default([]),
  'require-revocation-status': z.boolean().default(false),
  help: z.boolean().default(false),
});

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    list: { type: 'string' },
    attestation: { type: 'string' },
    intake: { type: 'string' },
    'tenant-vat': { type: 'string' },
    trust: { type: 'string', multiple: true },
    signatory: { type: 'string', multiple: true },
    rpo: { type: 'string' },
    now: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    config: { type: 'string' },
    crl: { type: 'string', multiple: true },
    'require-revocation-status': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const parsed = Args.safeParse({ ...flags, trust: flags.trust ?? [] });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid arguments');
  const args = parsed.data;

  await readableFile(args.list, '--list');
  await readableFile(args.attestation, '--attestation');
  if (args.rpo) await readableFile(args.rpo, '--rpo');
  const trustAnchors = await Promise.all(
    args.trust.map(async (file) => {
      await readableFile(file, '--trust');
      const pem = await readFile(file, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--trust ${file}: not a PEM certificate`);
      return pem;
    }),
  );
  const tenantVat = bareVat(args['tenant-vat']);
  if (!isValidPartitaIva(tenantVat)) throw new UsageError(`--tenant-vat ${args['tenant-vat']}: not a valid Partita IVA (check digit)`);
  const configured = args.config ? await fromConfig(args.config) : { policy: PolicySchema.parse({}), crls: [] };
  const policy: Policy = { ...configured.policy, ...(args['require-revocation-status'] ? { requireRevocationStatus: true } : {}) };
  const crls = [...configured.crls];
  for (const file of args.crl) {
    await readableFile(file, '--crl');
    const der = crlFromFile(await readFile(file));
    if (!der) throw new UsageError(`--crl ${file}: not a DER or PEM certificate revocation list`);
    crls.push(der);
  }

  let partial: string | undefined;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  if (args.out) {
    await mkdir(args.out, { recursive: true });
    partial = path.join(args.out, `.list.csv.${process.pid}.partial`);
    handle = await open(partial, 'w');
  }
  const listBytes = (await stat(args.list)).size;
  let seen = 0;
  // Scans are read offline, as on the embedded stack: the engine starts only if the attestation is a scan.
  const ocr = new TesseractExtractor();
  try {
    const result = await verifyIntake({
      intakeId: args.intake,
      tenant: { vat: tenantVat, signatories: args.signatory.map((s) => s.toUpperCase()) },
      policy,
      trustAnchors,
      crls,
      list: () => counted(createReadStream(args.list), (n) => {
        seen += n;
        progress(`reading list ${Math.floor((seen / Math.max(listBytes, 1)) * 100)}%`);
      }),
      attestation: new Uint8Array(await readFile(args.attestation)),
      ...(args.rpo ? { rpo: () => createReadStream(args.rpo!) } : {}),
      now: args.now ? new Date(args.now) : new Date(),
      reading: { extractors: { scans: ocr } },
      ...(handle ? { output: async (chunk: Uint8Array) => void (await handle!.write(chunk)) } : {}),
    });
    progressDone();
    await handle?.close();
    handle = undefined;
    if (args.out && partial) {
      if (result.verdict === 'approved') {
        await rename(partial, path.join(args.out, 'list.csv'));
        await writeFile(path.join(args.out, 'receipt.json'), `${JSON.stringify(buildReceipt(result), null, 2)}\n`);
      } else {
        await rm(partial, { force: true });
      }
    }
    // The attestation's text is the committente's: no terminal control of it reaches the screen (bin/terminal-text.ts).
    process.stdout.write(terminalSafeLines(args.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : render(result, args.out)));
    return EXIT[result.verdict];
  } finally {
    await handle?.close();
    if (partial) await rm(partial, { force: true }).catch(() => undefined);
    await ocr.close();
  }
}

async function fromConfig(file: string): Promise<{ policy: Policy; crls: Uint8Array[] }> {
  try {
    const loaded = await loadConfig(file);
    return { policy: loaded.config.policy, crls: loaded.crlDers ?? [] };
  } catch (err) {
    throw new UsageError(`--config ${(err as Error).message}`);
  }
}

async function* counted(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

/** The `--json` shape of PRODUCT.md section 7. */
export function toJson(result: VerificationResult) {
  return {
    intakeId: result.intakeId,
    verdict: result.verdict,
    findings: result.findings,
    list: {
      sha256: result.list.sha256,
      encoding: result.list.encoding,
      delimiter: result.list.delimiter,
      dataRows: result.list.dataRows,
      releasedRows: result.list.releasedRows,
      excluded: result.list.excluded,
    },
    attestation: {
      format: result.attestation.format,
      fields: result.attestation.fields,
      signature: result.attestation.signature,
    },
  };
}

const verdictLine = {
  approved: 'APPROVED (approvata): the list may be released',
  review: 'IN REVIEW (in revisione): a person must decide',
  rejected: 'REJECTED (respinta): the list must not be released',
};

function render(result: VerificationResult, out: string | undefined): string {
  const lines: string[] = [];
  const l = result.list;
  const a = result.attestation;
  const s = a.signature;
  lines.push(`Intake ${result.intakeId}`, `Verdict: ${verdictLine[result.verdict]}`, '');
  lines.push('List');
  lines.push(`  sha256     ${l.sha256}`);
  if (l.unreadable) lines.push(`  unreadable ${l.unreadable.reason}: ${l.unreadable.detail}`);
  lines.push(`  format     ${l.encoding ?? '?'}, delimiter ${JSON.stringify(l.delimiter)}`);
  lines.push(`  rows       ${l.dataRows} data rows, ${l.releasedRows} released`);
  const excluded = Object.entries(l.excluded).filter(([, n]) => n > 0);
  if (excluded.length) lines.push(`  excluded   ${excluded.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  for (const sample of l.samples.slice(0, 10)) {
    lines.push(`             row ${sample.row}: ${sample.reason} (${JSON.stringify(sample.phone)})`);
  }
  lines.push('', 'Attestation');
  lines.push(`  format     ${a.format}, sha256 ${a.sha256}`);
  if (s.present) {
    lines.push(`  signature  ${s.type ?? ''} ${s.valid ? 'valid' : 'NOT VALID'}${s.signingTime ? `, signed ${s.signingTime}` : ''}`);
    if (s.signer) lines.push(`  signer     ${s.signer.subject}`, `  issuer     ${s.signer.issuer}`);
    for (const check of s.checks) lines.push(`    ${check.outcome.padEnd(14)} ${check.name}: ${check.detail}`);
    if (s.signatures && s.signatures.length > 1) {
      for (const one of s.signatures) lines.push(`  ${one.label}: ${one.valid ? 'valid' : 'NOT VALID'}, ${one.signer?.subject ?? 'signer unknown'}`);
    }
    for (const stamp of s.documentTimestamps ?? []) lines.push(`  document timestamp ${stamp.index}: ${stamp.detail}`);
    for (const note of s.notes) lines.push(`    note: ${note}`);
  } else {
    lines.push('  signature  none (no digital signature)');
  }
  lines.push('  fields');
  for (const name of attestationFieldNames) {
    const field = a.fields[name];
    const label = fieldLabels[name].it.padEnd(30);
    if (!field) {
      lines.push(`    ${label} (not found)`);
      continue;
    }
    const doubtful = field.source !== 'text-layer' ? `  [${field.source}, confidence ${field.confidence.toFixed(2)}]` : '';
    lines.push(`    ${label} ${field.raw}${field.value === null ? '  (unreadable value)' : ''}${doubtful}`);
  }
  const doubtful = doubtfulFields(result.findings);
  if (doubtful.length) {
    lines.push('', 'Doubtful fields (read by machine: a person must compare them with the document)');
    for (const { field, codes } of doubtful) {
      const read = a.fields[field as AttestationFieldName];
      const label = field in fieldLabels ? fieldLabels[field as AttestationFieldName].it : field;
      lines.push(`  ${label} (${field}): ${read ? JSON.stringify(read.raw) : 'not found'}  [${codes.join(', ')}]`);
    }
  }
  lines.push('', result.findings.length ? 'Findings' : 'Findings: none');
  for (const f of result.findings) {
    lines.push(`  [${f.severity}] ${f.code}${f.field ? ` (${f.field})` : ''}: ${f.message}`);
    if (f.rule) lines.push(`           rule: ${f.rule}`);
  }
  if (out) {
    lines.push('', result.verdict === 'approved' ? `Wrote ${path.join(out, 'list.csv')} and receipt.json` : `Nothing written to ${out}: the list is not approved.`);
  }
  return `${lines.join('\n')}\n`;
}
