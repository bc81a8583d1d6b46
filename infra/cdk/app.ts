/**
 * The CDK app (cdk.json: `npx tsx infra/cdk/app.ts`). Parameters come from context, e.g.
 * `npx cdk synth -c region=eu-central-1 -c rawRetentionDays=30 -c filieraConfig=config/prod.json`; see README.md,
 * "Deploying to AWS". Synthesis needs no AWS credentials and makes no lookups.
 */
import { buildApp } from './build-app.js';

const { app } = await buildApp({ nag: true });
app.synth();
