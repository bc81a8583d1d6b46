import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FilieraApp } from '../../infra/cdk/build-app.js';
import { allEvidenceKeys, allIntakeKeys, allReleaseKeys, traceKeys } from '../../infra/cdk/key-patterns.js';

/**
 * cdk-nag's AwsSolutions pack over the synthesized app (after synthesis, as `cdk synth` runs it: cross-stack
 * references are resolved by then), and the shape of every acknowledgement.
 */
let built: FilieraApp;
let report: PolicyValidationPluginReport;

interface Acknowledgement {
  path: string;
  construct: IConstruct;
  id: string;
  reason: string;
}
let acknowledgements: Acknowledgement[];

beforeAll(async () => {
  built = await buildApp({ context: { 'filiera:skipBundling': true, filieraConfig: 'test/fixtures/deploy/config.json' }, builtinValidation: false });
  built.app.synth();
  report = new AwsSolutionsChecks().validateScope(built.app);
  acknowledgements = built.app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          construct,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
});

describe('cdk-nag AwsSolutions', () => {
  it('is live: it flags an unencrypted queue without a dead-letter queue', () => {
    // A guard against a silent pass (rules match resources with instanceof, which a second copy of aws-cdk-lib breaks).
    const control = new Stack(new App(), 'Control');
    new sqs.CfnQueue(control, 'Queue', { sqsManagedSseEnabled: false });
    const rules = new AwsSolutionsChecks().validateScope(control).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('reports no error', () => {
    const errors = report.violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName}: ${v.description} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
  });

  it('reports no warning either', () => {
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('has every acknowledgement on one CloudFormation resource, with a reason a reviewer can check', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(CfnResource.isCfnResource(ack.construct), `${ack.id} at ${ack.path}`).toBe(true);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledges wildcard resources only for X-Ray, Textract in the scan readers and the reviewed object key patterns', () => {
    const patterns = [...allIntakeKeys, ...allReleaseKeys, ...allEvidenceKeys, ...Object.values(traceKeys)].map((k) => `/${k.pattern}`);
    for (const ack of acknowledgements.filter((a) => a.id.startsWith('AwsSolutions-IAM5'))) {
      const deployment = /Custom::CDKBucketDeployment[^/]*\/ServiceRole\/DefaultPolicy\/Resource$/.test(ack.path);
      if (deployment && ack.id.includes('[Action::')) {
        // CDK's upload of the console: the S3 action families CDK grants it, and nothing else.
        expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*\]$/);
        continue;
      }
      const resource = /^AwsSolutions-IAM5\[Resource::(.*)\]$/.exec(ack.id)?.[1];
      expect(resource, ack.id).toBeDefined();
      if (resource === '*' && /DataAccess\/Resource$/.test(ack.path)) {
        // Textract's analysis actions have no resource-level permissions: only the scan readers hold them.
        expect(ack.path, ack.id).toMatch(/\/(OnUpload|OnTextractComplete|Sweep)\/DataAccess\/Resource$/);
        const document = built.stateless.resolve((ack.construct as CfnResource & { policyDocument: unknown }).policyDocument) as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        };
        const onStar = document.Statement.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
        expect(onStar.flatMap((s) => [s.Action].flat()).sort(), ack.path).toEqual([
          'textract:AnalyzeDocument',
          'textract:GetDocumentAnalysis',
          'textract:StartDocumentAnalysis',
        ]);
      } else if (deployment) {
        // CDK's upload of the console: the CDK asset bucket, the console bucket, CloudFront invalidations.
        expect(resource, ack.id).toMatch(/^(\*|arn:<AWS::Partition>:s3:::(cdk-hnb659fds-assets|filiera-console)-<AWS::AccountId>-eu-central-1\/\*)$/);
      } else if (resource === '*') {
        expect(ack.path, ack.id).toMatch(/Role\/DefaultPolicy\/Resource$/);
        const document = built.stateless.resolve((ack.construct as CfnResource & { policyDocument: unknown }).policyDocument) as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        };
        for (const statement of document.Statement.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))) {
          expect([statement.Action].flat().every((a) => a.startsWith('xray:')), ack.path).toBe(true);
        }
      } else if (/TraceEngineResultsBucket/.test(resource!)) {
        // The trace workgroup's results, named after each query id (test/infra/trace.test.ts checks the grant).
        expect(resource).toMatch(/^<FilieraStateless\/TraceEngine\/ResultsBucket|^<TraceEngineResultsBucket[0-9A-F]+\.Arn>\/results\/\*$/);
        expect(ack.path, ack.id).toMatch(/\/Trace\/DataAccess\/Resource$/);
      } else {
        expect(patterns.some((p) => resource!.endsWith(p)), resource).toBe(true);
        expect(resource).toMatch(/^arn:<AWS::Partition>:s3:::filiera-(intake|release|evidence)-<AWS::AccountId>-eu-central-1\//);
      }
    }
  });

  it('lists the acknowledgements (printed for review)', () => {
    const byRule = new Map<string, number>();
    for (const ack of acknowledgements) {
      const rule = ack.id.replace(/\[.*$/, '');
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
    const distinct = new Map(acknowledgements.map((a) => [`${a.id.replace(/::arn:.*\//, '::…/')} — ${a.reason}`, 0]));
    console.log(`acknowledgements by rule: ${JSON.stringify(Object.fromEntries(byRule))}\n${[...distinct.keys()].join('\n')}`);
    expect([...byRule.keys()].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
    ]);
  });
});
