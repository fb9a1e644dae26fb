import { describe, expect, test } from 'vitest';
import { listLocationsRequest } from '#shared/repositories/locations';
import { encodePageToken } from '#shared/repositories/pagination';
import { writeLocationReturnsRequest, writeReturnRequest, WRITE_PART } from '#shared/repositories/return-writes';
import { dayAndPreviousRequest, daysAndPreviousRequest, latestReturnRequest, returnHistoryRequest } from '#shared/repositories/returns';
import { nearRangeRequest, searchVacanciesRequest } from '#shared/repositories/vacancies';
import { RETURN_SCHEMA_VERSION, type StoredReturn } from '#shared/model/schemas/return';
import { tables as tableDefinitions } from '#shared/model/tables';
import { designExample, expectProblem } from './fixtures';

describe('listLocationsRequest', () => {
  test('a local authority is queried on listingByLocalAuthority', () => {
    const request = listLocationsRequest({ area: 'E08000004', limit: 50 }, 'locations-table');
    expect(request).toEqual({
      TableName: 'locations-table',
      IndexName: 'listingByLocalAuthority',
      KeyConditionExpression: '#area = :area',
      ExpressionAttributeNames: { '#area': 'localAuthority' },
      ExpressionAttributeValues: { ':area': 'E08000004' },
      Limit: 50,
    });
  });

  test('a region is queried on listingByRegion', () => {
    const request = listLocationsRequest({ area: 'E12000002', limit: 10 }, 't');
    expect(request.IndexName).toBe('listingByRegion');
    expect(request.ExpressionAttributeNames).toEqual({ '#area': 'region' });
    expect(request.ExpressionAttributeValues).toEqual({ ':area': 'E12000002' });
    expect(request.Limit).toBe(10);
  });

  test('no area lists all of England on listingByCountry', () => {
    const request = listLocationsRequest({ limit: 50 }, 't');
    expect(request.IndexName).toBe('listingByCountry');
    expect(request.ExpressionAttributeNames).toEqual({ '#area': 'country' });
    expect(request.ExpressionAttributeValues).toEqual({ ':area': 'E92000001' });
  });

  test('the England code lists on listingByCountry too', () => {
    const request = listLocationsRequest({ area: 'E92000001', limit: 50 }, 't');
    expect(request.IndexName).toBe('listingByCountry');
    expect(request.ExpressionAttributeValues).toEqual({ ':area': 'E92000001' });
  });

  test('a type narrows the sort key with begins_with on its listing prefix', () => {
    const request = listLocationsRequest({ area: 'E08000004', type: 'careHome', limit: 50 }, 't');
    expect(request.KeyConditionExpression).toBe('#area = :area AND begins_with(listingKey, :prefix)');
    expect(request.ExpressionAttributeValues).toEqual({ ':area': 'E08000004', ':prefix': 'careHome#' });
    expect(request.FilterExpression).toBeUndefined();
  });

  test('a type with no area narrows the England listing', () => {
    const request = listLocationsRequest({ type: 'hospice', limit: 50 }, 't');
    expect(request.IndexName).toBe('listingByCountry');
    expect(request.ExpressionAttributeValues).toEqual({ ':area': 'E92000001', ':prefix': 'hospice#' });
  });

  test('the next page starts after the key the previous page ended on', () => {
    const lastKey = { locationId: '1-109570155', localAuthority: 'E08000004', listingKey: 'careHome#1-109570155' };
    const request = listLocationsRequest({ area: 'E08000004', limit: 50, nextToken: encodePageToken(lastKey)! }, 't');
    expect(request.ExclusiveStartKey).toEqual(lastKey);
  });

  test("a token from another index's listing is a 400", () => {
    const regionKey = { locationId: '1-109570155', region: 'E12000002', listingKey: 'careHome#1-109570155' };
    const problem = expectProblem(() => listLocationsRequest({ area: 'E08000004', limit: 50, nextToken: encodePageToken(regionKey)! }, 't'));
    expect(problem.errors?.[0]?.path).toBe('query.nextToken');
  });

  test('without a table argument it queries the table named by LOCATIONS_TABLE', () => {
    expect(process.env.LOCATIONS_TABLE).toBeTruthy();
    expect(listLocationsRequest({ limit: 1 }).TableName).toBe(process.env.LOCATIONS_TABLE);
  });
});

