import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { apiRoutes, type RouteHandlerName } from '../../shared/api/routes.js';
import { type BucketRef, FilieraFunction, type ObjectAccess, type TableAccess, type TextractChannel } from './house-function.js';
import { allEvidenceKeys, allIntakeKeys, allReleaseKeys, intakeKeys, releaseKeys, traceKeys, uploadKeys } from './key-patterns.js';
import { ConsoleSite } from './console-site.js';
import { acknowledge } from './nag.js';
import { bucketArn, bucketName, isReleasePublisher, publisherRoleName, traceRoleName } from './naming.js';
import { checkInlineSize, type Settings } from './settings.js';
import { DEFAULT_TRACE_SCAN_LIMIT_BYTES, TraceEngine } from './trace-engine.js';

export type HandlerName = RouteHandlerName | 'openapi' | 'on-upload' | 'on-textract-complete' | 'sweep' | 'deliver-webhooks';

interface FunctionSpec {
  description: string;
  memorySize: number;
  timeout: Duration;
  /** Absent: the handler does not build pipeline dependencies (functions/lib/deps-source.ts) at all. */
  table?: TableAccess;
  intake?: ObjectAccess;
  release?: ObjectAccess;
  evidence?: ObjectAccess;
  config?: boolean;
  readsPdf?: boolean;
  /** Reads scanned attestations with Amazon Textract (and resumes the intakes whose Textract job finished). */
  readsScans?: boolean;
  /** Hashes numbers with the trace index's key (docs/api.md): the release step and the trace function. */
  traceKey?: boolean;
  /** Reads the trace index through Athena (the trace function). */
  traceEngine?: boolean;
  /** Verifies attestations' signatures: gets the trust layer, when the configuration names trust files. */
  verifiesSignatures?: boolean;
  reservedConcurrentExecutions?: number;
}

/** API Gateway gives up on an integration after 30 seconds. */
const api = { memorySize: 1024, timeout: Duration.seconds(29) };
/** A list may be 1 GiB (docs/configuration.md): processing streams it within Lambda's 15 minutes. */
const worker = { memorySize: 2048, timeout: Duration.minutes(15) };
const nameOnly: ObjectAccess = {};
/** Processing reads uploads at the version recorded on arrival: the list, the attestation, the consent evidence. */
const processedVersions = [...uploadKeys, intakeKeys.consentEvidence];
/** What the release step writes to the evidence bucket: attestation and receipt, and the trace index in parts. */
const releaseEvidence: ObjectAccess = { write: [...allEvidenceKeys, traceKeys.index], multipart: true };

/**
 * Who may touch what, per handler: read it as the least-privilege table of the deployment. Every route handler
 * needs the four storage names to start (functions/lib/environment-wiring.ts); a name alone grants nothing.
 */
