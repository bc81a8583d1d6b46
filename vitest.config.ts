import { defineConfig } from 'vitest/config';

/**
 * Four tiers, a folder each, so a change is checked in seconds by the tier it touches and `npm test` runs them all:
 * - unit: pure and in-memory (handlers over the memory adapters included): no subprocess, no network, no engine;
 * - infra: the CDK app synthesised, cdk-nag, the Lambda bundles;
 * - integration: real local engines (DynamoDB Local, the S3 engine), openssl and pdfsig, OCR;
 * - e2e: the whole embedded stack over HTTP, CLI subprocesses, the console in Chromium.
 * Timeouts fail a slow test instead of hiding a hang: 10 s a unit test, 120 s an integration or e2e test.
 */
const shared = {
  environment: 'node' as const,
  globalSetup: ['test/global-setup.ts'],
  // Each worker imports the modules once and runs file after file with them: a file must leave no global state
  // behind (stubbed globals are undone after each test, mocked SDK clients restored in afterAll, every stack and
  // engine it starts it stops).
  isolate: false,
  unstubGlobals: true,
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
};

export default defineConfig({
  test: {
    // Two cores on the CI machines.
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000, hookTimeout: 10_000 } },
      { test: { ...shared, name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One DynamoDB Local for the whole run, a table per stack (test/global-dynamodb.ts).
          globalSetup: [...shared.globalSetup, 'test/global-dynamodb.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: [...shared.globalSetup, 'test/global-dynamodb.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
