import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
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

/**
 * Create whatever tables are missing, from the shared definitions, and add the indexes a kept table
 * (data from an earlier version, in .local/) lacks, one at a time as DynamoDB allows; nothing else of an
 * existing table is changed.
 */
export async function ensureTables(client: DynamoDBClient, names: Record<TableId, string>): Promise<TableId[]> {
  const created: TableId[] = [];
  for (const id of TABLE_IDS) {
    const wanted = createTableInput(tables[id], names[id]);
    let existing: string[];
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names[id] }));
      existing = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await client.send(new CreateTableCommand(wanted));
      created.push(id);
      continue;
    }
    for (const index of wanted.GlobalSecondaryIndexes ?? []) {
      if (existing.includes(index.IndexName)) continue;
      await client.send(new UpdateTableCommand({ TableName: names[id], AttributeDefinitions: wanted.AttributeDefinitions, GlobalSecondaryIndexUpdates: [{ Create: index }] }));
      await indexActive(client, names[id], index.IndexName);
    }
  }
  return created;
}
