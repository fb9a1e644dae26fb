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

  test('a kept table loses the indexes no longer defined, and one whose projection changed is made again as defined', async () => {
    const names = localTableNames(`reindex${process.pid}${Date.now() % 100000}`);
    // The locations table as issue 20 found it: the listing indexes projecting ALL (byProvider too), and
    // one of the new listing indexes already there but projecting ALL, as an interrupted change could leave it.
    const current = createTableInput(tables.locations, names.locations);
    const legacy = createTableInput({ ...tables.locations, indexes: tables.locations.legacyIndexes }, names.locations).GlobalSecondaryIndexes!;
    const older = {
      ...current,
      AttributeDefinitions: [...current.AttributeDefinitions, { AttributeName: 'providerId', AttributeType: 'S' as const }],
      GlobalSecondaryIndexes: [
        ...legacy,
        ...current.GlobalSecondaryIndexes!.filter((index) => !index.IndexName.startsWith('listingBy')),
        { ...current.GlobalSecondaryIndexes!.find((index) => index.IndexName === 'listingByRegion')!, Projection: { ProjectionType: 'ALL' as const } },
      ],
    };
    await client.send(new CreateTableCommand(older));
    await client.send(
      new PutItemCommand({
        TableName: names.locations,
        Item: { locationId: { S: '1-101' }, providerId: { S: '1-201' }, localAuthority: { S: 'E08000004' }, region: { S: 'E12000002' }, country: { S: 'E92000001' }, listingKey: { S: 'careHome#1-101' }, name: { S: 'Kept House' } },
      }),
    );

    expect(await ensureTables(client, names)).not.toContain('locations');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: names.locations }));
    const indexes = new Map((Table!.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName!, index]));
    expect([...indexes.keys()].sort()).toEqual(tables.locations.indexes.map((index) => index.indexName).sort());
    for (const name of ['listingByLocalAuthority', 'listingByRegion', 'listingByCountry']) expect(indexes.get(name)!.Projection?.ProjectionType, name).toBe('KEYS_ONLY');
    const found = await client.send(
      new QueryCommand({ TableName: names.locations, IndexName: 'listingByRegion', KeyConditionExpression: '#r = :r', ExpressionAttributeNames: { '#r': 'region' }, ExpressionAttributeValues: { ':r': { S: 'E12000002' } } }),
    );
    // Keys only: the location's key and the index's.
    expect(found.Items).toEqual([{ locationId: { S: '1-101' }, region: { S: 'E12000002' }, listingKey: { S: 'careHome#1-101' } }]);
    expect(await ensureTables(client, names)).toEqual([]);
    const { Table: again } = await client.send(new DescribeTableCommand({ TableName: names.locations }));
    expect((again!.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual([...indexes.keys()].sort());
  });
});
