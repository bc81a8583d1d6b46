import { stat, writeFile } from 'node:fs/promises';
import type { IntakeView } from '../../shared/api/schemas.js';
import { apiClient, uploadFile, type ApiClient } from '../api-client.js';
import { EXIT, parseFlags, progress, progressDone, readableFile, UsageError } from '../cli-support.js';
import { inProgress, renderIntake } from './render-intake.js';

const help = `filiera submit --list FILE --call-center ID --campaign NAME [--template-out FILE]
filiera submit --intake ID --attestation FILE [--no-wait] [--timeout SECONDS] [--sample-out FILE]
filiera submit --intake ID --evidence FILE [--no-wait] [--timeout SECONDS]
  common: [--url URL (default http://127.0.0.1:4510)] [--token TOKEN (or FILIERA_TOKEN)] [--json]

The attestation names the intake and the list's SHA-256, so a submission has two steps:
  1. open an intake and upload the list; the pre-filled attestation is saved (default dichiarazione-<intake>.pdf);
  2. sign it and upload it with --intake; Filiera then verifies both and prints the verdict.
When the legal basis is consent and the tenant samples consents (Filiera specification §10), step 2 ends waiting for
the evidence of a sample of rows: it is saved as CSV (default campione-consensi-<intake>.csv) with empty evidence
columns; fill them in (one documented consent per row) and upload it with --intake ID --evidence FILE before the
deadline printed.
Exit status of step 2 and of --evidence: 0 released, 10 in review, 20 rejected, 1 not decided (a sample awaits its
evidence, the evidence file was refused, time ran out or the intake expired).`;

interface Links {
  intakeId: string;
  uploads: Record<'list' | 'attestation', { url: string; method: string; headers: Record<string, string> }>;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    list: { type: 'string' },
    attestation: { type: 'string' },
    evidence: { type: 'string' },
    'sample-out': { type: 'string' },
    intake: { type: 'string' },
    'call-center': { type: 'string' },
    campaign: { type: 'string' },
    'template-out': { type: 'string' },
    'no-wait': { type: 'boolean' },
    timeout: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const api = apiClient(flags);
  const timeoutMs = (flags.timeout ? Number(flags.timeout) : 300) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout must be a positive number of seconds');

  // Files are checked before the API is asked for anything: a typo in a path opens no intake and spends no link.
  if (flags.list) await readableFile(flags.list, '--list', { nonEmpty: true });
  if (flags.attestation) await readableFile(flags.attestation, '--attestation', { nonEmpty: true });
  if (flags.evidence) await readableFile(flags.evidence, '--evidence', { nonEmpty: true });

  if (flags.intake && flags.evidence) {
    if (flags.attestation || flags.list) throw new UsageError('--evidence FILE is uploaded on its own: --intake ID --evidence FILE');
    return submitEvidence(api, flags.intake, flags.evidence, { noWait: flags['no-wait'] ?? false, timeoutMs, json: flags.json ?? false });
  }
  if (flags.evidence) throw new UsageError('--intake ID is required with --evidence');
  if (flags.intake) {
    if (!flags.attestation) throw new UsageError('--attestation FILE is required with --intake');
    // The sizes are bound into the fresh links (signed Content-Length), as when the intake was opened.
    const links = await api.json<Links>('POST', `/v1/intakes/${encodeURIComponent(flags.intake)}/uploads`, {
      ...(flags.list ? { listBytes: (await stat(flags.list)).size } : {}),
      attestationBytes: (await stat(flags.attestation)).size,
    });
    if (flags.list) await uploadFile(flags.list, links.uploads.list, 'list');
    await uploadFile(flags.attestation, links.uploads.attestation, 'attestation');
    if (flags['no-wait']) {
      process.stdout.write(`Uploaded. Follow it with: filiera status --intake ${flags.intake}\n`);
      return 0;
    }
    return report(await waitForVerdict(api, flags.intake, timeoutMs), flags.json ?? false, api, flags['sample-out']);
  }