const functionSpecs: Record<HandlerName, FunctionSpec> = {
  'create-intake': {
    ...api,
    description: 'POST /v1/intakes: opens an intake, presigns the two uploads',
    table: { write: true },
    intake: { write: uploadKeys },
    release: nameOnly,
    evidence: nameOnly,
    config: true,
  },
  'renew-upload-links': {
    ...api,
    description: 'POST /v1/intakes/{id}/uploads: fresh upload links',
    table: { getItem: true },
    intake: { write: uploadKeys },
    release: nameOnly,
    evidence: nameOnly,
  },
  'list-intakes': {
    ...api,
    description: 'GET /v1/intakes',
    table: { query: ['byTenant', 'byStatus'] },
    intake: nameOnly,
    release: nameOnly,
    evidence: nameOnly,
  },
  'get-intake': { ...api, description: 'GET /v1/intakes/{id}', table: { getItem: true }, intake: nameOnly, release: nameOnly, evidence: nameOnly },
  'attestation-template': {
    ...api,
    description: 'GET /v1/intakes/{id}/attestation-template: the pre-filled PDF',
    table: { getItem: true },
    intake: { read: [intakeKeys.listUpload] },
    release: nameOnly,
    evidence: nameOnly,
    config: true,
  },
  'intake-documents': {
    ...api,
    description: 'GET /v1/intakes/{id}/documents: five-minute links to the uploaded documents and the receipt, each issue audited',
    table: { getItem: true, appendEvents: true },
    intake: { read: [intakeKeys.listUpload, intakeKeys.attestationUpload, intakeKeys.receipt], readVersions: uploadKeys },
    release: nameOnly,
    evidence: nameOnly,
  },
  'consent-sample': {
    ...api,
    description: 'GET /v1/intakes/{id}/consent-sample: the consent sample (JSON or CSV)',
    table: { getItem: true },
    // A sample too large for the intake's item is read from the receipt, which holds it whole.
    intake: { read: [intakeKeys.receipt] },
    release: nameOnly,
    evidence: nameOnly,
  },
  'evidence-link': {
    ...api,
    description: 'POST /v1/intakes/{id}/evidence: presigns the consent evidence upload, each issue audited',
    table: { getItem: true, appendEvents: true },
    intake: { write: [intakeKeys.consentEvidence] },
    release: nameOnly,
    evidence: nameOnly,
  },
  'intake-audit': {
    ...api,
    description: 'GET /v1/intakes/{id}/audit',
    table: { getItem: true, query: ['table'] },
    intake: nameOnly,
    release: nameOnly,
    evidence: nameOnly,
  },
  'list-releases': {
    ...api,
    description: 'GET /v1/releases',
    table: { query: ['releasesByCallCenter'] },
    intake: nameOnly,
    release: nameOnly,
    evidence: nameOnly,
  },
  'list-call-centers': {
    ...api,
    description: 'GET /v1/call-centers: the committente\'s configured call centers',
    table: {},
    intake: nameOnly,
    release: nameOnly,
    evidence: nameOnly,
    config: true,
  },
  'get-release': {
    ...api,
    description: 'GET /v1/releases/{id}: presigned download links, each issue audited',
    table: { getItem: true, appendEvents: true },
    intake: nameOnly,
    release: { read: allReleaseKeys },
    evidence: nameOnly,
  },
  'review-queue': {
    ...api,
    description: 'GET /v1/review',
    table: { query: ['byStatus'] },
    intake: nameOnly,
    release: nameOnly,
    evidence: nameOnly,
  },
  'review-decision': {
    ...api,
    description: 'POST /v1/review/{id}/decision: an approval releases the list',
    table: { getItem: true, write: true },
    intake: { read: [intakeKeys.stagedList, intakeKeys.receipt, intakeKeys.attestationUpload], readVersions: [intakeKeys.attestationUpload] },
    release: { read: [releaseKeys.list], write: allReleaseKeys },
    // The release step keeps the signed attestation and the receipt as evidence (docs/limits-and-retention.md), and the
    // trace index of the released numbers (section 11), streamed in parts.
    evidence: releaseEvidence,
    config: true,
    traceKey: true,
  },
  'on-upload': {
    ...worker,
    description: 'S3 object-created events through SQS: records uploads, verifies, releases',
    // The trail (Query on the table): a multi-page scan's Textract job is started once per intake.
    table: { getItem: true, write: true, query: ['table'] },
    intake: { read: allIntakeKeys, readVersions: processedVersions, write: [intakeKeys.stagedList, intakeKeys.receipt], multipart: true, list: true },
    release: { read: [releaseKeys.list], write: allReleaseKeys },
    evidence: releaseEvidence,
    config: true,
    traceKey: true,
    readsPdf: true,
    readsScans: true,
    verifiesSignatures: true,
  },
  'on-textract-complete': {
    ...worker,
    description: 'Textract job completions through SNS and SQS: reads the finished scan, verifies, records the verdict',
    table: { getItem: true, write: true, query: ['table'] },
    intake: { read: allIntakeKeys, readVersions: uploadKeys, write: [intakeKeys.stagedList, intakeKeys.receipt], multipart: true, list: true },
    release: { read: [releaseKeys.list], write: allReleaseKeys },
    evidence: releaseEvidence,
    config: true,
    traceKey: true,
    readsPdf: true,
    readsScans: true,
    verifiesSignatures: true,
  },
  sweep: {
    ...worker,
    description: 'Scheduled: expires intakes, finishes releases and processing left behind',
    table: { getItem: true, write: true, query: ['byStatus', 'table'] },
    intake: { read: allIntakeKeys, readVersions: processedVersions, write: [intakeKeys.stagedList, intakeKeys.receipt], multipart: true, list: true },
    release: { read: [releaseKeys.list], write: allReleaseKeys },
    evidence: releaseEvidence,
    config: true,
    traceKey: true,
    readsPdf: true,
    readsScans: true,
    verifiesSignatures: true,
    // One sweep at a time: a run may last as long as the schedule's period.
    reservedConcurrentExecutions: 1,
  },
  trace: {
    ...api,
    description: 'GET /v1/trace: the releases whose lists held a number (Athena over the trace index), each trace audited',
    table: { getItem: true },
    intake: nameOnly,
    release: nameOnly,
    evidence: { read: [traceKeys.index], write: [traceKeys.audit] },
    config: true,
    traceKey: true,
    traceEngine: true,
  },
  openapi: { memorySize: 256, timeout: Duration.seconds(5), description: 'GET /openapi.json (public)' },
  'deliver-webhooks': {
    memorySize: 256,
    timeout: Duration.seconds(60),
    description: 'Events from the bus through SQS: signed webhook deliveries, retried for 24 hours, then recorded as undelivered',
    // webhook.undelivered on the intake's trail: an audit event, never a move.
    table: { appendEvents: true },
    intake: nameOnly,
    release: nameOnly,
    evidence: nameOnly,
    config: true,
  },
};

