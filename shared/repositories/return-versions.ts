import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { StoredReturn } from '#shared/model/schemas/return';
import { toStoredReturn } from '#shared/model/returns/return-item';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

// Readers of the version history only: the write path is repositories/return-writes.
const TABLES = { get returnVersions() { return tableName('returnVersions'); } };

/** The sort-key prefix every version of a day shares (`keys.versionKey`: `<date>#<6-digit version>`). */
export function dayVersionPrefix(reportDate: string): string {
  return keys.versionKey(reportDate, 0).replace(/[0-9]+$/, '');
}

/** Named access pattern "every version of a location's day, newest first", strongly consistent. */
export function dayVersionsRequest(locationId: string, reportDate: string, table = TABLES.returnVersions): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'locationId = :id AND begins_with(versionKey, :day)',
    ExpressionAttributeValues: { ':id': locationId, ':day': dayVersionPrefix(reportDate) },
    ScanIndexForward: false,
    ConsistentRead: true,
  };
}

/** How many versions a page of the "version before a day" Query reads; the first one nearly always answers. */
export const EARLIER_VERSION_PAGE = 10;

/**
 * Named access pattern "the latest return of an earlier day, as it stood at an instant": the versions of
 * days before `reportDate`, newest day and version first, leaving out those saved after `savedBy` (a
 * correction of an earlier day made later). Every sort key of an earlier day sorts before the day's own
 * prefix. A version can only be saved within the 7-day window of its day, so the versions left out are at
 * most about a week's: the walk ends within a page or two.
 */
export function earlierVersionRequest(locationId: string, reportDate: string, savedBy: string, table = TABLES.returnVersions): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'locationId = :id AND versionKey < :day',
    FilterExpression: 'submittedAt <= :at',
    ExpressionAttributeValues: { ':id': locationId, ':day': dayVersionPrefix(reportDate), ':at': savedBy },
    ScanIndexForward: false,
    Limit: EARLIER_VERSION_PAGE,
    ConsistentRead: true,
  };
}

/** Every stored version of a location's day, newest first (all pages). */
export async function getDayVersions(locationId: string, reportDate: string): Promise<StoredReturn[]> {
  const request = dayVersionsRequest(locationId, reportDate);
  const versions: StoredReturn[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...request, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    versions.push(...(page.Items ?? []).map(toStoredReturn));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return versions;
}

/** The latest return of a day before `reportDate` as it stood at `savedBy` (its newest version saved by then), if any. */
export async function getEarlierVersion(locationId: string, reportDate: string, savedBy: string): Promise<StoredReturn | undefined> {
  const request = earlierVersionRequest(locationId, reportDate, savedBy);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...request, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    const found = page.Items?.[0];
    if (found) return toStoredReturn(found);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}
