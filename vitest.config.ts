import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Hang guards, not performance limits: the integration suites start a JVM and process real documents.
    testTimeout: 300_000,
    hookTimeout: 900_000,
    // Two cores on the CI machines: the integration suites start real engines.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
