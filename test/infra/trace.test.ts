import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FilieraApp } from '../../infra/cdk/build-app.js';
import { traceKeys } from '../../infra/cdk/key-patterns.js';
import { releasePublishers } from '../../infra/cdk/naming.js';
import type { HandlerName } from '../../infra/cdk/stateless-stack.js';
import { DEFAULT_TRACE_SCAN_LIMIT_BYTES } from '../../infra/cdk/trace-engine.js';
import { traceColumns, traceIndexKey } from '../../shared/trace/index-layout.js';
import { matchesPattern } from '../../infra/cdk/key-patterns.js';

/**
 * The trace engine in the CDK app (docs/api.md): the Athena workgroup and its results bucket, the Glue
 * table over the index with partition projection, the key's secret, and who may do what with them.
 */
let built: FilieraApp;
let stateful: Template;
let stateless: Template;

beforeAll(async () => {
  built = await buildApp({ context: { 'filiera:skipBundling': true, filieraConfig: 'test/fixtures/deploy/config.json' }, builtinValidation: false });
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
});

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: Record<string, any> };

const resources = (template: Template, type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalId = (element: unknown): string => Stack.of(element as CfnElement).getLogicalId(element as CfnElement);
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

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

function functionStatements(handler: HandlerName): { actions: string[]; resources: string[]; condition?: Record<string, any> }[] {
  const role = `<${logicalId(built.stateless.functions[handler].executionRole.node.defaultChild)}>`;
  return resources(stateless, 'AWS::IAM::Policy')
    .filter(([, r]) => list(r.Properties.Roles).map(flat).includes(role))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Statement[])
    .map((s) => ({ actions: list(s.Action).sort(), resources: list(s.Resource).map(flat).sort(), ...(s.Condition ? { condition: s.Condition } : {}) }));
}

function environment(handler: HandlerName): Record<string, unknown> {
  return stateless.toJSON().Resources[logicalId(built.stateless.functions[handler].node.defaultChild)].Properties.Environment.Variables;
}

const evidence = 'arn:<AWS::Partition>:s3:::filiera-evidence-<AWS::AccountId>-eu-central-1';

describe('the Athena workgroup', () => {
  it('enforces its configuration: results encrypted with the data key in the trace results bucket, a per-query scan limit', () => {
    const [[, workGroup]] = resources(stateless, 'AWS::Athena::WorkGroup') as [[string, Resource]];
    const config = workGroup.Properties.WorkGroupConfiguration;
    expect(workGroup.Properties.Name).toBe('filiera-trace');
    expect(config.EnforceWorkGroupConfiguration).toBe(true);
    expect(config.BytesScannedCutoffPerQuery).toBe(DEFAULT_TRACE_SCAN_LIMIT_BYTES);
    expect(config.ResultConfiguration.EncryptionConfiguration.EncryptionOption).toBe('SSE_KMS');
    expect(flat(config.ResultConfiguration.EncryptionConfiguration.KmsKey)).toMatch(/DataKey/);
    expect(flat(config.ResultConfiguration.OutputLocation)).toMatch(/^s3:\/\/<TraceEngineResultsBucket[0-9A-F]+>\/results\/$/);
  });

  it('writes results to a private, KMS-encrypted, TLS-only bucket that deletes them after a day', () => {
    const [[id, bucket]] = resources(stateless, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('TraceEngineResultsBucket')) as [[string, Resource]];
    const encryption = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
    expect(encryption.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 1, Status: 'Enabled' });
    const policy = resources(stateless, 'AWS::S3::BucketPolicy').find(([, r]) => flat(r.Properties.Bucket) === `<${id}>`)![1];
    const denies = (policy.Properties.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Deny').map((s) => s.Condition);
    expect(denies).toEqual(expect.arrayContaining([{ Bool: { 'aws:SecureTransport': 'false' } }]));
  });
});

