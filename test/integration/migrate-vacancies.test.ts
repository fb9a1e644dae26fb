import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { keys } from '#shared/model/keys';
import { RETURN_COPIES_KEPT } from '#shared/model/returns/return-copies';
import { lonKeyOf, rowOf } from '#shared/model/vacancies/geo';
import { dynamo } from '#shared/runtime/dynamodb';
import { migrateVacancyEntries, oldLayoutLeft } from '#shared/services/vacancies/migrate-entries';
import { createLocation, designExample, today } from '../helpers/api';

const TABLE = () => process.env.VACANCY_INDEX_TABLE!;

describe('npm run migrate:vacancies', () => {
  test("a location indexed in the layout before issue 20 (an entry per category) is indexed again, one entry per area, and its old entries go; a second run changes nothing", async () => {
    const location = await createLocation({ localAuthority: 'E06000984', region: 'E12000009', latitude: 50.72, longitude: -3.53, address: '1 Old Layout Lane' });
    const submittedAt = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const latest = { ...designExample(), locationId: location.locationId, reportDate: today(), version: 1, submittedAt, submittedBy: 'old', warnings: [], schemaVersion: 1 };
    await dynamo.send(
      new UpdateCommand({ TableName: process.env.LOCATIONS_TABLE!, Key: keys.location(location.locationId), UpdateExpression: 'SET latestReturn = :latest, #kept = :kept', ExpressionAttributeNames: { '#kept': RETURN_COPIES_KEPT }, ExpressionAttributeValues: { ':latest': latest, ':kept': true } }),
    );
    // As the aggregator wrote them before: an entry per category in each area and row, and the manifest naming them.
    const fresh = `${submittedAt}#${location.locationId}`;
    const old = [
      { searchKey: 'E92000001#any', freshKey: fresh },
      { searchKey: 'E12000009#nursing', freshKey: fresh },
      { searchKey: 'E06000984#residential', freshKey: fresh },
      { searchKey: `near#any#${rowOf(50.72)}`, freshKey: `${lonKeyOf(-3.53)}#${location.locationId}` },
    ];
    for (const key of old) {
      await dynamo.send(new PutCommand({ TableName: TABLE(), Item: { ...key, locationId: location.locationId, name: location.name, category: key.searchKey.split('#')[1], total: 3, forMale: 2, forFemale: 3, lastUpdated: submittedAt } }));
    }
    await dynamo.send(new PutCommand({ TableName: TABLE(), Item: { ...keys.vacancyManifest(location.locationId), reportDate: latest.reportDate, version: 1, entries: old } }));
    expect(await oldLayoutLeft()).toBe(true);

    // Only this test's council: the tables are shared with every other test file.
    const first = await migrateVacancyEntries(undefined, 'E06000984');
    expect(first).toEqual({ locations: 1, reindexed: 1, unchanged: 0, withoutReturn: 0 });
    for (const key of old) expect((await dynamo.send(new GetCommand({ TableName: TABLE(), Key: key }))).Item, key.searchKey).toBeUndefined();
    const inArea = await dynamo.send(new QueryCommand({ TableName: TABLE(), KeyConditionExpression: 'searchKey = :key', ExpressionAttributeValues: { ':key': keys.vacancySearch('E06000984') } }));
    expect(inArea.Items?.map((item) => [item.locationId, item.byCategory?.nursing?.total, item.address])).toEqual([[location.locationId, 2, '1 Old Layout Lane']]);
    const manifest = (await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.vacancyManifest(location.locationId) }))).Item!;
    expect((manifest.entries as Array<{ searchKey: string }>).map((entry) => entry.searchKey).sort()).toEqual(
      ['area#E06000984', 'area#E12000009', 'area#E92000001', `near#${rowOf(50.72)}`].sort(),
    );
    expect(await oldLayoutLeft()).toBe(false);

    expect(await migrateVacancyEntries(undefined, 'E06000984')).toEqual({ locations: 1, reindexed: 0, unchanged: 1, withoutReturn: 0 });
    expect((await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.vacancyManifest(location.locationId) }))).Item).toEqual(manifest);
  });
});
