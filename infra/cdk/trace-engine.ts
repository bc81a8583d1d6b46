import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TRACE_PREFIX } from '../../shared/trace/index-layout.js';
import type { BucketRef } from './house-function.js';
import { APP_PREFIX } from './naming.js';

/** What a function needs to know of the trace engine to be bound to it (FilieraFunction.bindTraceEngine). */
export interface TraceEngineRef {
  workGroupName: string;
  workGroupArn: string;
  databaseName: string;
  tableName: string;
  catalogArn: string;
  databaseArn: string;
  tableArn: string;
  /** The bucket and prefix the index's files are read from. */
  source: BucketRef;
  sourcePrefix: string;
  /** Where the workgroup writes results. */
  results: BucketRef;
  resultsPrefix: string;
}

export interface TraceEngineProps {
  /** The evidence bucket, which holds the index under `trace/`. */
  evidence: BucketRef;
  dataKey: kms.IKey;
  /** The bucket that receives the results bucket's access logs. */
  accessLogsBucketName: string;
  /** Athena cancels a trace that would scan more than this (the workgroup's per-query limit). */
  bytesScannedCutoffPerQuery: number;
}

/**
 * Per-query scan limit by default: 64 GiB is the hash column of about two billion index rows (34 bytes each), twenty
 * times the year of releases docs/api.md sizes for; a query past it is cancelled, not billed further.
 */
export const DEFAULT_TRACE_SCAN_LIMIT_BYTES = 64 * 1024 ** 3;

/** The index's columns as Glue declares them, in the files' order (shared/trace/index-writer.ts writes them). */
const indexColumns: glue.CfnTable.ColumnProperty[] = [
  { name: 'hash', type: 'binary', comment: 'HMAC-SHA-256 of the E.164 number under the deployment key' },
  { name: 'consent_date', type: 'string', comment: "the row's consent date, YYYY-MM-DD" },
  { name: 'consent_source', type: 'string', comment: "the row's consent source as released" },
  { name: 'intake_id', type: 'string' },
  { name: 'call_center', type: 'string' },
  { name: 'campaign', type: 'string' },
  { name: 'released_at', type: 'string', comment: 'ISO 8601 instant' },
];

/**
 * The trace index's engine in AWS (docs/api.md): a Glue table over the evidence bucket's `trace/` Parquet
 * files, partitioned by tenant and month with partition projection (no crawler, no partition to add: a release's file
 * is queryable as soon as it is written), and an Athena workgroup whose configuration is enforced: results in a
 * private bucket encrypted with the data key and deleted after a day, and a per-query bytes-scanned limit.
 *
 * Tenants are projected as `injected`: a query must name its tenants, which the trace use case always does (a
 * compliance officer's "every tenant" is asked as the configured tenants), so a query can never read beyond them.
 */
export class TraceEngine extends Construct implements TraceEngineRef {
  readonly workGroupName: string;
  readonly workGroupArn: string;
  readonly databaseName: string;
  readonly tableName = 'trace_index';
  readonly catalogArn: string;
  readonly databaseArn: string;
  readonly tableArn: string;
  readonly source: BucketRef;
  readonly sourcePrefix = TRACE_PREFIX;
  readonly results: BucketRef;
  readonly resultsPrefix = 'results/';
  readonly resultsBucket: s3.Bucket;
  readonly workGroup: athena.CfnWorkGroup;
  readonly table: glue.CfnTable;

  constructor(scope: Construct, id: string, props: TraceEngineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.source = props.evidence;
    this.databaseName = `${APP_PREFIX}_trace`;
    this.workGroupName = `${APP_PREFIX}-trace`;

    const accessLogs = s3.Bucket.fromBucketName(this, 'AccessLogs', props.accessLogsBucketName);
    this.resultsBucket = new s3.Bucket(this, 'ResultsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.dataKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'trace-results/',
      // Results name the releases a number was found in: nothing to keep once the trace is answered.
      lifecycleRules: [
        { id: 'DeleteResults', expiration: Duration.days(1), noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.results = { bucketName: this.resultsBucket.bucketName, bucketArn: this.resultsBucket.bucketArn };

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Filiera: traces of a number over the trace index (Filiera specification §11)',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/${this.resultsPrefix}`,
          expectedBucketOwner: Aws.ACCOUNT_ID,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.dataKey.keyArn },
        },
      },
    });
    this.workGroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName });

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'Filiera: the trace index (Filiera specification §11)' },
    });
    const location = `s3://${props.evidence.bucketName}/${TRACE_PREFIX}`;
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        description: 'One Parquet file per release: keyed hashes of its numbers with consent date and source',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'projection.enabled': 'true',
          'projection.tenant.type': 'injected',
          'projection.month.type': 'date',
          'projection.month.format': 'yyyy-MM',
          'projection.month.range': '2026-01,NOW',
          'projection.month.interval': '1',
          'projection.month.interval.unit': 'MONTHS',
          'storage.location.template': `${location}tenant=\${tenant}/month=\${month}/`,
        },
        partitionKeys: [
          { name: 'tenant', type: 'string' },
          { name: 'month', type: 'string' },
        ],
        storageDescriptor: {
          location,
          columns: indexColumns,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: { 'serialization.format': '1' } },
        },
      },
    });
    this.table.addDependency(database);
    this.catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    this.databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName });
    this.tableArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${this.tableName}` });
  }
}
