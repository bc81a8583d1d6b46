import type { TestProject } from 'vitest/node';
import { startDynamoEngine, type DynamoEngine } from '../infra/local/engines/dynamodb.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** The run's one DynamoDB Local (in memory); each test stack keeps its data in a table of its own. */
    dynamoEndpoint: string;
  }
}

/**
 * One DynamoDB Local for the whole run, shared by every project that lists this setup (integration, e2e): a JVM start
 * is the costliest thing a stack does. The projects' setups run in this one process, so the engine is kept on
 * globalThis and stopped by the last project to finish.
 */
const shared = globalThis as typeof globalThis & { filieraTestDynamo?: { engine: Promise<DynamoEngine>; users: number } };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.filieraTestDynamo ??= { engine: startDynamoEngine({ startTimeoutMs: 120_000 }), users: 0 };
  const entry = shared.filieraTestDynamo;
  entry.users += 1;
  project.provide('dynamoEndpoint', (await entry.engine).endpoint);
  return async () => {
    entry.users -= 1;
    if (entry.users === 0) {
      shared.filieraTestDynamo = undefined;
      await (await entry.engine).stop();
    }
  };
}
