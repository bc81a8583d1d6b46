import { readFileSync } from 'node:fs';
import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_APPEND_ATTRIBUTES } from '../../shared/adapters/dynamodb/intake-items.js';
import { createTableInput } from '../../shared/adapters/dynamodb/table-design.js';
import { apiRoutes } from '../../shared/api/routes.js';
import { roles } from '../../shared/auth/principal.js';
import { parseConfig } from '../../shared/config.js';
import { handlerNames } from '../../infra/cdk/bundling.js';
import { buildApp, type FilieraApp } from '../../infra/cdk/build-app.js';
import { FilieraFunction } from '../../infra/cdk/house-function.js';
import { evidenceKeys, intakeKeys, releaseKeys, traceKeys, uploadKeys } from '../../infra/cdk/key-patterns.js';
import { releasePublishers } from '../../infra/cdk/naming.js';
import type { HandlerName } from '../../infra/cdk/stateless-stack.js';

/**
 * The promises of the CDK app, checked on the synthesized templates: nothing public, TLS only, only the release step
 * writes releases, evidence locked, the table as designed, every function Node 22 with only the access it uses.
 * The app is built once (without esbuild: `filiera:skipBundling`), with a retention given the way the CLI gives it.
 */
let built: FilieraApp;
let stateful: Template;
let stateless: Template;

beforeAll(async () => {
  built = await buildApp({ context: { 'filiera:skipBundling': true, rawRetentionDays: '45', filieraConfig: 'test/fixtures/deploy/config.json' }, builtinValidation: false });
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
});

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: Record<string, any> };

const resources = (template: Template, type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalId = (element: unknown): string => Stack.of(element as CfnElement).getLogicalId(element as CfnElement);
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** CloudFormation intrinsics as one readable string: Ref -> <Id>, GetAtt -> <Id.Attr>, Join concatenated. */
function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  const o = value as Record<string, unknown>;
  if (o && 'Fn::Join' in o) {
    const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(flat).join(separator);
  }
  if (o && 'Ref' in o) return `<${String(o.Ref)}>`;
  if (o && 'Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if (o && 'Fn::ImportValue' in o) return `<import ${flat(o['Fn::ImportValue'])}>`;
  return JSON.stringify(value);
}

/** Every IAM policy statement of a template, with the roles the policy is attached to. */
function statements(template: Template): { policy: string; roles: string[]; statement: Statement }[] {
  return resources(template, 'AWS::IAM::Policy').flatMap(([policy, resource]) =>
    (resource.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
      policy,
      roles: list(resource.Properties.Roles).map(flat),
      statement,
    })),
  );
}

/** The statements of one function's role (its DataAccess policy and the default policy). */
function functionStatements(handler: HandlerName): Statement[] {
  const role = `<${logicalId(built.stateless.functions[handler].executionRole.node.defaultChild)}>`;
  return statements(stateless)
    .filter((s) => s.roles.includes(role))
    .map((s) => s.statement);
}

const s3Statements = (handler: HandlerName) =>
  functionStatements(handler)
    .filter((s) => list(s.Action).some((a) => a.startsWith('s3:')))
    .map((s) => ({ actions: list(s.Action).sort(), resources: list(s.Resource).map(flat).sort() }));

function bucketNamed(purpose: string): [string, Resource] {
  const found = resources(stateful, 'AWS::S3::Bucket').find(([, r]) => flat(r.Properties.BucketName).startsWith(`filiera-${purpose}-`));
  if (!found) throw new Error(`no ${purpose} bucket`);
  return found;
}

function bucketPolicyStatements(bucketId: string): Statement[] {
  return resources(stateful, 'AWS::S3::BucketPolicy')
    .filter(([, r]) => flat(r.Properties.Bucket) === `<${bucketId}>`)
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Statement[]);
}

const objectArn = (purpose: 'intake' | 'release', pattern: string) => `arn:<AWS::Partition>:s3:::filiera-${purpose}-<AWS::AccountId>-eu-central-1/${pattern}`;

