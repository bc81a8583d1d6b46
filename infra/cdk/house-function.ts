import path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AUDIT_APPEND_ATTRIBUTES, AUDIT_APPEND_LEADING_KEYS } from '../../shared/adapters/dynamodb/intake-items.js';
import type { IntakeIndexName } from '../../shared/adapters/dynamodb/table-design.js';
import { functionBundling, functionsDir, repoRoot, shipPdfjsCommands } from './bundling.js';
import { type KeyPattern, wildcardReason } from './key-patterns.js';
import { acknowledge, acknowledgeWildcardResources } from './nag.js';
import { TRUST_FILES_MOUNT } from './settings.js';
import type { TraceEngineRef } from './trace-engine.js';

export interface FilieraFunctionProps {
  /** The handler's file in functions/, without extension. */
  handler: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  /** Give the role this name (the release bucket's policy names the roles allowed to write to it). */
  roleName?: string;
  /** Ship pdfjs beside the bundle, where its lazy import finds it (functions that read attestation PDFs). */
  readsPdf?: boolean;
  reservedConcurrentExecutions?: number;
  /** Tests: a placeholder instead of the esbuild bundle (see settings `filiera:skipBundling`). */
  skipBundling: boolean;
}

/** What a function may do with the intake table. */
export interface TableAccess {
  getItem?: boolean;
  /** The base table (an intake's audit trail) and/or its indexes. */
  query?: readonly ('table' | IntakeIndexName)[];
  /** Status transitions and audit events: conditional Put and Update items inside TransactWriteItems. */
  write?: boolean;
  /**
   * Audit events only (a link issued): Put and Update inside TransactWriteItems, of the event's and the chain head's
   * attributes, in intakes' partitions. The function can neither move an intake nor write any other attribute.
   */
  appendEvents?: boolean;
}

/** What a function may do with the objects of one bucket. Empty: the function only needs the bucket's name. */
export interface ObjectAccess {
  /** GetObject (and HeadObject) on these keys. */
  read?: readonly KeyPattern[];
  /**
   * GetObjectVersion on these keys (each also in `read`): uploads are read, sent to Textract and linked at the version
   * recorded when they arrived, which S3 authorizes with this action instead of GetObject.
   */
  readVersions?: readonly KeyPattern[];
  /** PutObject on these keys; a presigned upload link carries this permission of the function that signed it. */
  write?: readonly KeyPattern[];
  /** Streams are written in parts, and a failed upload is aborted. */
  multipart?: boolean;
  /** ListBucket: without it S3 answers 403 instead of 404 for a missing key, and the code tells absent keys by 404. */
  list?: boolean;
}

/** Where Textract reports a finished job, and the role it publishes with (the stateless stack's Textract channel). */
export interface TextractChannel {
  queue: sqs.Queue;
  topicArn: string;
  publishRoleArn: string;
}

export interface BucketRef {
  bucketName: string;
  bucketArn: string;
}

/** What reading a scan with Textract takes: one-page analysis, and the start and result of a multi-page job. */
const TEXTRACT_ACTIONS = ['textract:AnalyzeDocument', 'textract:StartDocumentAnalysis', 'textract:GetDocumentAnalysis'];
const TEXTRACT_RESOURCE = '*';

/** Lambda rejects inline code over 4 KB; this stands in for the bundle when synthesis skips esbuild (tests). */
const PLACEHOLDER_CODE = "exports.handler = async () => { throw new Error('placeholder code: synthesized with filiera:skipBundling'); };";

/**
 * The house Lambda function: Node.js 22 on ARM64, an esbuild bundle with the AWS SDK inside, X-Ray tracing, its own
 * log group with a retention, and a role that starts empty. The bind* helpers set an environment variable and grant
 * exactly what goes with it, in one call, so a function never holds a permission its wiring does not use.
 */
export class FilieraFunction extends NodejsFunction {
  readonly handlerName: string;
  /** pdfjs ships beside this function's bundle (infra/cdk/bundling.ts, shippedPdfjs). */
  readonly readsPdf: boolean;
  /** The function's own role (lambda.Function's `role` is typed optional). */
  readonly executionRole: iam.Role;
  private dataPolicy?: iam.Policy;
  private readonly keyStatements = new Map<string, { statement: iam.PolicyStatement; actions: Set<string> }>();
  private readonly reviewedWildcards = new Map<string, string>();
  /** The reviewed reason for Textract's Resource "*", once bindScanReader granted it. */
  private textractReason?: string;
  private finished = false;

