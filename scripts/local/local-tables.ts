import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  UpdateTableCommand,
  type AttributeValue,
  type BatchWriteItemCommandOutput,
  type CreateTableCommandInput,
  type KeySchemaElement,
  type Projection,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLE_IDS, tables, type TableId } from '#shared/model/tables';

export const LOCAL_TABLE_PREFIX = 'capacity-tracker';

export function localTableNames(prefix = LOCAL_TABLE_PREFIX): Record<TableId, string> {
  return Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}-${id}`])) as Record<TableId, string>;
}

/** Point the handlers at the local tables the same way the CDK app does: one env var per table. */
export function exportTableNames(names: Record<TableId, string>): void {
  for (const id of TABLE_IDS) process.env[tables[id].envVar] = names[id];
}

/** A new index answers queries only once it is ACTIVE (DynamoDB Local fills it from the items first). */
async function indexActive(client: DynamoDBClient, tableName: string, indexName: string): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 250) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === indexName)?.IndexStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`index ${indexName} of ${tableName} did not become active`);
}

type IndexShape = { IndexName?: string | undefined; KeySchema?: KeySchemaElement[] | undefined; Projection?: Projection | undefined };

/** Two indexes are the same when their keys and what they project are: the only things an index is. */
function sameIndex(existing: IndexShape, wanted: IndexShape): boolean {
  const keysOf = (index: IndexShape) => JSON.stringify((index.KeySchema ?? []).map(({ AttributeName, KeyType }) => [AttributeName, KeyType]));
  const projectionOf = (index: IndexShape) => JSON.stringify([index.Projection?.ProjectionType ?? 'ALL', [...(index.Projection?.NonKeyAttributes ?? [])].sort()]);
  return keysOf(existing) === keysOf(wanted) && projectionOf(existing) === projectionOf(wanted);
}

/** DeleteTable answers at once; the name is free again only once DescribeTable no longer finds it. */
async function tableGone(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 250) {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`table ${tableName} was not deleted`);
}

/**
 * A kept table made again as defined, with its items: read whole (a local table, never a deployed one),
 * deleted, created from the definition, and its items put back. DynamoDB Local deletes one index of a
 * table and then leaves any further one DELETING for good (3.3.0), so a table that loses an index, or
 * whose index changed, is rebuilt rather than changed in place.
 */
async function rebuildTable(client: DynamoDBClient, wanted: CreateTableCommandInput): Promise<void> {
  const tableName = wanted.TableName!;
  const items: Array<Record<string, AttributeValue>> = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await tableGone(client, tableName);
  await client.send(new CreateTableCommand(wanted));
  for (let i = 0; i < items.length; i += 25) {
    let requests: WriteRequest[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests && requests.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
      const result: BatchWriteItemCommandOutput = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = result.UnprocessedItems?.[tableName];
    }
  }
  for (const index of wanted.GlobalSecondaryIndexes ?? []) await indexActive(client, tableName, index.IndexName!);
}

/**
 * Create whatever tables are missing, from the shared definitions, and bring the indexes of a kept table
 * (data from an earlier version, in .local/) to the definitions: an index added since is created (one
 * at a time, as DynamoDB allows; DynamoDB Local fills it from the items); a table with an index no longer
 * defined, or one whose keys or projection changed, is made again as defined, with its items
 * (`rebuildTable`). Nothing else of an existing table is changed.
 */
export async function ensureTables(client: DynamoDBClient, names: Record<TableId, string>): Promise<TableId[]> {
  const created: TableId[] = [];
  for (const id of TABLE_IDS) {
    const wanted = createTableInput(tables[id], names[id]);
    let existing: IndexShape[];
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names[id] }));
      existing = Table?.GlobalSecondaryIndexes ?? [];
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await client.send(new CreateTableCommand(wanted));
      created.push(id);
      continue;
    }
    const wantedIndexes: IndexShape[] = wanted.GlobalSecondaryIndexes ?? [];
    const stale = existing.filter((index) => {
      const defined = wantedIndexes.find((candidate) => candidate.IndexName === index.IndexName);
      return !defined || !sameIndex(index, defined);
    });
    if (stale.length > 0) {
      await rebuildTable(client, wanted);
      continue;
    }
    for (const index of wanted.GlobalSecondaryIndexes ?? []) {
      if (existing.some((present) => present.IndexName === index.IndexName)) continue;
      await client.send(new UpdateTableCommand({ TableName: names[id], AttributeDefinitions: wanted.AttributeDefinitions, GlobalSecondaryIndexUpdates: [{ Create: index }] }));
      await indexActive(client, names[id], index.IndexName);
    }
  }
  return created;
}