describe('latestReturnRequest', () => {
  test('the newest return of a location: newest first, one item', () => {
    expect(latestReturnRequest('1-109570155', {}, 'returns-table')).toEqual({
      TableName: 'returns-table',
      KeyConditionExpression: 'locationId = :id',
      ExpressionAttributeValues: { ':id': '1-109570155' },
      ScanIndexForward: false,
      Limit: 1,
    });
  });

  test('on or before a day includes that day', () => {
    const request = latestReturnRequest('1-109570155', { onOrBefore: '2026-11-22' }, 't');
    expect(request.KeyConditionExpression).toBe('locationId = :id AND reportDate <= :bound');
    expect(request.ExpressionAttributeValues).toEqual({ ':id': '1-109570155', ':bound': '2026-11-22' });
    expect(request.ScanIndexForward).toBe(false);
    expect(request.Limit).toBe(1);
  });

  test('before a day excludes that day (the previous return)', () => {
    const request = latestReturnRequest('1-109570155', { before: '2026-11-22' }, 't');
    expect(request.KeyConditionExpression).toBe('locationId = :id AND reportDate < :bound');
    expect(request.ExpressionAttributeValues).toEqual({ ':id': '1-109570155', ':bound': '2026-11-22' });
  });

  test('without a table argument it queries the table named by RETURNS_TABLE', () => {
    expect(latestReturnRequest('1-109570155').TableName).toBe(process.env.RETURNS_TABLE);
  });
});

describe('returnHistoryRequest', () => {
  const locationId = '1-109570155';

  test('from and to give a BETWEEN on the day, newest first', () => {
    const request = returnHistoryRequest({ locationId, from: '2026-11-01', to: '2026-11-22', limit: 31 }, 't');
    expect(request).toEqual({
      TableName: 't',
      KeyConditionExpression: 'locationId = :id AND reportDate BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':id': locationId, ':from': '2026-11-01', ':to': '2026-11-22' },
      ScanIndexForward: false,
      Limit: 31,
    });
  });

  test('only from gives >=', () => {
    const request = returnHistoryRequest({ locationId, from: '2026-11-01', limit: 31 }, 't');
    expect(request.KeyConditionExpression).toBe('locationId = :id AND reportDate >= :from');
    expect(request.ExpressionAttributeValues).toEqual({ ':id': locationId, ':from': '2026-11-01' });
    expect(request.ScanIndexForward).toBe(false);
  });

  test('only to gives <=', () => {
    const request = returnHistoryRequest({ locationId, to: '2026-11-22', limit: 31 }, 't');
    expect(request.KeyConditionExpression).toBe('locationId = :id AND reportDate <= :to');
    expect(request.ExpressionAttributeValues).toEqual({ ':id': locationId, ':to': '2026-11-22' });
  });

  test('neither gives the whole history, newest first', () => {
    const request = returnHistoryRequest({ locationId, limit: 5 }, 't');
    expect(request.KeyConditionExpression).toBe('locationId = :id');
    expect(request.ExpressionAttributeValues).toEqual({ ':id': locationId });
    expect(request.ScanIndexForward).toBe(false);
    expect(request.Limit).toBe(5);
    expect(request.ExclusiveStartKey).toBeUndefined();
  });

  test("a token from this location's history continues it", () => {
    const lastKey = { locationId, reportDate: '2026-11-10' };
    const request = returnHistoryRequest({ locationId, limit: 31, nextToken: encodePageToken(lastKey)! }, 't');
    expect(request.ExclusiveStartKey).toEqual(lastKey);
  });

  test("a token from another location's history is a 400", () => {
    const otherKey = { locationId: '1-123456789', reportDate: '2026-11-10' };
    const problem = expectProblem(() => returnHistoryRequest({ locationId, limit: 31, nextToken: encodePageToken(otherKey)! }, 't'));
    expect(problem.errors?.[0]?.path).toBe('query.nextToken');
  });

  test('a token whose day lies outside from..to is a 400, not a query DynamoDB refuses', () => {
    for (const reportDate of ['2026-10-31', '2026-12-01', '~']) {
      const token = encodePageToken({ locationId, reportDate })!;
      const problem = expectProblem(() => returnHistoryRequest({ locationId, from: '2026-11-01', to: '2026-11-30', limit: 31, nextToken: token }, 't'));
      expect(problem.errors?.[0]?.path).toBe('query.nextToken');
    }
    const inside = encodePageToken({ locationId, reportDate: '2026-11-30' })!;
    expect(returnHistoryRequest({ locationId, from: '2026-11-01', to: '2026-11-30', limit: 31, nextToken: inside }, 't').ExclusiveStartKey).toEqual({ locationId, reportDate: '2026-11-30' });
  });
});

