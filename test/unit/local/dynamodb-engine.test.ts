import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDynamoEngine } from '../../../infra/local/engines/dynamodb.js';

/** `npm start` on a machine without Java: DynamoDB Local cannot run, and the user is told so at once. */
describe('the local DynamoDB engine', () => {
  it('without `java` on the PATH, fails at once naming Java and how to install it (no wait for the start time-out)', async () => {
    const emptyPath = await mkdtemp(path.join(tmpdir(), 'filiera-no-java-'));
    const saved = process.env.PATH;
    process.env.PATH = emptyPath;
    try {
      // A start time-out far longer than the test's: only an immediate failure ends this in time.
      await expect(startDynamoEngine({ startTimeoutMs: 3_600_000 })).rejects.toThrow(
        /^Java is needed to run DynamoDB Local, and no `java` command was found on the PATH: install Java 17 or later/,
      );
    } finally {
      process.env.PATH = saved;
      await rm(emptyPath, { recursive: true, force: true });
    }
  });
});
