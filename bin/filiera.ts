import { EXIT, UsageError } from './cli-support.js';

// The machines here run Node 20 on purpose (Lambda runs Node 22); the SDK's notice about that is noise for users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Command {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

const commands: Record<string, Command> = {
  verify: {
    summary: "re-verify a list and its attestation offline, from files (the auditor's check)",
    load: () => import('./commands/verify.js'),
  },
  submit: {
    summary: 'open an intake, upload list and attestation, wait for the verdict (committente)',
    load: () => import('./commands/submit.js'),
  },
  status: { summary: 'show an intake with its findings, or your intakes', load: () => import('./commands/status.js') },
  pull: { summary: 'download a released list and its receipt, checking its hash (call center)', load: () => import('./commands/pull.js') },
  token: { summary: "print a bearer token for the local stack's demo users", load: () => import('./commands/token.js') },
};

const usage = [
  'filiera <command> [options]',
  '',
  'Commands:',
  ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
  '',
  'Run "filiera <command> --help" for its options.',
].join('\n');

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return name ? 0 : EXIT.usage;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}" (try: ${Object.keys(commands).join(', ')})`);
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`filiera: ${err.message}\n`);
      process.exitCode = EXIT.usage;
    } else {
      process.stderr.write(`filiera: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT.failure;
    }
  },
);