/** docs/events.md: the functions whose steps are announced on the event bus. */
const eventPublishers: readonly HandlerName[] = ['on-upload', 'on-textract-complete', 'sweep', 'review-decision', 'get-release'];

export interface StatelessStackProps extends StackProps {
  settings: Settings;
  dataKey: kms.IKey;
  table: dynamodb.ITable;
  userPool: cognito.IUserPool;
  apiClient: cognito.IUserPoolClient;
  /** The configuration in the inline format, when read from a file at synth time. */
  inlineConfig?: string;
  /** The folder the synth step wrote the configuration's trust files into (./settings.ts), packed as the trust layer. */
  trustLayerDir?: string;
  /** The console's static files (`npm run console:build`); absent when synthesized without bundling. */
  consoleFilesDir?: string;
  /** The trace index's key (stateful stack); without it nothing is indexed or traced in AWS. */
  traceKey?: secretsmanager.ISecret;
}

/** Functions, the HTTP API, queues, topics, the schedule and the alarms: replaceable at any time. */
export class FilieraStatelessStack extends Stack {
  readonly functions: Record<HandlerName, FilieraFunction>;
  readonly httpApi: apigw.HttpApi;
  readonly uploadEvents: sqs.Queue;
  readonly textractCompletions: sqs.Queue;
  readonly console: ConsoleSite;
  readonly traceEngine: TraceEngine;
  /** docs/events.md: the bus the intakes' events are published to, and the queue webhook deliveries wait in. */
  readonly eventBus: events.EventBus;
  readonly webhookDeliveries: sqs.Queue;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const intakeBucket: BucketRef = { bucketName: bucketName('intake', this.region), bucketArn: bucketArn(this, 'intake') };
    const releaseBucket: BucketRef = { bucketName: bucketName('release', this.region), bucketArn: bucketArn(this, 'release') };
    const evidenceBucket: BucketRef = { bucketName: bucketName('evidence', this.region), bucketArn: bucketArn(this, 'evidence') };
    const configuration = this.configuration(settings, props.inlineConfig);

    const textract = this.textractChannel(props.dataKey);
    this.textractCompletions = textract.queue;
    this.traceEngine = new TraceEngine(this, 'TraceEngine', {
      evidence: evidenceBucket,
      dataKey: props.dataKey,
      accessLogsBucketName: bucketName('access-logs', this.region),
      bytesScannedCutoffPerQuery: DEFAULT_TRACE_SCAN_LIMIT_BYTES,
    });

    this.eventBus = new events.EventBus(this, 'EventBus', { description: 'Filiera intake events (Filiera specification §12, docs/events.md)' });