describe('stateful stack', () => {
  it("lets the console's page PUT uploads and GET releases through presigned links (CORS), and nothing else", () => {
    const cors = (name: string) =>
      resources(stateful, 'AWS::S3::Bucket').find(([, r]) => flat(r.Properties.BucketName).startsWith(`filiera-${name}-`))![1].Properties.CorsConfiguration?.CorsRules;
    expect(cors('intake')).toEqual([expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: ['https://*.cloudfront.net'] })]);
    expect(cors('release')).toEqual([expect.objectContaining({ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['https://*.cloudfront.net'] })]);
    expect(cors('evidence')).toBeUndefined();
  });

  it('blocks public access on every bucket', () => {
    const buckets = resources(stateful, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(5);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
  });

  it('refuses plain HTTP and TLS below 1.2 in every bucket policy', () => {
    for (const [id] of resources(stateful, 'AWS::S3::Bucket')) {
      const denies = bucketPolicyStatements(id).filter((s) => s.Effect === 'Deny' && flat(s.Principal) === '{"AWS":"*"}');
      expect(denies.some((s) => list(s.Action).includes('s3:*') && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), id).toBe(true);
      expect(denies.some((s) => s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2), id).toBe(true);
    }
  });

  it('encrypts the data buckets with the rotating data key and bucket keys, versions them and logs access', () => {
    const [keyId, key] = resources(stateful, 'AWS::KMS::Key')[0]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    const [logsId] = bucketNamed('access-logs');
    for (const purpose of ['intake', 'release', 'evidence']) {
      const [, bucket] = bucketNamed(purpose);
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } },
      ]);
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: `${purpose}/` });
    }
  });

  it('deletes raw uploads and releases after the retention given in context, old versions included', () => {
    for (const [purpose, prefix] of [['intake', 'tenants/'], ['release', 'callcenters/']] as const) {
      const [, bucket] = bucketNamed(purpose);
      expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ Prefix: prefix, ExpirationInDays: 45, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
      );
    }
  });

  it('denies writes to the release bucket to every principal but the release step roles', () => {
    const [releaseId] = bucketNamed('release');
    const deny = bucketPolicyStatements(releaseId).find((s) => s.Effect === 'Deny' && list(s.Action).includes('s3:PutObject'));
    expect(deny).toBeDefined();
    expect(flat(deny!.Principal)).toBe('{"AWS":"*"}');
    expect(list(deny!.Action)).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']));
    const allowed = list(deny!.Condition?.ArnNotEquals?.['aws:PrincipalArn']).map(flat).sort();
    // The very roles of the functions that run the release step, by name.
    const publisherArns = releasePublishers
      .map((handler) => {
        const role = resources(stateless, 'AWS::IAM::Role').find(([id]) => `<${id}>` === `<${logicalId(built.stateless.functions[handler].executionRole.node.defaultChild)}>`);
        return `arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${role![1].Properties.RoleName}`;
      })
      .sort();
    expect(allowed).toEqual(publisherArns);
  });

  it('keeps evidence for the evidence retention, then deletes it, and lets only the release step write or delete it', () => {
    const [id, evidence] = bucketNamed('evidence');
    const rules = evidence.Properties.LifecycleConfiguration.Rules as { Id: string; Prefix?: string; ExpirationInDays?: number }[];
    expect(rules.find((r) => r.Id === 'DeleteAfterRetention')).toMatchObject({ Prefix: 'tenants/', ExpirationInDays: 1825 });
    const deny = bucketPolicyStatements(id).find((st) => st.Effect === 'Deny' && list(st.Action).includes('s3:PutObject'))!;
    expect(list(deny.Action).sort()).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject']);
    // The release step, and the trace function for its audit records (test/infra/trace.test.ts).
    expect(list(deny.Condition!.ArnNotEquals['aws:PrincipalArn']).map(flat)).toHaveLength(releasePublishers.length + 1);
    // Contact data keeps its own, short retention.
    const [, intake] = bucketNamed('intake');
    expect((intake.Properties.LifecycleConfiguration.Rules as { Id: string; ExpirationInDays?: number }[]).find((r) => r.Id === 'DeleteAfterRetention')!.ExpirationInDays).toBe(45);
  });

  it('locks the evidence bucket in governance mode by default', () => {
    const [, evidence] = bucketNamed('evidence');
    expect(evidence.Properties.ObjectLockEnabled).toBe(true);
    expect(evidence.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1825 } },
    });
  });

  it('builds the table of shared/adapters/dynamodb/table-design.ts, with PITR, the data key and TTL', () => {
    const design = createTableInput('unused');
    const [, table] = resources(stateful, 'AWS::DynamoDB::Table')[0]!;
    const p = table.Properties;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(p.KeySchema).toEqual(design.KeySchema);
    expect(p.BillingMode).toBe(design.BillingMode);
    expect([...p.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
      [...design.AttributeDefinitions!].sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!)),
    );
    expect(p.GlobalSecondaryIndexes).toEqual(design.GlobalSecondaryIndexes);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() });
    expect(flat(p.SSESpecification.KMSMasterKeyId)).toMatch(/^<DataKey.*\.Arn>$/);
  });

  it('has a user pool with one group per role and scope attributes users cannot write', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      UserPoolTier: 'PLUS',
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'tenant', AttributeDataType: 'String' }),
        Match.objectLike({ Name: 'callcenter', AttributeDataType: 'String' }),
        Match.objectLike({ Name: 'tenants', AttributeDataType: 'String' }),
      ]),
    });
    const groups = resources(stateful, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName).sort();
    expect(groups).toEqual([...roles].sort());
    const [, client] = resources(stateful, 'AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties.ReadAttributes).toEqual(expect.arrayContaining(['custom:tenant', 'custom:callcenter', 'custom:tenants']));
    expect((client.Properties.WriteAttributes as string[]).filter((a) => a.startsWith('custom:'))).toEqual([]);
  });
});

