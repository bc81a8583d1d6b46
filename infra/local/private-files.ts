import { chmod, mkdir, open, writeFile } from 'node:fs/promises';

/**
 * The local data folder holds contact lists, tokens' signing key and the demo PKI's private keys: only its owner may
 * read it (folders 0700, files 0600), whatever the umask, and a folder made by an older version is tightened too.
 */

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and missing parents) if needed and makes it 0700. Parents that already exist are left alone. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/** Creates the file empty if missing (its content is kept otherwise) and makes it 0600. */
export async function ensurePrivateFile(file: string): Promise<void> {
  const handle = await open(file, 'a', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } finally {
    await handle.close();
  }
}

/** Writes the file 0600 (the mode of writeFile applies only when it creates the file: chmod covers the rest). */
export async function writePrivateFile(file: string, data: string | Uint8Array): Promise<void> {
  await writeFile(file, data, { mode: PRIVATE_FILE_MODE });
  await chmod(file, PRIVATE_FILE_MODE);
}

/**
 * For the processes that own a data folder (`npm start`, `npm run demo`, `filiera token`): whatever they and their
 * children create (the S3 engine's objects, the queue's files, the JVM's journals) is private from the start, where
 * the code writing it sets no mode of its own. Not possible in a worker thread (Node refuses): a no-op there.
 */
export function restrictUmask(): void {
  try {
    process.umask(0o077);
  } catch {
    // worker threads cannot change the process's umask
  }
}
