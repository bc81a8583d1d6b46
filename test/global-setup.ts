import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * One temporary folder for the whole run, removed when it ends: the test workers write their fixture files below it
 * (FILIERA_TEST_TMP, inherited by the workers), since a worker's own exit hooks do not always run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'filiera-test-run-'));
  process.env.FILIERA_TEST_TMP = dir;
  return () => rm(dir, { recursive: true, force: true });
}
