import { stat, writeFile } from 'node:fs/promises';
import type { IntakeView } from '../../shared/api/schemas.js';
import { apiClient, uploadFile, type ApiClient } from '../api-client.js';
import { EXIT, parseFlags, progress, progressDone, readableFile, UsageError } from '../cli-support.js';
import { inProgress, renderIntake } from './render-intake.js';

const help = `filiera submit --list FILE --call-center ID --campaign NAME [--template-out FILE]
filiera submit --intake ID --attestation FILE [--no-wait] [--timeout SECONDS]
  common: [--url URL (default http://127.0.0.1:4510)] [--token TOKEN (or FILIERA_TOKEN)] [--json]

The attestation names the intake and the list's SHA-256, so a submission has two steps:
  1. open an intake and upload the list; the pre-filled attestation is saved (default dichiarazione-<intake>.pdf);
  2. sign it and upload it with --intake; Filiera then verifies both and prints the verdict.
Exit status of step 2: 0 released, 10 in review, 20 rejected, 1 not decided in time or expired.`;

interface Links {
  intakeId: string;
  uploads: Record<'list' | 'attestation', { url: string; method: string; headers: Record<string, string> }>;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    list: { type: 'string' },
    attestation: { type: 'string' },
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

  if (flags.intake) {
    if (!flags.attestation) throw new UsageError('--attestation FILE is required with --intake');
    const links = await api.json<Links>('POST', `/v1/intakes/${encodeURIComponent(flags.intake)}/uploads`);
    if (flags.list) await uploadFile(flags.list, links.uploads.list, 'list');
    await uploadFile(flags.attestation, links.uploads.attestation, 'attestation');
    if (flags['no-wait']) {
      process.stdout.write(`Uploaded. Follow it with: filiera status --intake ${flags.intake}\n`);
      return 0;
    }
    return report(await waitForVerdict(api, flags.intake, timeoutMs), flags.json ?? false);
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
    return report(await waitForVerdict(api, opened.intakeId, timeoutMs), flags.json ?? false);
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

function report(view: IntakeView, json: boolean): number {
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
