import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How every Lambda function is bundled, in one place: the house construct hands these to NodejsFunction (which runs
 * esbuild at synth time) and `npm run bench` builds the same bundles with esbuild's API to measure them. Plain data,
 * no CDK import, so that the bench does not load aws-cdk-lib.
 */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const functionsDir = path.join(repoRoot, 'functions');

/** The handler files: every functions/*.ts exports `handler` (functions/lib holds their shared plumbing). */
export function handlerNames(): string[] {
  return readdirSync(functionsDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

export const functionBundling = {
  /** Matches lambda.Runtime.NODEJS_22_X. */
  target: 'node22',
  format: 'esm',
  minify: true,
  sourceMap: false,
  /** Prefer packages' ES module builds: they tree-shake (the AWS SDK v3 clients ship both). */
  mainFields: ['module', 'main'],
  /**
   * Nothing external: the AWS SDK clients are bundled at the versions in package-lock.json rather than taken from
   * the runtime's copy, which AWS updates on its own schedule.
   */
  externalModules: [] as string[],
  /** CommonJS dependencies inside an ES module bundle still call require() for Node built-ins. */
  banner: "import { createRequire as __filieraCreateRequire } from 'node:module'; const require = __filieraCreateRequire(import.meta.url);",
  /**
   * Package substitutions, resolved from the repository root. The SDK's default credential chain becomes the
   * environment provider that is all Lambda uses (functions/lib/lambda-credentials.ts says why).
   */
  alias: { '@aws-sdk/credential-provider-node': './functions/lib/lambda-credentials.ts' } as Record<string, string>,
} as const;

/**
 * pdfjs-dist (attestation text layers) loads its worker at run time with `import('./pdf.worker.mjs')` relative to
 * the bundle, a path esbuild cannot follow: functions that read attestations ship the worker beside index.mjs.
 */
export const pdfWorker = {
  source: 'node_modules/pdfjs-dist/legacy/build/pdf.worker.min.mjs',
  target: 'pdf.worker.mjs',
} as const;
