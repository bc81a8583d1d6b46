import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { TesseractExtractor } from '../../shared/adapters/ocr/tesseract-extractor.js';
import { attestationFieldNames, type AttestationFieldName } from '../../shared/attestation/model.js';
import { bareVat, crlFromFile, loadConfig, PolicySchema, type Policy } from '../../shared/config.js';
import { isValidPartitaIva } from '../../shared/identifiers.js';
import { TrustedListError, readTrustedList, type TrustedList } from '../../shared/signature/trusted-list.js';
import type { SignatureReport } from '../../shared/signature/index.js';
import { fieldLabels } from '../../shared/verdict/field-labels.js';
import { doubtfulFields } from '../../shared/verdict/ocr-doubt.js';
import { buildReceipt, verifyIntake, type VerificationResult } from '../../shared/verification.js';
import { checkConsentEvidence, type ConsentSampleJson } from '../../shared/consent/index.js';
import { EXIT, parseFlags, progress, progressDone, readableFile, UsageError } from '../cli-support.js';
import { terminalSafeLines } from '../terminal-text.js';

const help = `filiera verify --list FILE --attestation FILE --intake ID --tenant-vat VAT (--trust PEM | --trusted-list XML:SIGNER.pem) ...
               [--signatory TAXCODE ...] [--rpo FILE] [--now ISO8601] [--out DIR] [--json] [--config FILE]
               [--crl FILE ...] [--require-revocation-status] [--require-qualified] [--evidence FILE --sample-seed HEX]

Re-verifies a contact list and its signed attestation offline with the pipeline's engine.
Exit status: 0 approved, 10 in review, 20 rejected, 2 usage or unreadable arguments.
--evidence FILE --sample-seed HEX re-checks a consent sample as the pipeline did (Filiera specification §10): the sample
of consentSampleSize rows (the policy's, default 59) is drawn from the seed (64 hex digits: the intake's
consentSample.seed, or recomputed from its audit trail) in the list's pass and checked against the evidence file; the
verdict is the worse of the documents' and the sample's. Without them the verdict covers the documents and the list.
--config FILE takes the policy thresholds and the CRLs (revocation.crls) from a configuration file (default: the
policy defaults). --crl FILE adds a CRL (DER or PEM) to the revocation data the signatures carry;
--require-revocation-status sends an attestation whose signing certificates' status is unknown to a person.
--trusted-list XML:SIGNER.pem trusts the CA/QC and TSA/QTST services of an ETSI TS 119 612 trusted list, once its
signature verifies with SIGNER.pem. --require-qualified rejects a committente's signature that is not a qualified
electronic signature (needs --trusted-list).`;

