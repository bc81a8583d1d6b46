import { Annotations, App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import path from 'node:path';
import { writeConsole } from '../../web/build.js';
import { repoRoot } from './bundling.js';
import { type Settings, deploymentConfiguration, parseSettings } from './settings.js';
import { FilieraStatefulStack } from './stateful-stack.js';
import { FilieraStatelessStack } from './stateless-stack.js';

/**
 * Feature flags this app relies on (cdk.json sets none; context given there or with -c still wins).
 */
const featureFlags = {
  // S3 server access logs are granted to the logging service by bucket policy, not by ACL: ACLs are disabled.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  // CloudFormation exports from the stateful stack: it cannot lose a table or key the functions still use.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

/**
 * EU regions that offer Amazon Textract (AWS General Reference, "Amazon Textract endpoints and quotas"). Scans are
 * read with Textract, so the pipeline belongs in one of them; another region deploys, with a warning.
 */
export const textractEuRegions = ['eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3'] as const;

export interface BuildOptions {
  /** CDK context on top of what the CLI passes (tests use it in place of -c). */
  context?: Record<string, unknown>;
  /** Run cdk-nag's AwsSolutions pack when the app synthesizes. */
  nag?: boolean;
  /**
   * CDK's built-in CloudFormation schema check at synthesis (default on). Tests turn it off: it takes minutes on a
   * small machine and they assert on the templates themselves.
   */
  builtinValidation?: boolean;
}

export interface FilieraApp {
  app: App;
  settings: Settings;
  stateful: FilieraStatefulStack;
  stateless: FilieraStatelessStack;
}

/** The whole deployment: `infra/cdk/app.ts` synthesizes it, test/infra asserts on it. */
export async function buildApp(options: BuildOptions = {}): Promise<FilieraApp> {
  const app = new App({
    context: { ...featureFlags, ...options.context },
    builtinCloudFormationValidation: options.builtinValidation ?? true,
  });
  const settings = parseSettings((key) => app.node.tryGetContext(key));
  // Trust files (trusted lists, CRLs) are written under the app's output folder, for the stateless stack's trust layer.
  const deployed = settings.filieraConfigParameter ? undefined : await deploymentConfiguration(settings.filieraConfig, app.outdir);
  // The console's files, built like the functions at synth time (tests synthesize without either).
  const consoleFilesDir = settings.skipBundling ? undefined : await buildConsoleFiles();
  const env = { region: settings.region, ...(settings.account ? { account: settings.account } : {}) };

  const stateful = new FilieraStatefulStack(app, 'FilieraStateful', {
    env,
    description: 'Filiera: data key, buckets, intake table, user pool (retained)',
    settings,
    terminationProtection: true,
  });
  const stateless = new FilieraStatelessStack(app, 'FilieraStateless', {
    env,
    description: 'Filiera: functions, HTTP API, queues, schedule, alarms, the console distribution',
    settings,
    dataKey: stateful.dataKey,
    table: stateful.table,
    userPool: stateful.userPool,
    apiClient: stateful.apiClient,
    traceKey: stateful.traceKey,
    ...(deployed ? { inlineConfig: deployed.json } : {}),
    ...(deployed?.trustLayerDir ? { trustLayerDir: deployed.trustLayerDir } : {}),
    ...(consoleFilesDir ? { consoleFilesDir } : {}),
  });
  // The stateless stack names the buckets without importing them (infra/cdk/naming.ts): order the deploys anyway.
  stateless.addStackDependency(stateful);
  Tags.of(app).add('application', 'filiera');

  if (!(textractEuRegions as readonly string[]).includes(settings.region)) {
    Annotations.of(stateless).addWarningV2(
      'filiera:textractRegion',
      `${settings.region} is not one of the EU regions that offer Amazon Textract (${textractEuRegions.join(', ')}): scanned attestations cannot be read there`,
    );
  }
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, settings, stateful, stateless };
}

/** `npm run console:build`'s output, written under cdk.out for the deployment to upload. */
async function buildConsoleFiles(): Promise<string> {
  const dir = path.join(repoRoot, 'cdk.out', 'console-site');
  await writeConsole(dir);
  return dir;
}