describe('stateless stack', () => {
  it('runs one Node.js 22 ARM64 function per handler file, traced, with its own log retention', () => {
    // CDK's own helpers (bucket notifications, the console's upload) are not Filiera handlers.
    const fns = resources(stateless, 'AWS::Lambda::Function').filter(
      ([id, f]) => !String(f.Properties.Description).includes('Custom::S3BucketNotifications') && !id.startsWith('CustomCDKBucketDeployment'),
    );
    expect(fns).toHaveLength(handlerNames().length);
    expect(Object.keys(built.stateless.functions).sort()).toEqual(handlerNames());
    for (const [id, fn] of fns) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, id).toBe('filiera');
      const logGroup = flat(fn.Properties.LoggingConfig.LogGroup).replace(/^<|>$/g, '');
      expect(stateless.toJSON().Resources[logGroup].Properties.RetentionInDays, id).toBe(365);
    }
  });

  it('serves every route of shared/api/routes.ts behind the Cognito JWT authorizer, and /openapi.json in the open', () => {
    const routes = resources(stateless, 'AWS::ApiGatewayV2::Route');
    const keys = routes.map(([, r]) => r.Properties.RouteKey).sort();
    expect(keys).toEqual([...apiRoutes.map((r) => `${r.method} ${r.path}`), 'GET /openapi.json'].sort());
    for (const [, route] of routes) {
      expect(route.Properties.AuthorizationType, route.Properties.RouteKey).toBe(route.Properties.RouteKey === 'GET /openapi.json' ? 'NONE' : 'JWT');
    }
    const [, authorizer] = resources(stateless, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(flat(authorizer.Properties.JwtConfiguration.Issuer)).toMatch(/^https:\/\/cognito-idp\.eu-central-1\.amazonaws\.com\/<import .*UserPool/);
    expect(authorizer.Properties.JwtConfiguration.Audience).toHaveLength(2);

    const integrations = new Map(resources(stateless, 'AWS::ApiGatewayV2::Integration').map(([id, i]) => [id, flat(i.Properties.IntegrationUri)]));
    for (const route of apiRoutes) {
      const [, r] = routes.find(([, x]) => x.Properties.RouteKey === `${route.method} ${route.path}`)!;
      const target = integrations.get(flat(r.Properties.Target).replace(/^integrations\//, '').replace(/^<|>$/g, ''));
      expect(target, route.path).toBe(`<${logicalId(built.stateless.functions[route.handler].node.defaultChild)}.Arn>`);
    }
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('gives every queue server-side encryption, TLS only and a dead-letter queue', () => {
    const queues = resources(stateless, 'AWS::SQS::Queue');
    const deadLetterTargets = new Set(queues.flatMap(([, q]) => (q.Properties.RedrivePolicy ? [flat(q.Properties.RedrivePolicy.deadLetterTargetArn)] : [])));
    // uploads, Textract completions, webhook deliveries (docs/events.md): each with its dead-letter queue
    expect(queues).toHaveLength(6);
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      expect(Boolean(queue.Properties.RedrivePolicy) || deadLetterTargets.has(`<${id}.Arn>`), `${id} has or is a dead-letter queue`).toBe(true);
      const policy = resources(stateless, 'AWS::SQS::QueuePolicy').find(([, p]) => list(p.Properties.Queues).map(flat).includes(`<${id}>`));
      expect(
        (policy?.[1].Properties.PolicyDocument.Statement as Statement[] | undefined)?.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
        id,
      ).toBe(true);
    }
    expect(deadLetterTargets.size).toBe(3);
  });

  it('delivers upload events through SQS to on-upload, one message at a time, with partial batch failures', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(built.stateless.functions['on-upload'].node.defaultChild) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [logicalId(built.stateless.uploadEvents.node.defaultChild), 'Arn'] },
    });
    const [, notifications] = resources(stateless, 'Custom::S3BucketNotifications')[0]!;
    expect(flat(notifications.Properties.BucketName)).toBe('filiera-intake-<AWS::AccountId>-eu-central-1');
    const filters = (notifications.Properties.NotificationConfiguration.QueueConfigurations as any[]).map((c) =>
      Object.fromEntries((c.Filter.Key.FilterRules as { Name: string; Value: string }[]).map((f) => [f.Name, f.Value])),
    );
    expect(filters).toEqual([
      { prefix: 'tenants/', suffix: '/list.csv' },
      { prefix: 'tenants/', suffix: '/attestation' },
      { prefix: 'tenants/', suffix: '/consent-evidence.csv' },
    ]);
  });

  it('runs the sweep on a schedule', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(built.stateless.functions.sweep.node.defaultChild), 'Arn'] } })],
    });
  });

  it('has the Textract completion topic (encrypted), its queue and a role only Textract of this account can assume', () => {
    const [topicId, topic] = resources(stateless, 'AWS::SNS::Topic').find(([, t]) => t.Properties.DisplayName === 'Filiera Textract job completions')!;
    expect(flat(topic.Properties.KmsMasterKeyId)).toMatch(/^<import .*DataKey/);
    stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', TopicArn: { Ref: topicId }, RawMessageDelivery: true });
    const [roleId] = resources(stateless, 'AWS::IAM::Role').find(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('textract.amazonaws.com'),
    )!;
    stateless.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'textract.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: Match.anyValue() },
          }),
        ],
      },
    });
    const granted = statements(stateless).filter((s) => s.roles.includes(`<${roleId}>`)).map((s) => s.statement);
    expect(granted).toContainEqual(expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: topicId } }));
    expect(resources(stateless, 'AWS::Lambda::EventSourceMapping')).toHaveLength(3);
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(built.stateless.functions['on-textract-complete'].node.defaultChild) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [logicalId(built.stateless.textractCompletions.node.defaultChild), 'Arn'] },
    });
  });

  it('lets only the scan readers call Textract, pass its publishing role to Textract alone, and know the channel', () => {
    const [topicId] = resources(stateless, 'AWS::SNS::Topic').find(([, t]) => t.Properties.DisplayName === 'Filiera Textract job completions')!;
    const [roleId] = resources(stateless, 'AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('textract.amazonaws.com'))!;
    const scanReaders: HandlerName[] = ['on-upload', 'on-textract-complete', 'sweep'];
    for (const [handler, fn] of Object.entries(built.stateless.functions) as [HandlerName, (typeof built.stateless.functions)[HandlerName]][]) {
      const granted = functionStatements(handler);
      const textract = granted.filter((s) => list(s.Action).some((a) => a.startsWith('textract:')));
      const passRole = granted.filter((s) => list(s.Action).includes('iam:PassRole'));
      const env = stateless.toJSON().Resources[logicalId(fn.node.defaultChild)].Properties.Environment.Variables;
      if (scanReaders.includes(handler)) {
        expect(textract.map((s) => ({ actions: list(s.Action).sort(), resources: list(s.Resource) })), handler).toEqual([
          { actions: ['textract:AnalyzeDocument', 'textract:GetDocumentAnalysis', 'textract:StartDocumentAnalysis'], resources: ['*'] },
        ]);
        expect(passRole, handler).toEqual([
          expect.objectContaining({
            Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'textract.amazonaws.com' } },
          }),
        ]);
        expect(env.SCAN_READER, handler).toBe('textract');
        expect(env.TEXTRACT_SNS_TOPIC_ARN, handler).toEqual({ Ref: topicId });
        expect(env.TEXTRACT_ROLE_ARN, handler).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      } else {
        expect(textract, handler).toEqual([]);
        expect(passRole, handler).toEqual([]);
        expect(env.SCAN_READER, handler).toBe('none');
      }
    }
  });

  it('alarms on both dead-letter queues and on every function, notifying the alarm topic', () => {
    const alarms = resources(stateless, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const dlqs = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible').map((a) => flat(a.Dimensions[0].Value));
    expect(dlqs.sort()).toEqual(
      resources(stateless, 'AWS::SQS::Queue')
        .filter(([, q]) => !q.Properties.RedrivePolicy)
        .map(([id]) => `<${id}.QueueName>`)
        .sort(),
    );
    const erroring = alarms.filter((a) => a.MetricName === 'Errors').map((a) => flat(a.Dimensions[0].Value));
    expect(erroring.sort()).toEqual(Object.values(built.stateless.functions).map((fn) => `<${logicalId(fn.node.defaultChild)}>`).sort());
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('passes the configuration inline, with its trust anchors, only to the functions that read it', () => {
    const withConfig = Object.entries(built.stateless.functions)
      .filter(([, fn]) => {
        const resource = stateless.toJSON().Resources[logicalId(fn.node.defaultChild)];
        return resource.Properties.Environment.Variables.FILIERA_CONFIG_JSON !== undefined;
      })
      .map(([handler]) => handler)
      .sort();
    expect(withConfig).toEqual(['attestation-template', 'create-intake', 'deliver-webhooks', 'list-call-centers', 'on-textract-complete', 'on-upload', 'review-decision', 'sweep', 'trace']);
    const env = stateless.toJSON().Resources[logicalId(built.stateless.functions['on-upload'].node.defaultChild)].Properties.Environment.Variables;
    const { trustAnchorPems, ...config } = JSON.parse(env.FILIERA_CONFIG_JSON);
    expect(parseConfig(config).tenants.map((t) => t.id)).toEqual(['acme']);
    expect(trustAnchorPems).toEqual([readFileSync('test/fixtures/deploy/ca.pem', 'utf8')]);
    expect(flat(env.TABLE_NAME)).toMatch(/^<import /);
    expect(flat(env.INTAKE_BUCKET)).toBe('filiera-intake-<AWS::AccountId>-eu-central-1');
    expect(flat(env.RELEASE_BUCKET)).toBe('filiera-release-<AWS::AccountId>-eu-central-1');
  });
});

describe('least privilege', () => {
  it('never grants anything on Resource "*" but X-Ray and Textract, and never a service-wide action', () => {
    for (const template of [stateful, stateless]) {
      for (const { policy, statement } of statements(template)) {
        if (statement.Effect !== 'Allow') continue;
        const actions = list(statement.Action);
        expect(actions.filter((a) => a === '*' || a.endsWith(':*')), policy).toEqual([]);
        if (list(statement.Resource).some((r) => r === '*')) {
          // Textract's analysis actions have no resource-level permissions (checked per function below).
          // CDK's upload of the console invalidates the distribution (CloudFront has no narrower form in CDK's grant).
          const allowed = policy.startsWith('CustomCDKBucketDeployment')
            ? (a: string) => a === 'cloudfront:CreateInvalidation' || a === 'cloudfront:GetInvalidation'
            : (a: string) => a.startsWith('xray:') || a.startsWith('textract:');
          expect(actions.every(allowed), `${policy}: ${actions.join(', ')} on *`).toBe(true);
        }
      }
    }
  });

  it('lets only the release step write the evidence, at the evidence keys, and names the bucket to every handler with data', () => {
    const evidenceArn = (pattern: string) => `arn:<AWS::Partition>:s3:::filiera-evidence-<AWS::AccountId>-eu-central-1/${pattern}`;
    const writers = (Object.keys(built.stateless.functions) as HandlerName[]).filter((h) =>
      s3Statements(h).some((st) => st.actions.includes('s3:PutObject') && st.resources.some((r) => r.includes('filiera-evidence'))),
    );
    // The trace function writes its audit records only (test/infra/trace.test.ts).
    expect(writers.sort()).toEqual([...releasePublishers, 'trace'].sort());
    for (const handler of releasePublishers) {
      const evidence = s3Statements(handler).filter((st) => st.resources.some((r) => r.includes('filiera-evidence')));
      expect(evidence, handler).toEqual([
        { actions: ['s3:AbortMultipartUpload', 's3:PutObject'], resources: [evidenceKeys.attestation, evidenceKeys.receipt, evidenceKeys.consentEvidence, traceKeys.index].map((k) => evidenceArn(k.pattern)).sort() },
      ]);
    }
    for (const [handler, fn] of Object.entries(built.stateless.functions)) {
      const env = (stateless.toJSON().Resources[logicalId(fn.node.defaultChild)].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
      if (handler === 'openapi') expect(env.EVIDENCE_BUCKET).toBeUndefined();
      else expect(flat(env.EVIDENCE_BUCKET), handler).toBe('filiera-evidence-<AWS::AccountId>-eu-central-1');
      // The intake items a function writes live as long as the evidence (their DynamoDB TTL).
      const writes = functionStatements(handler as HandlerName).some((st) => list(st.Action).includes('dynamodb:PutItem'));
      expect(env.EVIDENCE_RETENTION_DAYS, handler).toBe(writes ? String(built.settings.evidenceRetentionDays) : undefined);
    }
  });

  it('lets only the release step write to the release bucket', () => {
    const writers = statements(stateless)
      .filter((s) => s.statement.Effect === 'Allow' && list(s.statement.Action).includes('s3:PutObject'))
      .filter((s) => list(s.statement.Resource).some((r) => flat(r).includes(':::filiera-release-')))
      .flatMap((s) => s.roles)
      .sort();
    const publisherRoles = releasePublishers.map((h) => `<${logicalId(built.stateless.functions[h].executionRole.node.defaultChild)}>`).sort();
    expect(writers).toEqual(publisherRoles);
  });

  it('lets create-intake presign uploads only: PutObject on the two upload keys of the intake bucket', () => {
    expect(s3Statements('create-intake')).toEqual([
      { actions: ['s3:PutObject'], resources: uploadKeys.map((k) => objectArn('intake', k.pattern)).sort() },
    ]);
  });

  it('lets intake-documents read the uploaded documents (at their recorded version) and the receipt, and nothing else in S3', () => {
    expect(s3Statements('intake-documents')).toEqual([
      {
        actions: ['s3:GetObject'],
        resources: [intakeKeys.listUpload, intakeKeys.attestationUpload, intakeKeys.receipt].map((k) => objectArn('intake', k.pattern)).sort(),
      },
      { actions: ['s3:GetObjectVersion'], resources: uploadKeys.map((k) => objectArn('intake', k.pattern)).sort() },
    ]);
  });

  it('grants s3:GetObjectVersion only on the two upload keys, and only to the functions that read or link uploads', () => {
    const versionReaders = statements(stateless)
      .filter((s) => s.statement.Effect === 'Allow' && list(s.statement.Action).includes('s3:GetObjectVersion'))
      .map((s) => ({ roles: s.roles, resources: list(s.statement.Resource).map(flat).sort() }));
    // review-decision reads the attestation as uploaded, to keep it as evidence when an approval releases the list.
    const readers: HandlerName[] = ['intake-documents', 'on-upload', 'on-textract-complete', 'sweep', 'review-decision'];
    const roleOf = (h: HandlerName) => `<${logicalId(built.stateless.functions[h].executionRole.node.defaultChild)}>`;
    expect(versionReaders.flatMap((s) => s.roles).sort()).toEqual(readers.map(roleOf).sort());
    // on-upload and the sweep check the consent evidence too, at the version recorded when it arrived.
    const evidenceCheckers = [roleOf('on-upload'), roleOf('sweep')];
    for (const s of versionReaders) {
      const expected = s.roles.includes(roleOf('review-decision'))
        ? [intakeKeys.attestationUpload]
        : s.roles.some((r) => evidenceCheckers.includes(r))
          ? [...uploadKeys, intakeKeys.consentEvidence]
          : uploadKeys;
      expect(s.resources).toEqual(expected.map((k) => objectArn('intake', k.pattern)).sort());
    }
  });

  it('refuses version reads on keys a function may not read', () => {
    const stack = new Stack(undefined, 'Guard');
    const fn = new FilieraFunction(stack, 'Reader', { handler: 'intake-documents', description: 'guard', memorySize: 128, timeout: Duration.seconds(3), skipBundling: true });
    const bucket = { bucketName: 'b', bucketArn: 'arn:aws:s3:::b' };
    const key = new kms.Key(stack, 'Key');
    expect(() => fn.bindBucket('INTAKE_BUCKET', bucket, key, { read: [intakeKeys.receipt], readVersions: [intakeKeys.listUpload] })).toThrow(
      'Reader: readVersions on keys it may not read (tenants/*/intakes/*/list.csv): add them to read',
    );
  });

  it('lets get-release read released objects and nothing else in S3 (call centers download through its links)', () => {
    expect(s3Statements('get-release')).toEqual([
      { actions: ['s3:GetObject'], resources: [releaseKeys.list, releaseKeys.receipt].map((k) => objectArn('release', k.pattern)).sort() },
    ]);
  });

  it('gives API readers read actions only, on the table or the one index they query', () => {
    const dynamo = (handler: HandlerName) =>
      functionStatements(handler)
        .filter((s) => list(s.Action).some((a) => a.startsWith('dynamodb:')))
        .map((s) => ({ actions: list(s.Action).sort(), resources: list(s.Resource).map(flat) }));
    expect(dynamo('list-releases')).toEqual([{ actions: ['dynamodb:Query'], resources: [expect.stringMatching(/\/index\/releasesByCallCenter$/)] }]);
    expect(dynamo('get-intake')).toEqual([{ actions: ['dynamodb:GetItem'], resources: [expect.stringMatching(/^<import .*IntakeTable/)] }]);
    expect(dynamo('openapi')).toEqual([]);
    expect(s3Statements('openapi')).toEqual([]);
  });

  it('lets get-release and intake-documents append audit events only: no status, no other attribute, no other partition', () => {
    const appendStatement = {
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      condition: {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...AUDIT_APPEND_ATTRIBUTES] },
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INTAKE#*'] },
        'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
      },
    };
    for (const handler of ['get-release', 'intake-documents'] as const) {
      const writes = functionStatements(handler)
        .filter((st) => list(st.Action).some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem'))
        .map((st) => ({ actions: list(st.Action).sort(), condition: st.Condition }));
      expect(writes, handler).toEqual([appendStatement]);
    }
    // Those that move intakes keep whole-item writes.
    expect(functionStatements('review-decision').some((st) => list(st.Action).includes('dynamodb:UpdateItem') && !st.Condition)).toBe(true);
    // The attributes an append writes are the granted ones, and a status is not among them.
    expect(AUDIT_APPEND_ATTRIBUTES).not.toContain('status');
    expect(AUDIT_APPEND_ATTRIBUTES).not.toContain('version');
  });

  it('uses the data key only through S3 and DynamoDB, never directly', () => {
    for (const { policy, statement } of statements(stateless)) {
      const kmsActions = list(statement.Action).filter((a) => a.startsWith('kms:'));
      if (!kmsActions.length) continue;
      expect(statement.Condition?.StringEquals?.['kms:ViaService'], policy).toBeDefined();
    }
  });

  it('grants on-upload the intake keys it reads and writes, listing for 404s, and the release keys', () => {
    const intake = (pattern: string) => objectArn('intake', pattern);
    expect(s3Statements('on-upload')).toEqual(
      expect.arrayContaining([
        { actions: ['s3:GetObject'], resources: Object.values(intakeKeys).map((k) => intake(k.pattern)).sort() },
        { actions: ['s3:GetObjectVersion'], resources: [...uploadKeys, intakeKeys.consentEvidence].map((k) => intake(k.pattern)).sort() },
        { actions: ['s3:AbortMultipartUpload', 's3:PutObject'], resources: [intake(intakeKeys.stagedList.pattern), intake(intakeKeys.receipt.pattern)].sort() },
        { actions: ['s3:ListBucket'], resources: ['arn:<AWS::Partition>:s3:::filiera-intake-<AWS::AccountId>-eu-central-1'] },
        { actions: ['s3:PutObject'], resources: [releaseKeys.list, releaseKeys.receipt].map((k) => objectArn('release', k.pattern)).sort() },
      ]),
    );
  });
});

describe('the console (S3 + CloudFront, Cognito hosted UI)', () => {
  it('keeps the console bucket private: only CloudFront distributions of this account read it, over TLS', () => {
    const [bucketId, bucket] = bucketNamed('console');
    expect(bucket.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    const allows = bucketPolicyStatements(bucketId).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: {
          StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'AWS:SourceArn': expect.anything() },
        },
      }),
    ]);
    expect(flat(allows[0]!.Condition!.ArnLike!['AWS:SourceArn'])).toBe('arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*');
  });

  it('serves the console over HTTPS through origin access control, with a strict content security policy', () => {
    const [, distribution] = resources(stateless, 'AWS::CloudFront::Distribution')[0]!;
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.Origins).toHaveLength(1);
    expect(flat(config.Origins[0].OriginAccessControlId)).toMatch(/OriginAccessControl/);
    expect(flat(config.Origins[0].DomainName)).toContain('filiera-console-<AWS::AccountId>-eu-central-1');
    const [, headers] = resources(stateless, 'AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const security = headers.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = flat(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/\*\.execute-api\.eu-central-1\.amazonaws\.com https:\/\/filiera-<AWS::AccountId>\.auth\.eu-central-1\.amazoncognito\.com https:\/\/filiera-intake-<AWS::AccountId>-eu-central-1\.s3\.eu-central-1\.amazonaws\.com https:\/\/filiera-release-<AWS::AccountId>-eu-central-1\.s3\.eu-central-1\.amazonaws\.com;/);
    expect(security.FrameOptions.FrameOption).toBe('DENY');
    expect(security.StrictTransportSecurity.Override).toBe(true);
  });

  it('signs in with the hosted UI: authorization code only, no client secret, back to the console', () => {
    const consoleClient = logicalId(built.stateless.console.client.node.defaultChild);
    const client = stateless.toJSON().Resources[consoleClient].Properties;
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.GenerateSecret).toBe(false);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(list(client.CallbackURLs).map(flat)).toEqual([expect.stringMatching(/^https:\/\/<.*Distribution.*\.DomainName>\/$/)]);
    expect(client.WriteAttributes).toEqual(['name']);
    // The ID token the console sends carries the compliance scope (custom:tenants: the API reads none as no tenant).
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'profile']));
    expect(client.ReadAttributes).toEqual(expect.arrayContaining(['custom:tenant', 'custom:callcenter', 'custom:tenants']));
    stateless.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: { 'Fn::Join': ['', ['filiera-', { Ref: 'AWS::AccountId' }]] } });
  });

  it('lets the API accept tokens of both clients, and browsers call it only from the console', () => {
    const [, authorizer] = resources(stateless, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    const audience = list(authorizer.Properties.JwtConfiguration.Audience).map(flat);
    expect(audience).toHaveLength(2);
    expect(audience).toContain(`<${logicalId(built.stateless.console.client.node.defaultChild)}>`);
    const [, api] = resources(stateless, 'AWS::ApiGatewayV2::Api')[0]!;
    const cors = api.Properties.CorsConfiguration;
    expect(list(cors.AllowOrigins).map(flat)).toEqual([expect.stringMatching(/^https:\/\/<.*Distribution.*\.DomainName>$/)]);
    expect(cors.AllowHeaders).toEqual(['authorization', 'content-type']);
    expect(cors.AllowCredentials).toBeUndefined();
  });

  it('uploads the files with a console-config.json naming the API, the hosted UI and the console client', () => {
    const [, deployment] = resources(stateless, 'Custom::CDKBucketDeployment')[0]!;
    expect(flat(deployment.Properties.DestinationBucketName)).toBe('filiera-console-<AWS::AccountId>-eu-central-1');
    expect(deployment.Properties.DistributionPaths).toEqual(['/*']);
    const markers = JSON.stringify(deployment.Properties.SourceMarkers ?? []);
    expect(markers).toContain('HttpApi');
    expect(markers).toContain(logicalId(built.stateless.console.client.node.defaultChild));
  });
});
