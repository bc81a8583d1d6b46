import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * One temporary folder for the whole run, removed when it ends: the test workers write their fixture files below it
 * (FILIERA_TEST_TMP, inherited by the workers), since a worker's own exit hooks do not always run. Every project
 * (vitest.config.ts) lists this setup; they run in this one process and share the folder, removed by the last.
 */
const shared = globalThis as typeof globalThis & { filieraTestTmp?: { dir: Promise<string>; users: number } };

export default async function setup(): Promise<() => Promise<void>> {
  shared.filieraTestTmp ??= { dir: mkdtemp(path.join(tmpdir(), 'filiera-test-run-')), users: 0 };
  const entry = shared.filieraTestTmp;
  entry.users += 1;
  process.env.FILIERA_TEST_TMP = await entry.dir;
  return async () => {
    entry.users -= 1;
    if (entry.users === 0) {
      shared.filieraTestTmp = undefined;
      await rm(await entry.dir, { recursive: true, force: true });
    }
  };
}
