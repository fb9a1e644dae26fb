import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, test } from 'vitest';
import { ensureTables, localTableNames } from '#scripts/local/local-tables';
import { createTableInput, tables } from '#shared/model/tables';

/** `npm start` on data kept from an earlier version: the tables it has gain the indexes added since. */
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
afterAll(() => client.destroy());

describe('the local tables', () => {
  test('a kept table without an index added since gets it, and its items are found through it', async () => {
    const names = localTableNames(`upgrade${process.pid}${Date.now() % 100000}`);
    // The registrations table as it was before its byUser index, holding a request.
    const current = createTableInput(tables.registrations, names.registrations);
    const older = { ...current, GlobalSecondaryIndexes: current.GlobalSecondaryIndexes!.filter((index) => index.IndexName !== 'byUser') };
    older.AttributeDefinitions = current.AttributeDefinitions.filter((attribute) => attribute.AttributeName !== 'userId');
    await client.send(new CreateTableCommand(older));
    await client.send(
      new PutItemCommand({
        TableName: names.registrations,
        Item: { registrationId: { S: 'r-1' }, userId: { S: 'u-1' }, requestedAt: { S: '2026-12-01T09:00:00Z' }, status: { S: 'pending' }, locationId: { S: '1-101' } },
      }),
    );

    const created = await ensureTables(client, names);
    expect(created).not.toContain('registrations');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: names.registrations }));
    expect(Table!.GlobalSecondaryIndexes!.map((index) => index.IndexName).sort()).toEqual(['byLocation', 'byStatus', 'byUser']);
    const found = await client.send(
      new QueryCommand({ TableName: names.registrations, IndexName: 'byUser', KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: 'u-1' } } }),
    );
    expect(found.Items?.map((item) => item.registrationId!.S)).toEqual(['r-1']);
    // A second start changes nothing.
    expect(await ensureTables(client, names)).toEqual([]);
  });
});
