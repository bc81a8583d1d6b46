import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * One table for intakes and their audit trails (single-table design), as plain data so that the CDK stack and the
 * local stack build the same thing.
 *
 * | item          | pk              | sk                 | index keys                                              |
 * |---------------|-----------------|--------------------|---------------------------------------------------------|
 * | intake        | INTAKE#{id}     | INTAKE             | tenantPk/tenantSk, statusPk/statusSk, releasePk/releaseSk (releaseSk only once RELEASED) |
 * | audit event   | INTAKE#{id}     | EVENT#{seq, 10 digits} | none                                                |
 *
 * - byTenant:  TENANT#{tenantId}, `{createdAt}#{intakeId}`: a tenant's intakes, newest first.
 * - byStatus:  STATUS#{status},   `{createdAt}#{intakeId}`: the compliance queue and the expiry sweep.
 * - releasesByCallCenter: CALLCENTER#{callCenterId}, `{releasedAt}#{intakeId}`; sparse: only RELEASED intakes have
 *   releaseSk, so only they appear.
 * - queue counters: COUNT#{status}, TENANT#{tenantId}#CALLCENTER#{callCenterId}, attribute n (intake-items.ts).
 * - ttl: epoch seconds. An intake and its trail hold evidence and go when the evidence retention ends, counted from
 *   the intake's creation (shared/intake/retention.ts). Note that DynamoDB Local accepts a TTL setting but never
 *   deletes expired items.
 */
export const intakeTableDesign = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  timeToLiveAttribute: 'ttl',
  globalSecondaryIndexes: [
    { indexName: 'byTenant', partitionKey: { name: 'tenantPk', type: 'S' }, sortKey: { name: 'tenantSk', type: 'S' }, projection: 'ALL' },
    { indexName: 'byStatus', partitionKey: { name: 'statusPk', type: 'S' }, sortKey: { name: 'statusSk', type: 'S' }, projection: 'ALL' },
    {
      indexName: 'releasesByCallCenter',
      partitionKey: { name: 'releasePk', type: 'S' },
      sortKey: { name: 'releaseSk', type: 'S' },
      projection: 'ALL',
    },
  ],
} as const;

export type IntakeIndexName = (typeof intakeTableDesign.globalSecondaryIndexes)[number]['indexName'];

export function indexDesign(name: IntakeIndexName) {
  const index = intakeTableDesign.globalSecondaryIndexes.find((i) => i.indexName === name);
  if (!index) throw new Error(`no index ${name}`);
  return index;
}

/** The CreateTable input for the design (pure data). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const d = intakeTableDesign;
  const attributes = new Map<string, 'S'>();
  for (const key of [d.partitionKey, d.sortKey, ...d.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])]) {
    attributes.set(key.name, key.type);
  }
  return {
    TableName: tableName,
    BillingMode: d.billingMode,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: d.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: d.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: d.globalSecondaryIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: i.projection },
    })),
  };
}

/** Creates the table if it is missing and waits until it is ACTIVE; turns TTL on. For the local stack and tests. */
export async function ensureTable(client: DynamoDBClient, tableName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (createErr) {
      // Another process created it between describe and create.
      if ((createErr as Error).name !== 'ResourceInUseException') throw createErr;
    }
  }
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) break;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is not ACTIVE after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (ttlStatus !== 'ENABLED' && ttlStatus !== 'ENABLING') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: intakeTableDesign.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}