    const trustLayer = props.trustLayerDir ? this.trustLayer(props.trustLayerDir) : undefined;
    this.functions = {} as Record<HandlerName, FilieraFunction>;
    for (const [handler, spec] of Object.entries(functionSpecs) as [HandlerName, FunctionSpec][]) {
      const fn = new FilieraFunction(this, functionId(handler), {
        handler,
        description: `Filiera ${spec.description}`,
        memorySize: spec.memorySize,
        timeout: spec.timeout,
        skipBundling: settings.skipBundling,
        ...(isReleasePublisher(handler) ? { roleName: publisherRoleName(handler, this.region) } : {}),
        ...(handler === 'trace' ? { roleName: traceRoleName(this.region) } : {}),
        ...(spec.readsPdf ? { readsPdf: true } : {}),
        ...(spec.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: spec.reservedConcurrentExecutions } : {}),
      });
      if (spec.table) fn.bindTable(props.table, props.dataKey, spec.table, settings.evidenceRetentionDays);
      if (spec.intake) fn.bindBucket('INTAKE_BUCKET', intakeBucket, props.dataKey, spec.intake);
      if (spec.release) fn.bindBucket('RELEASE_BUCKET', releaseBucket, props.dataKey, spec.release);
      if (spec.evidence) fn.bindBucket('EVIDENCE_BUCKET', evidenceBucket, props.dataKey, spec.evidence);
      if (spec.config) fn.bindConfiguration(configuration);
      if (spec.verifiesSignatures && trustLayer) fn.bindTrustFiles(trustLayer);
      fn.bindScanReader(spec.readsScans ? textract : undefined);
      if (spec.traceKey && props.traceKey) fn.bindTraceKey(props.traceKey, props.dataKey);
      if (spec.traceEngine) fn.bindTraceEngine(this.traceEngine, props.dataKey);
      if (eventPublishers.includes(handler)) {
        fn.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
        fn.addEnvironment('DEPLOYMENT_NAME', this.stackName);
        this.eventBus.grantPutEventsTo(fn);
      }
      fn.finishBindings();
      this.functions[handler] = fn;
    }

    this.console = new ConsoleSite(this, 'Console', {
      userPool: props.userPool,
      domainPrefix: settings.hostedUiPrefix ?? `filiera-${this.account}`,
      filesDir: props.consoleFilesDir ?? null,
    });
    this.httpApi = this.api(props.userPool, [props.apiClient, this.console.client], this.console.url);
    this.console.connect(this.httpApi.apiEndpoint);
    this.uploadEvents = this.uploadPipeline(intakeBucket);
    this.functions['on-textract-complete'].addEventSource(
      new SqsEventSource(textract.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    this.sweepSchedule();
    this.webhookDeliveries = this.webhookPipeline();
    this.alarms(settings);
  }

  /**
   * An encrypted, TLS-only queue whose messages go to `<id>Dlq` (kept 14 days) after 5 receives, and an alarm
   * (`alarm` its description) as soon as one waits there: the shape of every queue that feeds a function here.
   */
  private queueWithDeadLetters(
    id: string,
    { alarm, ...props }: Pick<sqs.QueueProps, 'visibilityTimeout' | 'retentionPeriod'> & { alarm: string },
  ): { queue: sqs.Queue; deadLetters: sqs.Queue } {
    const secure = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
    const deadLetters = new sqs.Queue(this, `${id}Dlq`, { ...secure, retentionPeriod: Duration.days(14) });
    const queue = new sqs.Queue(this, id, { ...secure, ...props, deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 } });
    new cloudwatch.Alarm(this, `${id}DlqAlarm`, {
      alarmDescription: alarm,
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { queue, deadLetters };
  }

  /**
   * docs/events.md: every event on the bus -> a rule -> SQS -> deliver-webhooks, which posts each subscriber's
   * signed delivery and puts a failed one back on the same queue, delayed, until it succeeds or 24 hours have passed
   * (shared/events/delivery.ts). The subscribers' secrets are a Secrets Manager secret (`{ "<webhook id>": "..." }`),
   * since the functions read no files: the operator writes it.
   */
  private webhookPipeline(): sqs.Queue {
    const { queue, deadLetters } = this.queueWithDeadLetters('WebhookDeliveries', {
      alarm: 'Webhook delivery messages failed 5 times (not a subscriber answering non-2xx: that is retried, then audited)',
      visibilityTimeout: Duration.minutes(6),
      // A delivery is retried for 24 hours: its messages never wait that long on the queue (at most 15 minutes each).
      retentionPeriod: Duration.days(2),
    });
    new events.Rule(this, 'WebhookEventsRule', {
      eventBus: this.eventBus,
      description: 'Filiera events to the webhook delivery queue',
      eventPattern: { source: events.Match.prefix('filiera/') },
      targets: [new targets.SqsQueue(queue, { deadLetterQueue: deadLetters })],
    });
    const secrets = new secretsmanager.Secret(this, 'WebhookSecrets', {
      description: 'Filiera webhook secrets: a JSON object, webhook id -> shared secret (Filiera specification §12)',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'unused-placeholder', excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      secrets,
      'AwsSolutions-SMG4',
      'Webhook secrets are shared with each subscriber by hand: a rotation is agreed with the subscriber, never automatic.',
    );
    const fn = this.functions['deliver-webhooks'];
    fn.addEnvironment('DELIVERY_QUEUE_URL', queue.queueUrl);
    fn.addEnvironment('WEBHOOK_SECRETS_SECRET', secrets.secretArn);
    queue.grantSendMessages(fn);
    secrets.grantRead(fn);
    fn.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }));
    return queue;
  }

  /**
   * docs/deploying.md: the configuration's trusted lists, their signers' certificates and CRL files, written by the synth
   * step and mounted at /opt on the functions that verify signatures (they are too large for the environment).
   */
  private trustLayer(dir: string): lambda.LayerVersion {
    return new lambda.LayerVersion(this, 'TrustFiles', {
      code: lambda.Code.fromAsset(dir),
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      description: 'Filiera trust files: trusted lists, their signers, CRL files (docs/deploying.md)',
    });
  }

  /** Inline JSON from the file read at synth time, or the SSM parameter's value resolved by CloudFormation. */
  private configuration(settings: Settings, inlineConfig: string | undefined): string {
    if (settings.filieraConfigParameter) {
      return ssm.StringParameter.valueForStringParameter(this, settings.filieraConfigParameter);
    }
    if (!inlineConfig) throw new Error('FilieraStatelessStack: no configuration (inlineConfig or filieraConfigParameter)');
    checkInlineSize(inlineConfig, settings.filieraConfig);
    return inlineConfig;
  }

  /** docs/api.md: one route per entry of shared/api/routes.ts, behind the Cognito JWT authorizer. */
  private api(userPool: cognito.IUserPool, clients: cognito.IUserPoolClient[], consoleOrigin: string): apigw.HttpApi {
    // The issuer of the user pool's tokens, as HttpUserPoolAuthorizer spells it.
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`;
    const authorizer = new HttpJwtAuthorizer('CognitoAuthorizer', issuer, {
      authorizerName: 'cognito',
      // Bearer = the Cognito ID token: it carries cognito:groups and the custom:* scope claims.
      // The API's own client (SDK sign-in) and the console's (hosted UI).
      jwtAudience: clients.map((c) => c.userPoolClientId),
    });
    const httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: 'filiera',
      description: 'Filiera HTTP API (Filiera specification §8)',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      // The console calls the API from its CloudFront origin; API Gateway answers the preflight itself.
      corsPreflight: {
        allowOrigins: [consoleOrigin],
        allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
            latency: '$context.responseLatency',
          }),
        ),
      },
    });

    for (const route of apiRoutes) {
      httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${functionId(route.handler)}Integration`, this.functions[route.handler]),
      });
    }
    const [openApiRoute] = httpApi.addRoutes({
      path: '/openapi.json',
      methods: [apigw.HttpMethod.GET],
      integration: new HttpLambdaIntegration('OpenApiIntegration', this.functions.openapi),
      authorizer: new apigw.HttpNoneAuthorizer(),
    });
    acknowledge(
      openApiRoute!,
      'AwsSolutions-APIG4',
      'GET /openapi.json is public by design (Filiera specification §8): it describes the API and returns no data; its function ' +
        'has no data permissions at all.',
    );
    new CfnOutput(this, 'ApiUrl', { value: httpApi.apiEndpoint });
    return httpApi;
  }

  /**
   * S3 object-created events -> SQS (dead-letter queue after 5 receives) -> on-upload, one message at a time, with
   * partial batch failures so that only a failed message is retried.
   */
  private uploadPipeline(intake: BucketRef): sqs.Queue {
    const { queue } = this.queueWithDeadLetters('UploadEvents', {
      alarm: 'Upload events failed 5 times and wait in the dead-letter queue: the sweep also picks uploads up from storage',
      // AWS's advice for Lambda event sources: six times the function's timeout.
      visibilityTimeout: Duration.minutes(90),
      retentionPeriod: Duration.days(4),
    });
    this.functions['on-upload'].addEventSource(
      new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );

    // The bucket lives in the stateful stack; the notification is added from here, where the queue is.
    const bucket = s3.Bucket.fromBucketAttributes(this, 'IntakeBucketRef', { bucketName: intake.bucketName, bucketArn: intake.bucketArn });
    // Only the two upload keys: processing's own writes (cleaned list, receipt) wake nobody.
    for (const suffix of ['/list.csv', '/attestation', '/consent-evidence.csv']) {
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new SqsDestination(queue), { prefix: 'tenants/', suffix });
    }
    const notificationsHandler = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notificationsHandler) {
      acknowledge(
        notificationsHandler.node.findChild('Role'),
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's own S3-notification custom resource (runs at deploy time only) writes its logs with the AWS managed " +
          'basic execution role; its only other permission is Get/PutBucketNotification on the intake bucket.',
      );
    }

    return queue;
  }

  /**
   * Textract's asynchronous jobs (multi-page scans) report completion to an SNS topic, fanned out to a queue that
   * on-textract-complete consumes. Textract publishes with a role it assumes, for this account only; the functions
   * that start jobs pass that role.
   */
  private textractChannel(dataKey: kms.IKey): TextractChannel {
    const topic = new sns.Topic(this, 'TextractCompletionTopic', {
      displayName: 'Filiera Textract job completions',
      masterKey: dataKey,
      enforceSSL: true,
    });
    const { queue } = this.queueWithDeadLetters('TextractCompletions', {
      alarm: 'Textract completion messages were not consumed and wait in the dead-letter queue',
      visibilityTimeout: Duration.minutes(15),
    });
    topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));

    const role = new iam.Role(this, 'TextractPublishRole', {
      description: 'Assumed by Amazon Textract to report job completion to the Filiera topic',
      assumedBy: new iam.ServicePrincipal('textract.amazonaws.com', {
        // Confused-deputy protection: only Textract jobs of this account.
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:textract:${this.region}:${this.account}:*` },
        },
      }),
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${this.region}.amazonaws.com` } },
      }),
    );

    new CfnOutput(this, 'TextractTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'TextractPublishRoleArn', { value: role.roleArn });
    return { queue, topicArn: topic.topicArn, publishRoleArn: role.roleArn };
  }

  /** docs/architecture.md: uploads expire after 24 h; work a crash left behind is finished. */
  private sweepSchedule(): void {
    new events.Rule(this, 'SweepSchedule', {
      description: 'Filiera sweep every 15 minutes',
      schedule: events.Schedule.rate(Duration.minutes(15)),
      targets: [new targets.LambdaFunction(this.functions.sweep, { retryAttempts: 2, maxEventAge: Duration.minutes(15) })],
    });
  }

  /** Every alarm of the stack notifies one topic; e-mail it with context `alarmEmail`. */
  private alarms(settings: Settings): void {
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Filiera alarms', enforceSSL: true });
    if (settings.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));

    for (const [handler, fn] of Object.entries(this.functions)) {
      new cloudwatch.Alarm(this, `${functionId(handler)}ErrorsAlarm`, {
        alarmDescription: `Filiera ${handler} failed (uncaught errors or timeouts)`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    // Route handlers turn faults into 500 responses rather than failed invocations: watch the API's 5xx too.
    new cloudwatch.Alarm(this, 'Api5xxAlarm', {
      alarmDescription: 'Filiera API answered 5xx',
      metric: this.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const construct of this.node.findAll()) {
      if (construct instanceof cloudwatch.Alarm) construct.addAlarmAction(new SnsAction(topic));
    }
  }
}

/** create-intake -> CreateIntake: construct ids (and so logical ids) stay readable. */
export function functionId(handler: string): string {
  return handler.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
