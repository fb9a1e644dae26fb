import { ScanCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { returnItemOf, type ReturnItem } from '#shared/model/returns/return-item';
import { queryPages } from '#shared/repositories/paged-query';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

const TABLE = () => tableName('returns');

export const DAY_PAGE_LIMIT = 1000;

/**
 * Named access pattern "a day's returns in a place": the byDay index, whose sort key is
 * region#localAuthority#locationId, so England is the whole day, a region or an authority a prefix
 * (`keys.returnPlacePrefix`). Sorted by place, then location.
 */
export function dayReturnsRequest(reportDate: string, placePrefix: string, startKey?: Record<string, unknown>, table = TABLE()): QueryCommandInput {
  return {
    TableName: table,
    IndexName: 'byDay',
    KeyConditionExpression: placePrefix ? 'reportDate = :day AND begins_with(placeKey, :prefix)' : 'reportDate = :day',
    ExpressionAttributeValues: { ':day': reportDate, ...(placePrefix ? { ':prefix': placePrefix } : {}) },
    // About 1 MB of returns, where DynamoDB would end a page anyway; without it DynamoDB Local reads the
    // rest of the day for every page (npm run bench, section jobs).
    Limit: DAY_PAGE_LIMIT,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Every page of a day's returns in a place, a page at a time (an export streams them on). */
export async function* returnsOfDay(reportDate: string, placePrefix: string): AsyncGenerator<ReturnItem[]> {
  for await (const page of queryPages(dayReturnsRequest(reportDate, placePrefix))) yield page.map(returnItemOf);
}

/**
 * Named access pattern "returns stored before the byDay index existed": a Scan for items without a
 * placeKey (a one-off migration, `npm run migrate:returns`), a page at a time, keys and place only.
 */
export function returnsWithoutPlaceRequest(startKey?: Record<string, unknown>, table = TABLE()) {
  return {
    TableName: table,
    FilterExpression: 'attribute_not_exists(placeKey)',
    ProjectionExpression: 'locationId, reportDate, localAuthority, #region',
    ExpressionAttributeNames: { '#region': 'region' },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function scanReturnsWithoutPlace(startKey?: Record<string, unknown>): Promise<{ items: Array<{ locationId: string; reportDate: string; localAuthority: string; region: string }>; scanned: number; next?: Record<string, unknown> }> {
  const page = await dynamo.send(new ScanCommand(returnsWithoutPlaceRequest(startKey)));
  return {
    items: (page.Items ?? []) as Array<{ locationId: string; reportDate: string; localAuthority: string; region: string }>,
    scanned: page.ScannedCount ?? 0,
    ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}),
  };
}

/** Gives a return its placeKey, unless it has one by now (a write since carries its own). */
export async function setReturnPlace(item: { locationId: string; reportDate: string; localAuthority: string; region: string }): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: keys.dailyReturn(item.locationId, item.reportDate),
        UpdateExpression: 'SET placeKey = :placeKey',
        ConditionExpression: 'attribute_exists(locationId) AND attribute_not_exists(placeKey)',
        ExpressionAttributeValues: { ':placeKey': keys.returnPlace(item.region, item.localAuthority, item.locationId) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
