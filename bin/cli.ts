import { ApiError } from './api-client.js';
import { EXIT, UsageError } from './cli-support.js';
import { terminalSafeLines } from './terminal-text.js';

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

/**
 * Runs one command line and returns its exit status. What a user can act on is one line on stderr: a usage error or
 * an unreadable file (2), the API's answer, an unreachable server or a file that cannot be written (1). Only a fault
 * of the CLI itself prints its stack.
 */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (err) {
    const { code, message } = explain(err);
    // A file name or an error text may come from elsewhere: no terminal control reaches the screen (a stack keeps its lines).
    process.stderr.write(`filiera: ${terminalSafeLines(message)}\n`);
    return code;
  }
}

function explain(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: EXIT.usage, message: err.message };
  if (err instanceof ApiError) return { code: EXIT.failure, message: err.message };
  const system = err as NodeJS.ErrnoException;
  if (system instanceof Error && typeof system.code === 'string' && typeof system.path === 'string') {
    const what = FILE_ERRORS[system.code] ?? system.code;
    return { code: EXIT.failure, message: `${system.path}: ${what} (${system.syscall ?? 'file'} failed)` };
  }
  return { code: EXIT.failure, message: (err as Error)?.stack ?? String(err) };
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};