  constructor(scope: Construct, id: string, props: FilieraFunctionProps) {
    // The role and log group are siblings: a subclass cannot create children before super().
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Filiera ${props.handler}: only what this handler uses`,
      ...(props.roleName ? { roleName: props.roleName } : {}),
    });
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR });

    super(scope, id, {
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'filiera',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      ...(props.skipBundling
        ? { code: lambda.Code.fromInline(PLACEHOLDER_CODE), handler: 'index.handler' }
        : {
            entry: path.join(functionsDir, `${props.handler}.ts`),
            handler: 'handler',
            projectRoot: repoRoot,
            depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
            bundling: {
              format: OutputFormat.ESM,
              target: functionBundling.target,
              minify: functionBundling.minify,
              sourceMap: functionBundling.sourceMap,
              mainFields: [...functionBundling.mainFields],
              externalModules: [...functionBundling.externalModules],
              banner: functionBundling.banner,
              // esbuild's CLI form, --alias:PACKAGE=PATH, which the construct builds from a list.
              esbuildArgs: { '--alias': Object.entries(functionBundling.alias).map(([from, to]) => `${from}=${to}`) },
              logLevel: LogLevel.WARNING,
              ...(props.readsPdf
                ? {
                    commandHooks: {
                      beforeBundling: () => [],
                      beforeInstall: () => [],
                      afterBundling: shipPdfjsCommands,
                    },
                  }
                : {}),
            },
          }),
    });
    this.handlerName = props.handler;
    this.readsPdf = props.readsPdf ?? false;
    this.executionRole = role;
    logGroup.grantWrite(role);

    acknowledge(
      this,
      'AwsSolutions-L1',
      'Node.js 22 is the runtime Filiera is built and tested for (esbuild target node22, engines >=20.19); moving to a newer ' +
        'runtime is a deliberate upgrade with its own test run, not a side effect of a CDK release adding one.',
    );
    // Tracing put the X-Ray statement in the role's default policy; data access lives in a separate policy.
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      'AwsSolutions-IAM5[Resource::*]',
      'Only xray:PutTraceSegments and xray:PutTelemetryRecords use Resource "*" here: X-Ray has no resource-level ' +
        'permissions for them. Data permissions are in the DataAccess policy, on named resources.',
    );
  }

  /**
   * TABLE_NAME, with the item actions and indexes listed in `access` on this table only. A function that writes items
   * also gets EVIDENCE_RETENTION_DAYS: the TTL it gives them (an intake holds evidence: docs/limits-and-retention.md).
   */
  bindTable(table: dynamodb.ITable, key: kms.IKey, access: TableAccess, evidenceRetentionDays?: number): this {
    this.assertOpen();
    this.addEnvironment('TABLE_NAME', table.tableName);
    if ((access.write || access.appendEvents) && evidenceRetentionDays !== undefined) {
      this.addEnvironment('EVIDENCE_RETENTION_DAYS', String(evidenceRetentionDays));
    }
    const itemActions = [...(access.getItem ? ['dynamodb:GetItem'] : []), ...(access.write ? ['dynamodb:PutItem', 'dynamodb:UpdateItem'] : [])];
    if (itemActions.length) this.allow(itemActions, [table.tableArn]);
    const appendsOnly = Boolean(access.appendEvents && !access.write);
    if (appendsOnly) {
      this.policy().addStatements(
        new iam.PolicyStatement({
          actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...AUDIT_APPEND_ATTRIBUTES] },
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...AUDIT_APPEND_LEADING_KEYS] },
            // Only inside the append's transaction, and without returning what it may not read.
            'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] },
            StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
          },
        }),
      );
    }
    const queried = access.query ?? [];
    if (queried.length) {
      this.allow(
        ['dynamodb:Query'],
        queried.map((target) => (target === 'table' ? table.tableArn : `${table.tableArn}/index/${target}`)),
      );
    }
    if (itemActions.length || queried.length || appendsOnly) {
      // The table is encrypted with the data key: the actions CDK's Table.grant* give on it, spelled out.
      this.useKey(key, 'dynamodb', ['kms:Decrypt', 'kms:DescribeKey']);
      if (access.write || appendsOnly) {
        this.useKey(key, 'dynamodb', ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
      }
    }
    return this;
  }

  /** INTAKE_BUCKET, RELEASE_BUCKET or EVIDENCE_BUCKET, with object access on the listed key patterns only. */
  bindBucket(variable: 'INTAKE_BUCKET' | 'RELEASE_BUCKET' | 'EVIDENCE_BUCKET', bucket: BucketRef, key: kms.IKey, access: ObjectAccess): this {
    this.assertOpen();
    this.addEnvironment(variable, bucket.bucketName);
    const read = access.read ?? [];
    const write = access.write ?? [];
    const objectArn = (k: KeyPattern) => `${bucket.bucketArn}/${k.pattern}`;
    const readVersions = access.readVersions ?? [];
    const unread = readVersions.filter((k) => !read.includes(k));
    if (unread.length) {
      throw new Error(`${this.node.id}: readVersions on keys it may not read (${unread.map((k) => k.pattern).join(', ')}): add them to read`);
    }
    if (read.length) this.allow(['s3:GetObject'], read.map(objectArn));
    if (readVersions.length) this.allow(['s3:GetObjectVersion'], readVersions.map(objectArn));
    if (write.length) this.allow(['s3:PutObject', ...(access.multipart ? ['s3:AbortMultipartUpload'] : [])], write.map(objectArn));
    if (access.list) this.allow(['s3:ListBucket'], [bucket.bucketArn]);
    // SSE-KMS with bucket keys: reading decrypts; writing generates a data key; completing a multipart upload or
    // copying an object decrypts as well.
    if (read.length) this.useKey(key, 's3', ['kms:Decrypt']);
    if (write.length) this.useKey(key, 's3', ['kms:GenerateDataKey', ...(access.multipart ? ['kms:Decrypt'] : [])]);
    for (const k of [...read, ...write]) this.reviewedWildcards.set(`/${k.pattern}`, wildcardReason(k));
    return this;
  }

  /** FILIERA_CONFIG_JSON: tenants, call centers, trust anchors and policy, inline (or an SSM dynamic value). */
  bindConfiguration(json: string): this {
    this.assertOpen();
    this.addEnvironment('FILIERA_CONFIG_JSON', json);
    return this;
  }

  /**
   * FILIERA_TRUST_DIR: the trust layer (the configuration's trusted lists, their signers' certificates and CRL files,
   * docs/deploying.md) mounted at /opt, for the functions that verify signatures. They read and verify the files at
   * cold start; the layer is part of the function's code, so no permission goes with it.
   */
  bindTrustFiles(layer: lambda.ILayerVersion): this {
    this.assertOpen();
    this.addLayers(layer);
    this.addEnvironment('FILIERA_TRUST_DIR', TRUST_FILES_MOUNT);
    return this;
  }

  /**
   * SCAN_READER: `textract` with the completion channel for the functions that read scans, with Textract's analysis
   * actions and iam:PassRole on the publishing role (to Textract only); `none` for the others, which never see a scan.
   * Textract has no resource-level permissions for these actions (the Service Authorization Reference lists no
   * resource type), hence Resource "*", acknowledged here and nowhere else; it reads the S3 object with the caller's
   * own s3:GetObject and s3:GetObjectVersion, which bindBucket already scoped to the intake keys.
   */
  bindScanReader(channel: TextractChannel | undefined): this {
    this.assertOpen();
    if (!channel) {
      this.addEnvironment('SCAN_READER', 'none');
      return this;
    }
    this.addEnvironment('SCAN_READER', 'textract');
    this.addEnvironment('TEXTRACT_SNS_TOPIC_ARN', channel.topicArn);
    this.addEnvironment('TEXTRACT_ROLE_ARN', channel.publishRoleArn);
    this.allow(TEXTRACT_ACTIONS, ['*']);
    this.policy().addStatements(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [channel.publishRoleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'textract.amazonaws.com' } },
      }),
    );
    this.textractReason = (
      `${TEXTRACT_ACTIONS.join(', ')} support no resource-level permission (Service Authorization Reference for Amazon ` +
        'Textract): Resource "*" is the only form. Textract reads the scan with this role\'s own s3:GetObject (and s3:GetObjectVersion for the recorded version), scoped to the intake keys.'
    );
    return this;
  }

  /**
   * TRACE_KEY_SECRET: the trace index's HMAC key (docs/api.md), for the functions that release (they hash
   * the released numbers) and the trace function (it hashes the number searched): GetSecretValue on that secret only,
   * decrypted with the data key through Secrets Manager only.
   */
  bindTraceKey(secret: secretsmanager.ISecret, key: kms.IKey): this {
    this.assertOpen();
    this.addEnvironment('TRACE_KEY_SECRET', secret.secretArn);
    this.allow(['secretsmanager:GetSecretValue'], [secret.secretArn]);
    this.useKey(key, 'secretsmanager', ['kms:Decrypt']);
    return this;
  }

  /**
   * TRACE_WORKGROUP, TRACE_DATABASE, TRACE_TABLE: the trace engine in AWS (infra/cdk/trace-engine.ts). Queries start,
   * are polled and read in that one workgroup (whose configuration is enforced: results location, encryption,
   * bytes-scanned limit); the Glue table's definition only; the index's files under `trace/` of the evidence bucket
   * (listed there, read with the evidence binding's GetObject); the workgroup's results written and read under its
   * results prefix. Athena reads and writes S3 with this role's own permissions.
   */
  bindTraceEngine(engine: TraceEngineRef, key: kms.IKey): this {
    this.assertOpen();
    this.addEnvironment('TRACE_WORKGROUP', engine.workGroupName);
    this.addEnvironment('TRACE_DATABASE', engine.databaseName);
    this.addEnvironment('TRACE_TABLE', engine.tableName);
    this.allow(['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'], [engine.workGroupArn]);
    this.allow(['glue:GetDatabase', 'glue:GetTable'], [engine.catalogArn, engine.databaseArn, engine.tableArn]);
    this.policy().addStatements(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [engine.source.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${engine.sourcePrefix}*`] } },
      }),
    );
    // Athena asks where each bucket is before it reads or writes there.
    this.allow(['s3:GetBucketLocation'], [engine.source.bucketArn]);
    this.allow(['s3:GetBucketLocation', 's3:ListBucket'], [engine.results.bucketArn]);
    const results: KeyPattern = { pattern: `${engine.resultsPrefix}*`, holds: "the trace workgroup's query results (hashes' matches, kept one day)" };
    this.allow(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], [`${engine.results.bucketArn}/${results.pattern}`]);
    this.useKey(key, 's3', ['kms:Decrypt', 'kms:GenerateDataKey']);
    this.reviewedWildcards.set(
      `/${results.pattern}`,
      `Object-level S3 access limited to the trace workgroup's results prefix "${results.pattern}" (${results.holds}): ` +
        'Athena names each result object after its query id, known only at run time; the bucket is named exactly.',
    );
    return this;
  }

  /**
   * Ends the bindings: acknowledges to cdk-nag the object-key wildcards the bindings granted, each with its pattern's
   * reason (any other wildcard stays an error). Once cdk-nag's rule has read the policy its statements are frozen,
   * hence one call after all bind* calls.
   */
  finishBindings(): void {
    this.assertOpen();
    this.finished = true;
    if (!this.dataPolicy) return;
    acknowledgeWildcardResources(this.dataPolicy, (resource) => {
      if (resource === TEXTRACT_RESOURCE) return this.textractReason;
      const match = [...this.reviewedWildcards.entries()].find(([suffix]) => resource.endsWith(suffix));
      return match?.[1];
    });
  }

  /** The policy that holds this function's data permissions (created on first use). */
  get dataAccessPolicy(): iam.Policy | undefined {
    return this.dataPolicy;
  }

  private assertOpen(): void {
    if (this.finished) throw new Error(`${this.node.path}: bind* after finishBindings()`);
  }

  private allow(actions: string[], resources: string[]): void {
    this.policy().addStatements(new iam.PolicyStatement({ actions, resources }));
  }

  /** The key, for these actions, only when the named service uses it on the function's behalf. */
  private useKey(key: kms.IKey, service: 's3' | 'dynamodb' | 'secretsmanager', actions: string[]): void {
    let entry = this.keyStatements.get(service);
    if (!entry) {
      const statement = new iam.PolicyStatement({
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` } },
      });
      entry = { statement, actions: new Set() };
      this.keyStatements.set(service, entry);
      this.policy().addStatements(statement);
    }
    for (const action of actions) {
      if (entry.actions.has(action)) continue;
      entry.actions.add(action);
      entry.statement.addActions(action);
    }
  }

  private policy(): iam.Policy {
    if (!this.dataPolicy) {
      this.dataPolicy = new iam.Policy(this, 'DataAccess', { roles: [this.executionRole] });
      // The first invocation must not run before its permissions exist.
      this.node.addDependency(this.dataPolicy);
    }
    return this.dataPolicy;
  }
}
