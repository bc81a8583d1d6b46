import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
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
   * Only pdfjs-dist is external (shippedPdfjs puts it beside the bundles that import it); the AWS SDK clients are
   * bundled at the versions in package-lock.json rather than taken from the runtime's copy, which AWS updates on its
   * own schedule.
   */
  externalModules: ['pdfjs-dist'] as string[],
  /** CommonJS dependencies inside an ES module bundle still call require() for Node built-ins. */
  banner: "import { createRequire as __filieraCreateRequire } from 'node:module'; const require = __filieraCreateRequire(import.meta.url);",
  /**
   * Package substitutions, resolved from the repository root. The SDK's default credential chain becomes the
   * environment provider that is all Lambda uses (functions/lib/lambda-credentials.ts says why).
   */
  alias: { '@aws-sdk/credential-provider-node': './functions/lib/lambda-credentials.ts' } as Record<string, string>,
} as const;

/**
 * pdfjs-dist reads attestations' text layers, and only when a PDF is read (shared/attestation/pdf-text.ts imports it
 * dynamically). Bundled, its 0.5 MB would be parsed at every cold start whether a PDF comes or not, and its worker is
 * loaded at run time with `import('./pdf.worker.mjs')` relative to pdf.mjs, a path esbuild cannot follow. So it stays
 * external: the bundle keeps `import('pdfjs-dist/legacy/build/pdf.mjs')`, which Node resolves from index.mjs to the
 * node_modules folder shipped beside it with these files. The builds pdfjs publishes minified (the same code) take
 * the plain names, the ones the bundle and pdf.mjs ask for.
 */
export const shippedPdfjs = {
  /** The package as an import names it (functionBundling.externalModules). */
  packageName: 'pdfjs-dist',
  /** Source (from the repository root) to target (from the bundle's folder). */
  files: [
    { source: 'node_modules/pdfjs-dist/package.json', target: 'node_modules/pdfjs-dist/package.json' },
    { source: 'node_modules/pdfjs-dist/LICENSE', target: 'node_modules/pdfjs-dist/LICENSE' },
    { source: 'node_modules/pdfjs-dist/legacy/build/pdf.min.mjs', target: 'node_modules/pdfjs-dist/legacy/build/pdf.mjs' },
    { source: 'node_modules/pdfjs-dist/legacy/build/pdf.worker.min.mjs', target: 'node_modules/pdfjs-dist/legacy/build/pdf.worker.mjs' },
  ],
} as const;

/** Shell commands that ship pdfjs beside a bundle (the construct's afterBundling hook; paths may be Docker's). */
export function shipPdfjsCommands(inputDir: string, outputDir: string): string[] {
  const folders = [...new Set(shippedPdfjs.files.map((file) => path.posix.dirname(file.target)))];
  return [
    ...folders.map((folder) => `mkdir -p "${path.posix.join(outputDir, folder)}"`),
    ...shippedPdfjs.files.map((file) => `cp "${path.posix.join(inputDir, file.source)}" "${path.posix.join(outputDir, file.target)}"`),
  ];
}

/** The same, done in this process (the bench and the tests, which build bundles with esbuild's API). */
export function shipPdfjs(outdir: string): void {
  for (const file of shippedPdfjs.files) {
    const target = path.join(outdir, file.target);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(repoRoot, file.source), target);
  }
}
