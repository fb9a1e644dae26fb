import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLE_IDS, tables, type TableId } from '#shared/model/tables';

export const LOCAL_TABLE_PREFIX = 'capacity-tracker';

export function localTableNames(prefix = LOCAL_TABLE_PREFIX): Record<TableId, string> {
  return Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}-${id}`])) as Record<TableId, string>;
}

/** Point the handlers at the local tables the same way the CDK app does: one env var per table. */
export function exportTableNames(names: Record<TableId, string>): void {
  for (const id of TABLE_IDS) process.env[tables[id].envVar] = names[id];
}

/** Create whatever tables are missing, from the shared definitions; existing ones are left as they are. */
export async function ensureTables(client: DynamoDBClient, names: Record<TableId, string>): Promise<TableId[]> {
  const created: TableId[] = [];
  for (const id of TABLE_IDS) {
    try {
      await client.send(new DescribeTableCommand({ TableName: names[id] }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await client.send(new CreateTableCommand(createTableInput(tables[id], names[id])));
      created.push(id);
    }
  }
  return created;
}
