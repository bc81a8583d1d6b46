import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    // Hang guards, not performance limits: the integration suites start a JVM and process real documents, and a CI
    // machine shared with other jobs has been seen running them fifty times slower than an idle one.
    testTimeout: 600_000,
    hookTimeout: 900_000,
    // Two cores on the CI machines: the integration suites start real engines.
    maxWorkers: 2,
    // Each worker imports the modules once and runs file after file with them, instead of a fresh module graph per
    // file: about a third less CPU for the whole run, which is what a busy CI machine runs short of. The price is
    // that a file must leave no global state behind: stubbed globals are undone after each test, mocked SDK
    // clients are restored in afterAll, and every stack and engine a file starts it stops.
    isolate: false,
    unstubGlobals: true,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