describe('the Glue table over the index', () => {
  it('reads the evidence bucket\'s trace/ Parquet files with the writer\'s columns, partitioned by tenant and month by projection', () => {
    const [[, database]] = resources(stateless, 'AWS::Glue::Database') as [[string, Resource]];
    const [[, table]] = resources(stateless, 'AWS::Glue::Table') as [[string, Resource]];
    expect(table.Properties.DatabaseName).toBe(database.Properties.DatabaseInput.Name);
    const input = table.Properties.TableInput;
    const storage = input.StorageDescriptor;
    expect(storage.Columns.map((c: { Name: string }) => c.Name)).toEqual([...traceColumns]);
    expect(storage.Columns[0]).toMatchObject({ Name: 'hash', Type: 'binary' });
    expect(storage.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(storage.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(flat(storage.Location)).toBe('s3://filiera-evidence-<AWS::AccountId>-eu-central-1/trace/');
    expect(input.PartitionKeys).toEqual([
      { Name: 'tenant', Type: 'string' },
      { Name: 'month', Type: 'string' },
    ]);
    const p = input.Parameters;
    expect(p['projection.enabled']).toBe('true');
    expect(p['projection.tenant.type']).toBe('injected');
    expect(p['projection.month']).toBeUndefined();
    expect([p['projection.month.type'], p['projection.month.format'], p['projection.month.interval.unit']]).toEqual(['date', 'yyyy-MM', 'MONTHS']);
    // The template names the keys the writer writes.
    const template = flat(p['storage.location.template']);
    expect(template).toBe('s3://filiera-evidence-<AWS::AccountId>-eu-central-1/trace/tenant=${tenant}/month=${month}/');
    const key = traceIndexKey('acme', new Date('2026-12-01T10:00:00Z'), 'FIL-0000000001');
    expect(`s3://filiera-evidence-<AWS::AccountId>-eu-central-1/${key}`.startsWith(template.replace('${tenant}', 'acme').replace('${month}', '2026-12'))).toBe(true);
  });
});

describe('the trace function: least privilege', () => {
  it('starts, polls and reads queries in the trace workgroup only, and reads the Glue table\'s definition only', () => {
    const statements = functionStatements('trace');
    expect(statements).toContainEqual({
      actions: ['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'athena:StopQueryExecution'],
      resources: ['arn:<AWS::Partition>:athena:eu-central-1:<AWS::AccountId>:workgroup/filiera-trace'],
    });
    expect(statements).toContainEqual({
      actions: ['glue:GetDatabase', 'glue:GetTable'],
      resources: [
        'arn:<AWS::Partition>:glue:eu-central-1:<AWS::AccountId>:catalog',
        'arn:<AWS::Partition>:glue:eu-central-1:<AWS::AccountId>:database/filiera_trace',
        'arn:<AWS::Partition>:glue:eu-central-1:<AWS::AccountId>:table/filiera_trace/trace_index',
      ],
    });
    expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('athena:') || a.startsWith('glue:'))).toHaveLength(6);
  });

  it('reads the index prefix of the evidence bucket, writes only its audit records there, and uses the results prefix', () => {
    const s3 = functionStatements('trace').filter((s) => s.actions.some((a) => a.startsWith('s3:')));
    expect(s3).toContainEqual({ actions: ['s3:GetObject'], resources: [`${evidence}/${traceKeys.index.pattern}`] });
    expect(s3).toContainEqual({ actions: ['s3:PutObject'], resources: [`${evidence}/${traceKeys.audit.pattern}`] });
    expect(s3).toContainEqual({ actions: ['s3:ListBucket'], resources: [evidence], condition: { StringLike: { 's3:prefix': ['trace/*'] } } });
    expect(s3).toContainEqual({ actions: ['s3:GetBucketLocation'], resources: [evidence] });
    const results = s3.filter((s) => s.resources.some((r) => r.includes('TraceEngineResultsBucket')));
    expect(results.map((s) => s.actions)).toEqual(expect.arrayContaining([['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], ['s3:GetBucketLocation', 's3:ListBucket']]));
    expect(results.flatMap((s) => s.resources).filter((r) => r.endsWith('*'))).toEqual([expect.stringMatching(/\/results\/\*$/)]);
    // Nothing else of any bucket: no intake or release object, no other evidence key.
    const named = s3.flatMap((s) => s.resources).filter((r) => !r.includes('TraceEngineResultsBucket'));
    expect(named.sort()).toEqual([evidence, evidence, `${evidence}/${traceKeys.audit.pattern}`, `${evidence}/${traceKeys.index.pattern}`].sort());
  });

  it('reads the key\'s secret, and has the engine\'s names', () => {
    const statements = functionStatements('trace');
    const secret = statements.find((s) => s.actions.includes('secretsmanager:GetSecretValue'))!;
    expect(secret.actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(secret.resources).toHaveLength(1);
    expect(secret.resources[0]).toMatch(/TraceIndexKey/);
    const env = environment('trace');
    expect(env).toMatchObject({ TRACE_WORKGROUP: 'filiera-trace', TRACE_DATABASE: 'filiera_trace', TRACE_TABLE: 'trace_index' });
    expect(flat(env.TRACE_KEY_SECRET)).toMatch(/TraceIndexKey/);
  });

  it('is the only function that may query Athena', () => {
    for (const handler of Object.keys(built.stateless.functions) as HandlerName[]) {
      if (handler === 'trace') continue;
      expect(functionStatements(handler).flatMap((s) => s.actions).filter((a) => a.startsWith('athena:') || a.startsWith('glue:')), handler).toEqual([]);
      expect(environment(handler).TRACE_WORKGROUP, handler).toBeUndefined();
    }
  });
});

describe('the release step writes the index', () => {
  it.each(releasePublishers)('%s writes the index prefix of the evidence bucket (in parts) and reads the key', (handler) => {
    const statements = functionStatements(handler);
    const write = statements.find((s) => s.actions.includes('s3:PutObject') && s.resources.some((r) => r.startsWith(evidence)))!;
    expect(write.resources).toContain(`${evidence}/${traceKeys.index.pattern}`);
    expect(write.resources).not.toContain(`${evidence}/${traceKeys.audit.pattern}`);
    expect(write.actions).toContain('s3:AbortMultipartUpload');
    expect(statements.some((s) => s.actions.includes('secretsmanager:GetSecretValue'))).toBe(true);
    expect(flat(environment(handler).TRACE_KEY_SECRET)).toMatch(/TraceIndexKey/);
  });

  it('the index key pattern matches the keys the writer builds', () => {
    expect(matchesPattern(traceIndexKey('acme', new Date(), 'FIL-0000000001'), traceKeys.index.pattern)).toBe(true);
    expect(matchesPattern('tenants/acme/intakes/FIL-1/receipt.json', traceKeys.index.pattern)).toBe(false);
  });
});

describe('the key and the evidence bucket', () => {
  it('keeps the trace key as a retained secret encrypted with the data key', () => {
    const [[, secret]] = resources(stateful, 'AWS::SecretsManager::Secret') as [[string, Resource]];
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(flat(secret.Properties.KmsKeyId)).toMatch(/DataKey/);
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
  });

  it('lets only the trace function write trace audits, and keeps the index and the audits for the evidence retention', () => {
    const [[id, bucket]] = resources(stateful, 'AWS::S3::Bucket').filter(([, r]) => flat(r.Properties.BucketName).startsWith('filiera-evidence-')) as [[string, Resource]];
    const statements = resources(stateful, 'AWS::S3::BucketPolicy')
      .filter(([, r]) => flat(r.Properties.Bucket) === `<${id}>`)
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as (Statement & { Sid?: string })[]);
    const audits = statements.find((s) => s.Sid === 'OnlyTheTraceFunctionWritesTraceAudits')!;
    expect(audits.Effect).toBe('Deny');
    expect(list(audits.Resource).map(flat)).toEqual([expect.stringMatching(/\/trace-audit\/\*$/)]);
    expect(list(audits.Condition!.ArnNotEquals['aws:PrincipalArn']).map(flat)).toEqual([expect.stringMatching(/role\/filiera-trace-auditor-eu-central-1$/)]);
    const rules = bucket.Properties.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[];
    const days = built.settings.evidenceRetentionDays;
    expect(rules.filter((r) => r.Prefix === 'trace/' || r.Prefix === 'trace-audit/').map((r) => [r.Prefix, r.ExpirationInDays])).toEqual([
      ['trace/', days],
      ['trace-audit/', days],
    ]);
  });
});