const Args = z.object({
  list: z.string({ error: '--list FILE is required' }),
  attestation: z.string({ error: '--attestation FILE is required' }),
  intake: z.string({ error: '--intake ID is required' }).min(1, '--intake ID is empty'),
  'tenant-vat': z
    .string({ error: '--tenant-vat VAT is required' })
    .refine((v) => /^(IT)?\d{11}$/i.test(v.replace(/\s+/g, '')), '--tenant-vat must be 11 digits, optionally after IT'),
  trust: z.array(z.string()).default([]),
  'trusted-list': z.array(z.string()).default([]),
  signatory: z.array(z.string().regex(/^[A-Za-z0-9]{16}$/, '--signatory must be a 16-character codice fiscale')).default([]),
  rpo: z.string().optional(),
  now: z
    .string()
    .optional()
    .refine((v) => v === undefined || !Number.isNaN(Date.parse(v)), '--now must be an ISO 8601 date or date-time'),
  out: z.string().optional(),
  json: z.boolean().default(false),
  config: z.string().optional(),
  evidence: z.string().optional(),
  'sample-seed': z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, '--sample-seed must be 64 hexadecimal digits (the seed of Filiera specification §10)')
    .optional(),
  crl: z.array(z.string()).default([]),
  'require-revocation-status': z.boolean().default(false),
  'require-qualified': z.boolean().default(false),
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
    evidence: { type: 'string' },
    'sample-seed': { type: 'string' },
    crl: { type: 'string', multiple: true },
    'trusted-list': { type: 'string', multiple: true },
    'require-revocation-status': { type: 'boolean' },
    'require-qualified': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const parsed = Args.safeParse({ ...flags, trust: flags.trust ?? [] });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid arguments');
  const args = parsed.data;
  if (Boolean(args.evidence) !== Boolean(args['sample-seed'])) {
    throw new UsageError('--evidence FILE and --sample-seed HEX go together: the sample is drawn from the seed and checked against the file');
  }
  if (args.evidence) await readableFile(args.evidence, '--evidence');
  if (args.trust.length === 0 && args['trusted-list'].length === 0) {
    throw new UsageError('at least one --trust PEM or --trusted-list XML:SIGNER.pem is required');
  }
  if (args['require-qualified'] && args['trusted-list'].length === 0) {
    throw new UsageError('--require-qualified needs --trusted-list XML:SIGNER.pem (qualified status comes from a trusted list)');
  }

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
  const configured = args.config ? await fromConfig(args.config) : { policy: PolicySchema.parse({}), crls: [], trustedLists: [] };
  const trustedLists = [...configured.trustedLists, ...(await Promise.all(args['trusted-list'].map(readTrustedListArgument)))];
  const policy: Policy = {
    ...configured.policy,
    ...(args['require-revocation-status'] ? { requireRevocationStatus: true } : {}),
    ...(args['require-qualified'] ? { requireQualified: true } : {}),
  };
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
      trustedLists,
      list: () => counted(createReadStream(args.list), (n) => {
        seen += n;
        progress(`reading list ${Math.floor((seen / Math.max(listBytes, 1)) * 100)}%`);
      }),
      listBytes,
      listThreads: true,
      attestation: new Uint8Array(await readFile(args.attestation)),
      ...(args.rpo ? { rpo: () => createReadStream(args.rpo!) } : {}),
      now: args.now ? new Date(args.now) : new Date(),
      reading: { extractors: { scans: ocr } },
      ...(args['sample-seed'] ? { consentSample: { seed: args['sample-seed'] } } : {}),
      ...(handle ? { output: async (chunk: Uint8Array) => void (await handle!.write(chunk)) } : {}),
    });
    progressDone();
    const checked = args.evidence ? await checkEvidence(result, args.evidence) : null;
    const final = checked?.result ?? result;
    await handle?.close();
    handle = undefined;
    if (args.out && partial) {
      if (final.verdict === 'approved') {
        await rename(partial, path.join(args.out, 'list.csv'));
        await writeFile(path.join(args.out, 'receipt.json'), `${JSON.stringify(buildReceipt(final), null, 2)}\n`);
      } else {
        await rm(partial, { force: true });
      }
    }
    // The attestation's text is the committente's: no terminal control of it reaches the screen (bin/terminal-text.ts).
    const sample = checked?.sample;
    process.stdout.write(terminalSafeLines(args.json ? `${JSON.stringify(toJson(final, sample), null, 2)}\n` : render(final, args.out, sample)));
    return EXIT[final.verdict];
  } finally {
    await handle?.close();
    if (partial) await rm(partial, { force: true }).catch(() => undefined);
    await ocr.close();
  }
}

/** --trusted-list XML:SIGNER.pem: the list is used only once its signature verifies with that certificate. */
async function readTrustedListArgument(value: string): Promise<TrustedList> {
  const split = value.lastIndexOf(':');
  if (split <= 0 || split === value.length - 1) {
    throw new UsageError(`--trusted-list ${value}: expected XML:SIGNER.pem (the list and the certificate its signature must verify with)`);
  }
  const [xmlFile, signerFile] = [value.slice(0, split), value.slice(split + 1)];
  await readableFile(xmlFile, '--trusted-list');
  await readableFile(signerFile, '--trusted-list');
  const [xml, signer] = await Promise.all([readFile(xmlFile, 'utf8'), readFile(signerFile, 'utf8')]);
  try {
    return readTrustedList(xml, [signer], xmlFile);
  } catch (err) {
    if (err instanceof TrustedListError) throw new UsageError(`--trusted-list ${err.message}`);
    throw err;
  }
}

const SEVERITY = { approved: 0, review: 1, rejected: 2 } as const;
const OUTCOME_VERDICT = { proceed: 'approved', review: 'review', rejected: 'rejected' } as const;

/**
 * The consent sample's check, offline (docs/cli.md, docs/consent-sampling.md): the rows drawn in the list's pass, checked
 * against the evidence file with the pipeline's engine; the verdict is the worse of the documents' and the sample's.
 * An evidence file that cannot be read as evidence is an unreadable argument (exit 2), with its row/column errors.
 */
async function checkEvidence(result: VerificationResult, file: string): Promise<{ result: VerificationResult; sample: ConsentSampleJson } | null> {
  const drawn = result.consentSample;
  if (!drawn) {
    const why =
      result.verdict === 'rejected'
        ? 'the documents are rejected'
        : result.attestation.fields.legalBasis?.value !== 'consent'
          ? 'the attested legal basis is not consent'
          : !result.list.readable
            ? 'the list is unreadable'
            : 'consentSampleSize is 0';
    process.stderr.write(`filiera: no consent sample is drawn (${why}): --evidence is not checked\n`);
    return null;
  }
  const period = result.attestation.fields.collectionPeriod?.value;
  const checked = await checkConsentEvidence({
    seed: drawn.seed,
    rows: drawn.rows,
    evidence: new Uint8Array(await readFile(file)),
    collectionPeriod: period && period.from <= period.to ? period : null,
  });
  if (!checked.readable) {
    throw new UsageError(`--evidence ${file}: not readable as consent evidence: ${checked.errors.slice(0, 5).map((e) => e.message).join('; ')}`);
  }
  const sampled = OUTCOME_VERDICT[checked.decision.outcome];
  const verdict = SEVERITY[sampled] > SEVERITY[result.verdict] ? sampled : result.verdict;
  const findings = checked.decision.finding ? [...result.findings, checked.decision.finding] : result.findings;
  const { seed, rows, defects } = checked.report;
  return { result: { ...result, verdict, findings }, sample: { seed, rows, defects } };
}

