import { describe, expect, it } from 'vitest';
import { buildFunctionBundles, byPackage, outputFor } from '../bench/bundles.js';

/**
 * What the Lambda bundles hold, built with the construct's esbuild options (infra/cdk/bundling.ts), as `npm run
 * bench` builds them: the SDK's credential chain cut to the environment provider Lambda uses, and no phone library
 * where no phone number is read.
 */
describe('Lambda bundles', () => {
  it('carry the environment credential provider, not the default chain with its SSO, ini and metadata links', async () => {
    const handlers = ['get-intake', 'on-upload', 'attestation-template'];
    const metafile = await buildFunctionBundles(handlers);
    for (const handler of handlers) {
      const output = outputFor(metafile, handler);
      const inputs = Object.keys(output.inputs);
      const packages = Object.keys(byPackage(output));
      expect(inputs, handler).toContain('functions/lib/lambda-credentials.ts');
      expect(packages, handler).toContain('@aws-sdk/credential-provider-env');
      for (const dropped of ['@aws-sdk/credential-provider-node', '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-sso', '@aws-sdk/nested-clients']) {
        expect(packages, `${handler}: ${dropped}`).not.toContain(dropped);
      }
    }
  });

  it('leave the phone library out of the attestation template, which only counts rows, and keep it where lists are checked', async () => {
    const metafile = await buildFunctionBundles(['attestation-template', 'on-upload']);
    expect(Object.keys(byPackage(outputFor(metafile, 'attestation-template')))).not.toContain('libphonenumber-js');
    expect(Object.keys(byPackage(outputFor(metafile, 'on-upload')))).toContain('libphonenumber-js');
  });
});