  if (!flags.list) throw new UsageError('--list FILE is required (or --intake ID --attestation FILE for the second step)');
  if (!flags['call-center']) throw new UsageError('--call-center ID is required');
  if (!flags.campaign) throw new UsageError('--campaign NAME is required');
  // The sizes bind the upload links: S3 then takes exactly these files' lengths, and a file over the limit is refused
  // before anything is uploaded.
  const opened = await api.json<Links & { uploadDeadline: string }>('POST', '/v1/intakes', {
    callCenter: flags['call-center'],
    campaign: flags.campaign,
    listBytes: (await stat(flags.list)).size,
    ...(flags.attestation ? { attestationBytes: (await stat(flags.attestation)).size } : {}),
  });
  await uploadFile(flags.list, opened.uploads.list, 'list');
  if (flags.attestation) {
    // An attestation prepared beforehand cannot name this new intake: it will be rejected, but the user asked.
    await uploadFile(flags.attestation, opened.uploads.attestation, 'attestation');
    return report(await waitForVerdict(api, opened.intakeId, timeoutMs), flags.json ?? false, api, flags['sample-out']);
  }
  const templateFile = flags['template-out'] ?? `dichiarazione-${opened.intakeId}.pdf`;
  await writeFile(templateFile, await api.bytes(`/v1/intakes/${opened.intakeId}/attestation-template`));
  process.stdout.write(
    [
      `Intake ${opened.intakeId} opened; list uploaded.`,
      `Pre-filled attestation: ${templateFile} (intake, controller, list SHA-256 and row count filled in).`,
      'Complete it, have the legal representative sign it (PAdES or CAdES .p7m), then:',
      `  filiera submit --intake ${opened.intakeId} --attestation SIGNED_FILE`,
      `Both files must arrive by ${opened.uploadDeadline}.`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function waitForVerdict(api: ApiClient, intakeId: string, timeoutMs: number): Promise<IntakeView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await api.json<IntakeView>('GET', `/v1/intakes/${encodeURIComponent(intakeId)}`);
    if (!inProgress(view.status) || Date.now() > deadline) {
      progressDone();
      return view;
    }
    progress(`waiting for the verdict (${view.status.toLowerCase().replace('_', ' ')})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The committente's answer to the consent sample (docs/consent-sampling.md): a link bound to the file's size, the upload,
 * then the verdict. A file that cannot be read as evidence leaves the intake waiting: its errors are printed.
 */
async function submitEvidence(api: ApiClient, intakeId: string, file: string, options: { noWait: boolean; timeoutMs: number; json: boolean }): Promise<number> {
  const id = encodeURIComponent(intakeId);
  const link = await api.json<{ upload: { url: string; method: string; headers: Record<string, string> }; deadline: string }>(
    'POST',
    `/v1/intakes/${id}/evidence?evidenceBytes=${(await stat(file)).size}`,
  );
  const before = await api.json<IntakeView>('GET', `/v1/intakes/${id}`);
  await uploadFile(file, link.upload, 'evidence');
  if (options.noWait) {
    process.stdout.write(`Uploaded. Follow it with: filiera status --intake ${intakeId}\n`);
    return 0;
  }
  // Until processing moves it, the intake still reads AWAITING_EVIDENCE as before the upload.
  const deadline = Date.now() + options.timeoutMs;
  let view = before;
  while (Date.now() <= deadline) {
    view = await api.json<IntakeView>('GET', `/v1/intakes/${id}`);
    // APPROVED is the release step's short wait, not a verdict yet (shared/intake/intake.ts).
    const moved = view.updatedAt !== before.updatedAt && !inProgress(view.status);
    if (moved) break;
    progress(`waiting for the evidence check (${view.status.toLowerCase().replace('_', ' ')})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  progressDone();
  if (view.status === 'AWAITING_EVIDENCE' && view.updatedAt !== before.updatedAt) {
    const sample = await api.json<{ refused?: { errors: { message: string }[] } }>('GET', `/v1/intakes/${id}/consent-sample`);
    process.stderr.write(`filiera: the evidence file was refused; fix it and upload it again before ${view.consentSample?.deadline ?? link.deadline}:\n`);
    for (const e of sample.refused?.errors ?? []) process.stderr.write(`  ${e.message}\n`);
    return EXIT.failure;
  }
  return report(view, options.json);
}

function report(view: IntakeView, json: boolean, api?: ApiClient, sampleOut?: string): number | Promise<number> {
  if (view.status === 'AWAITING_EVIDENCE' && api) return reportSample(view, json, api, sampleOut);
  process.stdout.write(json ? `${JSON.stringify(view, null, 2)}\n` : renderIntake(view));
  switch (view.status) {
    case 'RELEASED':
      return EXIT.approved;
    case 'IN_REVIEW':
      return EXIT.review;
    case 'REJECTED':
      return EXIT.rejected;
    default:
      if (!json) process.stderr.write(`filiera: no verdict yet (${view.status}); follow it with filiera status --intake ${view.intakeId}\n`);
      return EXIT.failure;
  }
}

/** The documents passed and a consent sample awaits its evidence: the sample is saved, the next step printed. */
async function reportSample(view: IntakeView, json: boolean, api: ApiClient, sampleOut?: string): Promise<number> {
  const file = sampleOut ?? `campione-consensi-${view.intakeId}.csv`;
  await writeFile(file, await api.bytes(`/v1/intakes/${encodeURIComponent(view.intakeId)}/consent-sample?format=csv`));
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...view, sampleFile: file }, null, 2)}\n`);
    return EXIT.failure;
  }
  process.stdout.write(renderIntake(view));
  process.stdout.write(
    [
      `The documents passed; ${view.consentSample?.sampledRows ?? 'some'} rows were drawn to check their consents (Filiera specification §10).`,
      `Sample: ${file} (fill in the evidence columns: consenso_il, ip, fonte, informativa, conferma, confermato_il).`,
      `Then: filiera submit --intake ${view.intakeId} --evidence ${file}`,
      `The evidence must arrive by ${view.consentSample?.deadline ?? '(see filiera status)'}, or the intake is rejected.`,
      '',
    ].join('\n'),
  );
  return EXIT.failure;
}