async function fromConfig(file: string): Promise<{ policy: Policy; crls: Uint8Array[]; trustedLists: TrustedList[] }> {
  try {
    const loaded = await loadConfig(file);
    return { policy: loaded.config.policy, crls: loaded.crlDers ?? [], trustedLists: loaded.trustedLists ?? [] };
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

/** The `--json` shape of docs/cli.md. */
export function toJson(result: VerificationResult, consentSample?: ConsentSampleJson) {
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
    ...(consentSample ? { consentSample } : {}),
  };
}

const verdictLine = {
  approved: 'APPROVED (approvata): the list may be released',
  review: 'IN REVIEW (in revisione): a person must decide',
  rejected: 'REJECTED (respinta): the list must not be released',
};

/** A signature's validation facts (docs/api.md, the signature report), one line each, as an auditor reads them. */
function factLines(facts: Pick<SignatureReport, 'chain' | 'revocation' | 'timestamp' | 'qualified'>, indent: string): string[] {
  const lines: string[] = [];
  const { chain, revocation, timestamp, qualified } = facts;
  if (chain) {
    const from = chain.source === 'trusted-list' ? `trusted list${chain.territory ? ` ${chain.territory}` : ''}${chain.service ? `, service "${chain.service}"` : ''}` : 'configured trust anchor';
    lines.push(`${indent}anchor     ${chain.anchor} (${from})`);
  }
  if (revocation) {
    const by = revocation.source ? ` by ${revocation.source.toUpperCase()}${revocation.issuer ? ` of ${revocation.issuer}` : ''}${revocation.issuedAt ? ` issued ${revocation.issuedAt}` : ''}` : '';
    const origin = revocation.origin ? `, ${revocation.origin}${revocation.url ? ` from ${revocation.url}` : ''}` : '';
    const revoked = revocation.revokedAt ? `, revoked ${revocation.revokedAt}${revocation.reason ? ` (${revocation.reason})` : ''}` : '';
    lines.push(`${indent}revocation ${revocation.status}${revocation.certificate ? ` (${revocation.certificate})` : ''}${by}${origin}${revoked}`);
  }
  if (timestamp) {
    lines.push(`${indent}timestamp  ${timestamp.time} by ${timestamp.authority}${timestamp.verified ? '' : ', does not verify'}${timestamp.trusted ? '' : ', authority not trusted'}`);
  }
  if (qualified) {
    const missing = [qualified.qcCompliance ? null : 'no QcCompliance', qualified.qcSSCD ? null : 'no QcSSCD', qualified.service ? null : 'no CA/QC service'].filter(Boolean).join(', ');
    lines.push(`${indent}qualified  ${qualified.qualified ? 'yes' : 'no'}${qualified.service ? ` (service "${qualified.service}"${qualified.territory ? `, ${qualified.territory}` : ''})` : ''}${missing ? ` (${missing})` : ''}`);
  }
  return lines;
}

/** The readable text of a verification (without --json). */
export function render(result: VerificationResult, out: string | undefined, sample?: ConsentSampleJson): string {
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
    lines.push(`  signature  ${s.type ?? ''} ${s.valid ? 'valid' : 'NOT VALID'}${s.indication ? ` (ETSI EN 319 102-1: ${s.indication}${s.subIndication ? `/${s.subIndication}` : ''})` : ''}${s.signingTime ? `, signed ${s.signingTime}` : ''}`);
    if (s.signer) lines.push(`  signer     ${s.signer.subject}`, `  issuer     ${s.signer.issuer}`);
    lines.push(...factLines(s, '  '));
    for (const check of s.checks) lines.push(`    ${check.outcome.padEnd(14)} ${check.name}: ${check.detail}`);
    if (s.signatures && s.signatures.length > 1) {
      for (const one of s.signatures) {
        lines.push(`  ${one.label}: ${one.valid ? 'valid' : 'NOT VALID'} (${one.indication}${one.subIndication ? `/${one.subIndication}` : ''}), ${one.signer?.subject ?? 'signer unknown'}`);
        lines.push(...factLines(one, '    '));
      }
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
  if (sample) {
    const defective = new Set(sample.defects.map((d) => d.row)).size;
    lines.push('', `Consent sample (seed ${sample.seed})`);
    lines.push(`  rows       ${sample.rows.length} sampled: ${sample.rows.map((r) => r.row).join(', ')}`);
    lines.push(`  defective  ${defective} of ${sample.rows.length}`);
    for (const d of sample.defects) lines.push(`    row ${d.row} ${d.check}: ${d.message}`);
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
