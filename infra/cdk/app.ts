/**
 * The CDK app (cdk.json: `npx tsx infra/cdk/app.ts`). Parameters come from context, e.g.
 * `npx cdk synth -c region=eu-central-1 -c rawRetentionDays=30 -c filieraConfig=config/prod.json`; see
 * docs/deploying.md. Synthesis needs no AWS credentials and makes no lookups. There is no default configuration,
 * and a configuration that is the demo one or trusts a demo CA is refused (infra/cdk/settings.ts): the reason is
 * printed alone, exit status 1, no stack trace to read it from.
 */
import { buildApp } from './build-app.js';
import { DeploymentConfigError } from './settings.js';

try {
  const { app } = await buildApp({ nag: true });
  app.synth();
} catch (err) {
  if (!(err instanceof DeploymentConfigError)) throw err;
  process.stderr.write(`filiera: cannot synthesize: ${err.message}\n`);
  process.exit(1);
}
