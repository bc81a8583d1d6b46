import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { functionBundling, handlerNames, repoRoot, shippedPdfjs } from '../../infra/cdk/bundling.js';
import { buildApp } from '../../infra/cdk/build-app.js';
import { FilieraFunction } from '../../infra/cdk/house-function.js';
import { buildFunctionBundles, byPackage, importsPdfjs, LAMBDA_ENV, outputFor } from '../bench/bundles.js';

/**
 * pdfjs-dist is never bundled: the functions that read attestations import it lazily, at their first PDF, from the
 * copy the construct ships beside their bundle (infra/cdk/bundling.ts). Checked on what is deployed: on-upload's
 * asset as the construct's own esbuild run and hooks make it, in a folder outside the repository (so no other
 * pdfjs can be found), run in a fresh Node process on the in-memory stack.
 */
const scratch: string[] = [];
const scratchDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

// Each test runs esbuild over whole bundles (and the second a fresh process): minutes on a loaded two-core machine.
const SLOW = 180_000;

describe('pdfjs beside the Lambda bundles', () => {
  it('is in no bundle, and shipped beside exactly the bundles that import it', async () => {
    const handlers = handlerNames();
    const metafile = await buildFunctionBundles(handlers);
    for (const handler of handlers) expect(Object.keys(byPackage(outputFor(metafile, handler))), handler).not.toContain('pdfjs-dist');
    const importing = handlers.filter((handler) => importsPdfjs(outputFor(metafile, handler)));
    expect(importing).toContain('on-upload');

    const built = await buildApp({ context: { 'filiera:skipBundling': true, filieraConfig: 'test/fixtures/deploy/config.json' }, builtinValidation: false });
    const shipping = Object.values(built.stateless.functions)
      .filter((fn) => fn.readsPdf)
      .map((fn) => fn.handlerName)
      .sort();
    expect(shipping).toEqual(importing);
  }, SLOW);

  it("on-upload's deployed asset reads an attestation's text layer, loading pdfjs from beside it at the first PDF and not before", async () => {
    // Prepare: the asset, bundled by the construct (esbuild and the afterBundling hook), and the runner (built by
    // esbuild's own process meanwhile: synthesis blocks this one).
    const runner = buildRunner(scratchDir('filiera-runner-'));
    const outdir = scratchDir('filiera-asset-');
    const app = new App({ outdir });
    const fn = new FilieraFunction(new Stack(app, 'Bundle'), 'OnUpload', {
      handler: 'on-upload',
      description: 'bundling test',
      memorySize: 1024,
      timeout: Duration.seconds(60),
      readsPdf: true,
      skipBundling: false,
    });
    fn.finishBindings();
    app.synth();
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.') && existsSync(path.join(outdir, name, 'index.mjs')));
    expect(assets).toHaveLength(1);
    const asset = path.join(outdir, assets[0]!);
    for (const file of shippedPdfjs.files) expect(existsSync(path.join(asset, file.target)), file.target).toBe(true);

    // Act
    const child = spawnSync(process.execPath, [await runner, path.join(asset, 'index.mjs')], { encoding: 'utf8', env: { ...process.env, ...LAMBDA_ENV } });

    // Assess
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ pdfjsAtImport: false, pdfjsAfterList: false, pdfjsAfterAttestation: true });
    expect(result.status).toBe('IN_REVIEW');
    expect(result.findings).toEqual(['attestation_unsigned']);
    expect(result.fields.intakeId).toMatchObject({ value: result.id, source: 'text-layer' });
    expect(result.fields.controllerName).toMatchObject({ value: 'Acme Energia S.p.A.', source: 'text-layer' });
  }, SLOW);
});

/**
 * test/infra/on-upload-bundle-run.ts as one file of plain JavaScript (no TypeScript loader in the child), pdfjs left
 * out as in the functions: its own copy of the source handler is never asked to read a PDF.
 */
async function buildRunner(outdir: string): Promise<string> {
  const outfile = path.join(outdir, 'run.mjs');
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'infra', 'on-upload-bundle-run.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: functionBundling.target,
    format: 'esm',
    mainFields: [...functionBundling.mainFields],
    external: [...functionBundling.externalModules],
    banner: { js: functionBundling.banner },
    absWorkingDir: repoRoot,
    logLevel: 'error',
  });
  return outfile;
}
