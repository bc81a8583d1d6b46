import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { intakeTableDesign } from '../../shared/adapters/dynamodb/table-design.js';
import { roles } from '../../shared/auth/principal.js';
import { TRACE_PREFIX } from '../../shared/trace/index-layout.js';
import { acknowledge } from './nag.js';
import { type BucketPurpose, bucketName, publisherRoleArn, releasePublishers, traceRoleArn } from './naming.js';
import type { Settings } from './settings.js';

/** The console's origin as S3 CORS can name it without depending on the stateless stack (one wildcard). */
const CONSOLE_ORIGINS = 'https://*.cloudfront.net';

export interface StatefulStackProps extends StackProps {
  settings: Settings;
}

/**
 * Everything that holds data and must outlive a redeploy (retained on stack deletion): the data key, the buckets,
 * the intake table and the user pool. Functions and API live in the stateless stack.
 */
export class FilieraStatefulStack extends Stack {
  readonly dataKey: kms.Key;
  readonly accessLogsBucket: s3.Bucket;
  readonly intakeBucket: s3.Bucket;
  readonly releaseBucket: s3.Bucket;
  readonly evidenceBucket: s3.Bucket;
  readonly traceKey: secretsmanager.Secret;
  readonly consoleBucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly userPool: cognito.UserPool;
  readonly apiClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: 'alias/filiera-data',
      description: 'Filiera: intake, release and evidence objects, the intake table, the Textract completion topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // S3 server access logs cannot be delivered to an SSE-KMS bucket: this one uses SSE-S3.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      bucketName: bucketName('access-logs', this.region),
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...this.lockedDown(),
      lifecycleRules: [
        { id: 'ExpireAccessLogs', expiration: Duration.days(settings.evidenceRetentionDays), noncurrentVersionExpiration: Duration.days(30) },
      ],
    });

    // The console uploads (PUT) and downloads (GET) through presigned links from its CloudFront origin. The exact
    // distribution domain lives in the stateless stack, which depends on this one: the rule names CloudFront's
    // domain; each request still needs its link's signature, and CORS only lets the page read the answer.
    this.intakeBucket = this.dataBucket('IntakeBucket', 'intake', {
      lifecycleRules: this.retention(settings.rawRetentionDays, 'tenants/'),
      cors: [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: [CONSOLE_ORIGINS], allowedHeaders: ['content-type'], exposedHeaders: ['ETag'], maxAge: 600 }],
    });

    this.releaseBucket = this.dataBucket('ReleaseBucket', 'release', {
      lifecycleRules: this.retention(settings.rawRetentionDays, 'callcenters/'),
      cors: [{ allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD], allowedOrigins: [CONSOLE_ORIGINS], maxAge: 600 }],
    });
    // Only the release step writes here: deny every other principal, whatever its identity policy grants. Downloads
    // are presigned GET links the API issues; no call center has access to the bucket.
    this.releaseBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheReleaseStepWrites',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.releaseBucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': releasePublishers.map((handler) => publisherRoleArn(this, handler)) } },
      }),
    );

    // docs/limits-and-retention.md: the signed attestation as uploaded and the receipt, written by the release step, kept
    // for the evidence retention under Object Lock (long after the contacts are gone), then deleted.
    this.evidenceBucket = this.dataBucket('EvidenceBucket', 'evidence', {
      objectLockEnabled: true,
      objectLockDefaultRetention:
        settings.evidenceLockMode === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(Duration.days(settings.evidenceRetentionDays))
          : s3.ObjectLockRetention.governance(Duration.days(settings.evidenceRetentionDays)),
      lifecycleRules: this.retention(settings.evidenceRetentionDays, 'tenants/'),
    });
    this.evidenceBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheReleaseStepWrites',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.evidenceBucket.arnForObjects('*')],
        // The trace function writes trace audits only (its own policy, and the statement below).
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...releasePublishers.map((handler) => publisherRoleArn(this, handler)), traceRoleArn(this)] } },
      }),
    );
    // docs/api.md: the trace index (written by the release step) and each trace's audit record (written by
    // the trace function, and by it only) are evidence too, kept as long.
    this.evidenceBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheTraceFunctionWritesTraceAudits',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.evidenceBucket.arnForObjects('trace-audit/*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [traceRoleArn(this)] } },
      }),
    );
    for (const prefix of [TRACE_PREFIX, 'trace-audit/']) {
      this.evidenceBucket.addLifecycleRule({
        id: `DeleteAfterRetention-${prefix.replace('/', '')}`,
        prefix,
        expiration: Duration.days(settings.evidenceRetentionDays),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      });
    }
    // The trace index's HMAC key (docs/api.md): random, encrypted with the data key, retained: a lost or
    // changed key leaves every index already written unreadable for tracing.
    this.traceKey = new secretsmanager.Secret(this, 'TraceIndexKey', {
      description: 'Filiera: the key of the trace index (HMAC-SHA-256 of E.164 numbers)',
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.traceKey,
      'AwsSolutions-SMG4',
      'Not rotated by design: the trace index keeps HMAC-SHA-256 hashes under this key for the evidence retention ' +
        '(docs/limits-and-retention.md, docs/api.md); a rotated key would leave every index written before it unsearchable.',
    );

    // The console's static files (no data): CloudFront of this account reads them with origin access control; the
    // distribution and the upload of the files are in the stateless stack (infra/cdk/console-site.ts).
    this.consoleBucket = new s3.Bucket(this, 'ConsoleBucket', {
      bucketName: bucketName('console', this.region),
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'console/',
      ...this.lockedDown(),
      lifecycleRules: [{ id: 'ExpireOldConsoleVersions', noncurrentVersionExpiration: Duration.days(30) }],
    });
    this.consoleBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontOfThisAccountReads',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.consoleBucket.arnForObjects('*')],
        conditions: {
          StringEquals: { 'AWS:SourceAccount': this.account },
          ArnLike: { 'AWS:SourceArn': `arn:${this.partition}:cloudfront::${this.account}:distribution/*` },
        },
      }),
    );

    this.table = this.intakeTable();
    [this.userPool, this.apiClient] = this.identities();

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.apiClient.userPoolClientId });
    new CfnOutput(this, 'IntakeTableName', { value: this.table.tableName });
  }

  /** Private, TLS 1.2+ only, versioned, ACLs off, retained. */
  private lockedDown(): Partial<s3.BucketProps> {
    return {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
  }

  private dataBucket(id: string, purpose: BucketPurpose, extra: Partial<s3.BucketProps>): s3.Bucket {
    return new s3.Bucket(this, id, {
      bucketName: bucketName(purpose, this.region),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${purpose}/`,
      ...this.lockedDown(),
      ...extra,
    });
  }

  /**
   * GDPR art. 5(1)(e): contact data is deleted after the retention, old versions a day later (the buckets are
   * versioned, so an expiration alone would only hide the data behind a delete marker).
   */
  private retention(days: number, prefix: string): s3.LifecycleRule[] {
    return [
      {
        id: 'DeleteAfterRetention',
        prefix,
        expiration: Duration.days(days),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
      { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
    ];
  }

  /** The table of shared/adapters/dynamodb/table-design.ts, key for key. */
  private intakeTable(): dynamodb.Table {
    const design = intakeTableDesign;
    const attribute = (key: { name: string; type: 'S' }): dynamodb.Attribute => ({ name: key.name, type: dynamodb.AttributeType.STRING });
    const table = new dynamodb.Table(this, 'IntakeTable', {
      partitionKey: attribute(design.partitionKey),
      sortKey: attribute(design.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: design.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of design.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }

  /**
   * Staff and partner accounts, created by an administrator: one group per role (`cognito:groups`) and the scope in
   * custom attributes (`custom:tenant`, `custom:callcenter`, `custom:tenants`), which users cannot change themselves.
   */
  private identities(): [cognito.UserPool, cognito.UserPoolClient] {
    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        tenant: new cognito.StringAttribute({ minLen: 1, maxLen: 63, mutable: true }),
        callcenter: new cognito.StringAttribute({ minLen: 1, maxLen: 63, mutable: true }),
        /** Compliance staff's scope: comma-separated tenant ids, or `*` for all; absent = none (shared/auth/principal.ts). */
        tenants: new cognito.StringAttribute({ minLen: 1, maxLen: 2048, mutable: true }),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of roles) {
      userPool.addGroup(`Group-${role}`, { groupName: role, description: `Filiera role ${role} (Filiera specification §1)` });
    }
    const client = userPool.addClient('ApiClient', {
      authFlows: { userSrp: true },
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('tenant', 'callcenter', 'tenants'),
      // The scope attributes decide what a caller may see: only an administrator may write them.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    return [userPool, client];
  }
}