describe('writeReturnRequest', () => {
  const tables = { returns: 'returns-t', returnVersions: 'versions-t', locations: 'locations-t' };
  const place = { localAuthority: 'E08000004', region: 'E12000002' };
  const firstWrite = { newestReportDate: undefined, recorded: false };
  const sameDay = { newestReportDate: '2026-11-22', recorded: true };
  const stored = (version: number): StoredReturn => ({
    ...designExample(),
    locationId: '1-109570155',
    reportDate: '2026-11-22',
    version,
    submittedAt: '2026-11-22T08:14:03Z',
    submittedBy: 'user-1',
    warnings: [],
    schemaVersion: RETURN_SCHEMA_VERSION,
  });

  test('the parts are the current return, the version record and the location, in that order', () => {
    const items = writeReturnRequest(stored(1), place, undefined, firstWrite, tables).TransactItems!;
    expect(items).toHaveLength(3);
    expect(items[WRITE_PART.currentReturn]?.Put?.TableName).toBe('returns-t');
    expect(items[WRITE_PART.version]?.Put?.TableName).toBe('versions-t');
    expect(items[WRITE_PART.location]?.Update?.TableName).toBe('locations-t');
  });

  test('version 1 is written only if no return exists yet for that day, carrying where its location is', () => {
    const put = writeReturnRequest(stored(1), place, undefined, firstWrite, tables).TransactItems![WRITE_PART.currentReturn]!.Put!;
    expect(put.Item).toEqual({ ...stored(1), ...place, placeKey: `${place.region}#${place.localAuthority}#${stored(1).locationId}` });
    expect(put.ConditionExpression).toBe('attribute_not_exists(locationId)');
    expect(put.ExpressionAttributeValues).toBeUndefined();
  });

  test('a correction is written only over the version it replaces', () => {
    const put = writeReturnRequest(stored(3), place, 2, sameDay, tables).TransactItems![WRITE_PART.currentReturn]!.Put!;
    expect(put.Item).toMatchObject({ version: 3 });
    expect(put.ConditionExpression).toBe('version = :replaces');
    expect(put.ExpressionAttributeValues).toEqual({ ':replaces': 2 });
  });

  test('the version record is keyed date#00000N and never overwrites', () => {
    const first = writeReturnRequest(stored(1), place, undefined, firstWrite, tables).TransactItems![WRITE_PART.version]!.Put!;
    expect(first.Item).toEqual({ ...stored(1), versionKey: '2026-11-22#000001' });
    expect(first.ConditionExpression).toBe('attribute_not_exists(locationId)');

    const third = writeReturnRequest(stored(3), place, 2, sameDay, tables).TransactItems![WRITE_PART.version]!.Put!;
    expect(third.Item).toMatchObject({ locationId: '1-109570155', versionKey: '2026-11-22#000003', version: 3 });
    expect(third.ConditionExpression).toBe('attribute_not_exists(locationId)');
  });

  test('a version record is only ever put, on condition that no item has its key: never updated, deleted or overwritten', () => {
    // The condition names the table's partition key, which every item of it has: "no item with this key".
    expect(tableDefinitions.returnVersions.partitionKey.name).toBe('locationId');
    for (const [version, replaces, guard] of [[1, undefined, firstWrite], [3, 2, sameDay]] as const) {
      const items = writeReturnRequest(stored(version), place, replaces, guard, tables).TransactItems!;
      const onVersions = items.filter((item) => Object.values(item).some((part) => part?.TableName === 'versions-t'));
      expect(onVersions.map((item) => Object.keys(item))).toEqual([['Put']]);
      expect(onVersions[0]!.Put!.ConditionExpression).toBe(`attribute_not_exists(${tableDefinitions.returnVersions.partitionKey.name})`);
      expect(onVersions[0]!.Put!.ExpressionAttributeValues).toBeUndefined();
    }
  });

  test("the newest report date moves the location's lastUpdated and freshness to submittedAt, and counts the write", () => {
    const update = writeReturnRequest(stored(1), place, undefined, firstWrite, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(update.Key).toEqual({ locationId: '1-109570155' });
    expect(update.UpdateExpression).toBe('SET lastUpdated = :at, freshness = :at, newestReportDate = :date ADD returnWrites :writes');
    expect(update.ConditionExpression).toBe('attribute_exists(locationId) AND attribute_not_exists(newestReportDate)');
    expect(update.ExpressionAttributeValues).toEqual({ ':at': '2026-11-22T08:14:03Z', ':date': '2026-11-22', ':writes': 1 });
    const later = writeReturnRequest(stored(3), place, 2, sameDay, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(later.ConditionExpression).toBe('attribute_exists(locationId) AND newestReportDate <= :date');
  });

  test('correcting an older day is not an update: freshness stays, and the write fails if that day became the newest meanwhile', () => {
    const update = writeReturnRequest(stored(2), place, 1, { newestReportDate: '2026-11-25', recorded: true }, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(update.UpdateExpression).toBe('ADD returnWrites :writes');
    expect(update.ConditionExpression).toBe('attribute_exists(locationId) AND newestReportDate > :date');
    expect(update.ExpressionAttributeValues).toEqual({ ':date': '2026-11-22', ':writes': 1 });
  });

  test('an item from before newestReportDate was kept learns it from what the writer looked up', () => {
    const older = writeReturnRequest(stored(2), place, 1, { newestReportDate: '2026-11-25', recorded: false }, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(older.UpdateExpression).toBe('SET newestReportDate = :newest ADD returnWrites :writes');
    expect(older.ConditionExpression).toBe('attribute_exists(locationId) AND attribute_not_exists(newestReportDate)');
    expect(older.ExpressionAttributeValues).toEqual({ ':newest': '2026-11-25', ':writes': 1 });
  });

  test('a confirm is written only if no return of the location was written since it read the location', () => {
    const never = writeReturnRequest(stored(1), place, undefined, { ...firstWrite, returnWrites: 0 }, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(never.ConditionExpression).toBe('attribute_exists(locationId) AND attribute_not_exists(newestReportDate) AND attribute_not_exists(returnWrites)');
    const seen = writeReturnRequest(stored(3), place, 2, { ...sameDay, returnWrites: 7 }, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(seen.ConditionExpression).toBe('attribute_exists(locationId) AND newestReportDate <= :date AND returnWrites = :seenWrites');
    expect(seen.ExpressionAttributeValues).toMatchObject({ ':seenWrites': 7 });
  });

  test('by default it writes the tables named by the environment', () => {
    const items = writeReturnRequest(stored(1), place, undefined, firstWrite).TransactItems!;
    expect(items[WRITE_PART.currentReturn]?.Put?.TableName).toBe(process.env.RETURNS_TABLE);
    expect(items[WRITE_PART.version]?.Put?.TableName).toBe(process.env.RETURN_VERSIONS_TABLE);
    expect(items[WRITE_PART.location]?.Update?.TableName).toBe(process.env.LOCATIONS_TABLE);
  });
  test('with the copies it read, the location keeps its two newest returns, guarded by the write count', () => {
    const yesterday = { ...stored(1), reportDate: '2026-11-21' };
    const update = writeReturnRequest(stored(1), place, undefined, { ...sameDay, newestReportDate: '2026-11-21', returnWrites: 4, copies: { latest: yesterday } }, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(update.UpdateExpression).toMatch(/SET .*latestReturn = :latest, returnCopiesKept = :kept, priorReturn = :prior/);
    expect(update.ExpressionAttributeValues).toMatchObject({ ':latest': stored(1), ':kept': true, ':prior': { reportDate: '2026-11-21', version: 1, beds: yesterday.beds }, ':seenWrites': 4 });
    expect(update.ConditionExpression).toContain('returnWrites = :seenWrites');
    // The only return there is: no prior one is kept.
    const first = writeReturnRequest(stored(1), place, undefined, { ...firstWrite, returnWrites: 0, copies: {} }, tables).TransactItems![WRITE_PART.location]!.Update!;
    expect(first.UpdateExpression).toMatch(/REMOVE priorReturn /);
    expect(first.ConditionExpression).toContain('attribute_not_exists(returnWrites)');
    // Copies kept without the count that guards them would let two writers leave the wrong ones.
    expect(() => writeReturnRequest(stored(1), place, undefined, { ...firstWrite, copies: {} }, tables)).toThrow(/write count/);
  });
});

describe('writeLocationReturnsRequest', () => {
  const tables = { returns: 'returns-t', returnVersions: 'versions-t', locations: 'locations-t' };
  const place = { localAuthority: 'E08000004', region: 'E12000002', name: 'Beech House', type: 'careHome' as const };
  const stored = (reportDate: string, version: number): StoredReturn => ({
    ...designExample(),
    locationId: '1-109570155',
    reportDate,
    version,
    submittedAt: '2026-11-22T08:14:03Z',
    submittedBy: 'user-1',
    warnings: [],
    schemaVersion: RETURN_SCHEMA_VERSION,
  });
  // An upload's rows for one location, in its order: a correction of the 20th, then a first 22nd and 18th.
  const writes = [
    { stored: stored('2026-11-20', 2), replacesVersion: 1 },
    { stored: stored('2026-11-22', 1), replacesVersion: undefined },
    { stored: stored('2026-11-18', 1), replacesVersion: undefined },
  ];
  const recorded = { newestReportDate: '2026-11-21', recorded: true };

  test("each day's current return and version record in the rows' order, as a PUT writes them, then the location once, last", () => {
    const items = writeLocationReturnsRequest(writes, place, recorded, tables).TransactItems!;
    expect(items).toHaveLength(2 * writes.length + 1);
    for (const [day, write] of writes.entries()) {
      const single = writeReturnRequest(write.stored, place, write.replacesVersion, recorded, tables).TransactItems!;
      expect(items[2 * day]).toEqual(single[WRITE_PART.currentReturn]);
      expect(items[2 * day + 1]).toEqual(single[WRITE_PART.version]);
    }
    expect(items.slice(0, -1).map((item) => [item.Put?.TableName, item.Put?.Item?.reportDate, item.Put?.ConditionExpression])).toEqual([
      ['returns-t', '2026-11-20', 'version = :replaces'],
      ['versions-t', '2026-11-20', 'attribute_not_exists(locationId)'],
      ['returns-t', '2026-11-22', 'attribute_not_exists(locationId)'],
      ['versions-t', '2026-11-22', 'attribute_not_exists(locationId)'],
      ['returns-t', '2026-11-18', 'attribute_not_exists(locationId)'],
      ['versions-t', '2026-11-18', 'attribute_not_exists(locationId)'],
    ]);
    expect(items[1]!.Put!.Item).toMatchObject({ versionKey: '2026-11-20#000002' });
    expect(items[0]!.Put!.Item).toMatchObject({ localAuthority: 'E08000004', region: 'E12000002', locationName: 'Beech House', locationType: 'careHome' });
    expect(items.filter((item) => item.Update)).toHaveLength(1);
  });

  test('the location moves to the newest day if it is on or after the newest report date, and its write count by the number of days', () => {
    const update = writeLocationReturnsRequest(writes, place, recorded, tables).TransactItems!.at(-1)!.Update!;
    expect(update.TableName).toBe('locations-t');
    expect(update.Key).toEqual({ locationId: '1-109570155' });
    expect(update.UpdateExpression).toBe('SET lastUpdated = :at, freshness = :at, newestReportDate = :date ADD returnWrites :writes');
    expect(update.ConditionExpression).toBe('attribute_exists(locationId) AND newestReportDate <= :date');
    expect(update.ExpressionAttributeValues).toEqual({ ':at': '2026-11-22T08:14:03Z', ':date': '2026-11-22', ':writes': 3 });
  });

  test('days all older than the newest report date leave freshness alone and fail if the newest of them became the newest meanwhile', () => {
    const older = writes.filter(({ stored: { reportDate } }) => reportDate < '2026-11-21');
    const update = writeLocationReturnsRequest(older, place, recorded, tables).TransactItems!.at(-1)!.Update!;
    expect(update.UpdateExpression).toBe('ADD returnWrites :writes');
    expect(update.ConditionExpression).toBe('attribute_exists(locationId) AND newestReportDate > :date');
    expect(update.ExpressionAttributeValues).toEqual({ ':date': '2026-11-20', ':writes': 2 });
  });

  test('a location that has no newest report date recorded yet: the first write, or an old item learning it', () => {
    const first = writeLocationReturnsRequest(writes, place, { newestReportDate: undefined, recorded: false }, tables).TransactItems!.at(-1)!.Update!;
    expect(first.UpdateExpression).toBe('SET lastUpdated = :at, freshness = :at, newestReportDate = :date ADD returnWrites :writes');
    expect(first.ConditionExpression).toBe('attribute_exists(locationId) AND attribute_not_exists(newestReportDate)');
    expect(first.ExpressionAttributeValues).toEqual({ ':at': '2026-11-22T08:14:03Z', ':date': '2026-11-22', ':writes': 3 });
    const learns = writeLocationReturnsRequest(writes.slice(0, 1), place, { newestReportDate: '2026-11-21', recorded: false }, tables).TransactItems!.at(-1)!.Update!;
    expect(learns.UpdateExpression).toBe('SET newestReportDate = :newest ADD returnWrites :writes');
    expect(learns.ExpressionAttributeValues).toEqual({ ':newest': '2026-11-21', ':writes': 1 });
  });

  test("a full window of 8 days is 17 items; one day is exactly writeReturnRequest's; no days, or two locations, is a mistake", () => {
    const week = Array.from({ length: 8 }, (_, day) => ({ stored: stored(`2026-11-${String(15 + day).padStart(2, '0')}`, 1), replacesVersion: undefined }));
    expect(writeLocationReturnsRequest(week, place, recorded, tables).TransactItems).toHaveLength(17);
    expect(writeLocationReturnsRequest(writes.slice(0, 1), place, recorded, tables)).toEqual(writeReturnRequest(writes[0]!.stored, place, 1, recorded, tables));
    expect(() => writeLocationReturnsRequest([], place, recorded, tables)).toThrow();
    expect(() => writeLocationReturnsRequest([writes[0]!, { stored: { ...stored('2026-11-22', 1), locationId: '1-000000001' }, replacesVersion: undefined }], place, recorded, tables)).toThrow();
  });
});

describe('daysAndPreviousRequest', () => {
  test('newest first from the last day, consistent, enough for every day back to the day before the first', () => {
    expect(daysAndPreviousRequest('1-109570155', '2026-11-15', '2026-11-22', 'returns-t')).toEqual({
      TableName: 'returns-t',
      KeyConditionExpression: 'locationId = :id AND reportDate <= :day',
      ExpressionAttributeValues: { ':id': '1-109570155', ':day': '2026-11-22' },
      ScanIndexForward: false,
      Limit: 9,
      ConsistentRead: true,
    });
    // Across a month's end, and one day: the day and the one before it.
    expect(daysAndPreviousRequest('1-109570155', '2026-10-30', '2026-11-02', 'returns-t').Limit).toBe(5);
    expect(dayAndPreviousRequest('1-109570155', '2026-11-22', 'returns-t')).toEqual({ ...daysAndPreviousRequest('1-109570155', '2026-11-22', '2026-11-22', 'returns-t'), Limit: 2 });
    expect(() => daysAndPreviousRequest('1-109570155', '2026-11-22', '2026-11-15', 'returns-t')).toThrow();
  });
});

describe('searchVacanciesRequest', () => {
  const search = { area: 'E12000002', category: 'nursing', admittingOnly: false, updatedSince: '2026-11-20T08:00:00Z', limit: 50 };
  test('a token of this search continues it; one older than the window asked for is a 400 (it was a 500)', () => {
    const fresh = { searchKey: 'area#E12000002', freshKey: '2026-11-22T08:00:00Z#1-109570155' };
    expect(searchVacanciesRequest({ ...search, nextToken: encodePageToken(fresh)! }, 't').ExclusiveStartKey).toEqual(fresh);
    for (const freshKey of ['2026-11-19T08:00:00Z#1-109570155', '$where', ' ']) {
      const problem = expectProblem(() => searchVacanciesRequest({ ...search, nextToken: encodePageToken({ searchKey: 'area#E12000002', freshKey })! }, 't'));
      expect(problem.errors?.[0]?.path).toBe('query.nextToken');
    }
    // A token of the layout before issue 20 (a partition per category) is not this search's.
    expect(expectProblem(() => searchVacanciesRequest({ ...search, nextToken: encodePageToken({ ...fresh, searchKey: 'E12000002#nursing' })! }, 't')).errors?.[0]?.path).toBe('query.nextToken');
  });

  test("the area's partition, every category in it: a category keeps the entries that have it, the sex its counts; a filtered page reads more", () => {
    expect(searchVacanciesRequest({ ...search, category: 'any' }, 't')).toEqual({
      TableName: 't',
      KeyConditionExpression: 'searchKey = :key AND freshKey >= :since',
      ExpressionAttributeValues: { ':key': 'area#E12000002', ':since': '2026-11-20T08:00:00Z' },
      ScanIndexForward: false,
      Limit: 50,
    });
    expect(searchVacanciesRequest(search, 't')).toMatchObject({
      FilterExpression: 'attribute_exists(#byCategory.#category)',
      ExpressionAttributeNames: { '#byCategory': 'byCategory', '#category': 'nursing' },
      Limit: 200,
    });
    expect(searchVacanciesRequest({ ...search, sex: 'female', admittingOnly: true }, 't')).toMatchObject({
      FilterExpression: '#byCategory.#category.forFemale > :none AND admissionsStatus = :open',
      ExpressionAttributeValues: { ':key': 'area#E12000002', ':since': '2026-11-20T08:00:00Z', ':none': 0, ':open': 'open' },
    });
  });
});

describe('nearRangeRequest', () => {
  test("one latitude row's longitude range in the row's partition; the category, the freshness and every filter on the entries, the commissioner's areas as a list", () => {
    const request = nearRangeRequest(
      { row: 2676, from: '1778838', to: '1779612#~' },
      { category: 'nursing', sex: 'male', admittingOnly: true, type: 'careHome', updatedSince: '2026-11-30T00:00:00Z', areas: ['E08000004', 'E12000002'] },
      { searchKey: 'near#2676', freshKey: '1779000#1-101' },
      't',
    );
    expect(request).toEqual({
      TableName: 't',
      KeyConditionExpression: 'searchKey = :key AND freshKey BETWEEN :from AND :to',
      FilterExpression: '#byCategory.#category.forMale > :none AND admissionsStatus = :open AND #type = :type AND lastUpdated >= :since AND (localAuthority IN (:area0, :area1) OR #region IN (:area0, :area1))',
      ExpressionAttributeNames: { '#byCategory': 'byCategory', '#category': 'nursing', '#type': 'type', '#region': 'region' },
      ExpressionAttributeValues: {
        ':key': 'near#2676',
        ':from': '1778838',
        ':to': '1779612#~',
        ':none': 0,
        ':open': 'open',
        ':type': 'careHome',
        ':since': '2026-11-30T00:00:00Z',
        ':area0': 'E08000004',
        ':area1': 'E12000002',
      },
      ExclusiveStartKey: { searchKey: 'near#2676', freshKey: '1779000#1-101' },
    });
  });
});
