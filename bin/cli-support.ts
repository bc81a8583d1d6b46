import { stat } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage error or an unreadable argument: exit status 2 with a one-line reason on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { approved: 0, review: 10, rejected: 20, usage: 2, failure: 1 } as const;

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'invalid arguments');
  }
}

/** Writes progress to stderr (never stdout, which scripts parse), only when a person is watching. */
export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${message}`);
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}

/**
 * Refuses a file argument that is not a readable file, before any work: exit 2 naming the flag and the path. With
 * `nonEmpty`, an empty file too (an upload of nothing; `verify` instead reports an empty list as a finding).
 */
export async function readableFile(file: string, flag: string, options: { nonEmpty?: boolean } = {}): Promise<void> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`${flag} ${file}: not a file`);
    size = info.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new UsageError(`${flag} ${file}: cannot be read (${why})`);
  }
  if (options.nonEmpty && size === 0) throw new UsageError(`${flag} ${file}: the file is empty`);
}
