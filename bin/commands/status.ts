import type { IntakeView } from '../../shared/api/schemas.js';
import { apiClient } from '../api-client.js';
import { parseFlags } from '../cli-support.js';
import { renderIntake } from './render-intake.js';

const help = `filiera status [--intake ID] [--url URL] [--token TOKEN] [--json]

Shows one intake (with its findings), or the intakes you can see.`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    intake: { type: 'string' },
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
  if (flags.intake) {
    const view = await api.json<IntakeView>('GET', `/v1/intakes/${encodeURIComponent(flags.intake)}`);
    process.stdout.write(flags.json ? `${JSON.stringify(view, null, 2)}\n` : renderIntake(view));
    return 0;
  }
  const page = await api.json<{ items: IntakeView[] }>('GET', '/v1/intakes?limit=50');
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  if (!page.items.length) process.stdout.write('No intakes.\n');
  for (const v of page.items) {
    process.stdout.write(`${v.intakeId}  ${v.status.padEnd(16)} ${v.createdAt}  ${v.tenant} -> ${v.callCenter}  ${v.campaign}\n`);
  }
  return 0;
}
