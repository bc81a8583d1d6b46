/**
 * docs/configuration.md, revocation.fetch: in AWS the functions that verify signatures fetch CRLs and OCSP answers from
 * the certificates' own URLs and cache them in the app's table. They need the internet (no VPC: Lambda's own egress)
 * and GetItem/PutItem on the table; the configuration's `fetch` reaches them as written.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type FilieraApp } from '../../infra/cdk/build-app.js';
import type { HandlerName } from '../../infra/cdk/stateless-stack.js';

const DEPLOY_DIR = path.resolve('test/fixtures/deploy');
const VERIFIERS: HandlerName[] = ['on-upload', 'on-textract-complete', 'sweep'];

let built: FilieraApp;
let stateless: Template;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-revocation-fetch-'));
  const base = JSON.parse(await readFile(path.join(DEPLOY_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'ca.pem'), await readFile(path.join(DEPLOY_DIR, 'ca.pem')));
  const file = path.join(dir, 'filiera.json');
  await writeFile(file, JSON.stringify({ ...base, trustAnchors: ['ca.pem'], revocation: { fetch: true } }));
  built = await buildApp({ context: { 'filiera:skipBundling': true, rawRetentionDays: '45', filieraConfig: file }, builtinValidation: false });
  stateless = Template.fromStack(built.stateless);
});

const logicalId = (element: unknown): string => Stack.of(element as CfnElement).getLogicalId(element as CfnElement);
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function functionOf(handler: HandlerName): { Properties: Record<string, any> } {
  return stateless.toJSON().Resources[logicalId(built.stateless.functions[handler].node.defaultChild)];
}

/** The actions a function's role may take on the table itself, unconditioned. */
function tableActions(handler: HandlerName): string[] {
  const role = logicalId(built.stateless.functions[handler].role!.node.defaultChild);
  const policies = Object.values(stateless.findResources('AWS::IAM::Policy')) as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] } } }[];
  return policies
    .filter((p) => list(p.Properties.Roles).some((r) => JSON.stringify(r).includes(role)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s) => s.Effect === 'Allow' && !s.Condition && list(s.Resource as unknown[]).some((r) => JSON.stringify(r).includes('Table') && !JSON.stringify(r).includes('/index/')))
    .flatMap((s) => list(s.Action));
}

describe('revocation fetched online in AWS', () => {
  it.each(VERIFIERS)('%s is outside any VPC (Lambda\'s own internet access) and may read and write the cache items', (handler) => {
    expect(functionOf(handler).Properties.VpcConfig).toBeUndefined();
    expect(tableActions(handler)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']));
  });

  it('the configuration reaches the functions with fetch: true', () => {
    const env = functionOf('on-upload').Properties.Environment.Variables as Record<string, unknown>;
    const inline = typeof env.FILIERA_CONFIG_JSON === 'string' ? env.FILIERA_CONFIG_JSON : JSON.stringify(env);
    expect(inline).toMatch(/"fetch":\s*true/);
  });
});
