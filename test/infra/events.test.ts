import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FilieraApp } from '../../infra/cdk/build-app.js';
import { inlineConfiguration } from '../../infra/cdk/settings.js';

/**
 * docs/events.md in the CDK app: the event bus in the stateless stack, the rule that feeds webhook deliveries
 * through SQS to deliver-webhooks, and PutEvents granted on that bus only, to the functions that publish.
 */
let built: FilieraApp;
let stateless: Template;

beforeAll(async () => {
  built = await buildApp({ context: { 'filiera:skipBundling': true, filieraConfig: 'test/fixtures/deploy/config.json' }, builtinValidation: false });
  stateless = Template.fromStack(built.stateless);
});

const logicalId = (construct: unknown) => built.stateless.getLogicalId(construct as never);
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
function statementsOf(handler: keyof FilieraApp['stateless']['functions']): Statement[] {
  const role = logicalId(built.stateless.functions[handler].role!.node.defaultChild);
  return Object.values(stateless.toJSON().Resources as Record<string, any>)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((x: any) => x.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const envOf = (handler: keyof FilieraApp['stateless']['functions']) =>
  stateless.toJSON().Resources[logicalId(built.stateless.functions[handler].node.defaultChild)].Properties.Environment.Variables as Record<string, unknown>;

describe('events and webhooks in AWS', () => {
  it('has one event bus in the stateless stack, and a rule sending Filiera events to the delivery queue', () => {
    stateless.resourceCountIs('AWS::Events::EventBus', 1);
    const busId = logicalId(built.stateless.eventBus.node.defaultChild);
    const queueId = logicalId(built.stateless.webhookDeliveries.node.defaultChild);
    stateless.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: { source: [{ prefix: 'filiera/' }] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('grants events:PutEvents on that bus only, to the functions that move intakes or issue downloads', () => {
    const busArn = { 'Fn::GetAtt': [logicalId(built.stateless.eventBus.node.defaultChild), 'Arn'] };
    const publishers = ['on-upload', 'on-textract-complete', 'sweep', 'review-decision', 'get-release'] as const;
    for (const handler of publishers) {
      const puts = statementsOf(handler).filter((s) => actions(s).includes('events:PutEvents'));
      expect(puts, handler).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: busArn })]);
      expect(envOf(handler).EVENT_BUS_NAME, handler).toEqual({ Ref: logicalId(built.stateless.eventBus.node.defaultChild) });
    }
    for (const handler of Object.keys(built.stateless.functions) as (keyof FilieraApp['stateless']['functions'])[]) {
      if ((publishers as readonly string[]).includes(handler)) continue;
      expect(statementsOf(handler).some((s) => actions(s).some((a) => a.startsWith('events:'))), handler).toBe(false);
      expect(envOf(handler).EVENT_BUS_NAME, handler).toBeUndefined();
    }
  });

  it('feeds deliver-webhooks from the queue, which it may send retries to, with the secrets it may read', () => {
    const queueId = logicalId(built.stateless.webhookDeliveries.node.defaultChild);
    const fnId = logicalId(built.stateless.functions['deliver-webhooks'].node.defaultChild);
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: fnId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const env = envOf('deliver-webhooks');
    expect(env.DELIVERY_QUEUE_URL).toEqual({ Ref: queueId });
    expect(env.WEBHOOK_SECRETS_SECRET).toEqual({ Ref: expect.stringMatching(/^WebhookSecrets/) });
    const granted = statementsOf('deliver-webhooks');
    expect(granted.some((s) => actions(s).includes('sqs:SendMessage'))).toBe(true);
    expect(granted.some((s) => actions(s).includes('secretsmanager:GetSecretValue'))).toBe(true);
    // It appends webhook.undelivered, and moves no intake.
    expect(granted.some((s) => actions(s).includes('dynamodb:UpdateItem') && !('Condition' in s))).toBe(false);
  });
});

describe('the deployed configuration', () => {
  it('keeps its webhooks without reading their secret files at synth (in AWS the secrets are in Secrets Manager)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'filiera-deploy-webhooks-'));
    try {
      const fixture = JSON.parse(await readFile('test/fixtures/deploy/config.json', 'utf8'));
      const file = path.join(dir, 'config.json');
      const webhooks = [{ id: 'napoli-ops', callCenter: 'cc-napoli', url: 'https://ops.example/filiera', events: ['intake.released'], secretFile: 'absent.key' }];
      await writeFile(file, JSON.stringify({ ...fixture, trustAnchors: [path.resolve('test/fixtures/deploy/ca.pem')], webhooks }));
      const inline = JSON.parse(await inlineConfiguration(file));
      expect(inline.webhooks).toEqual(webhooks);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
