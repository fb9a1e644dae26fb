import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { returnItemOf, type ReturnItem } from '#shared/model/returns/return-item';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

const TABLE = () => tableName('returns');

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
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Every page of a day's returns in a place, a page at a time (an export streams them on). */
export async function* returnsOfDay(reportDate: string, placePrefix: string): AsyncGenerator<ReturnItem[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand(dayReturnsRequest(reportDate, placePrefix, startKey)));
    yield (page.Items ?? []).map(returnItemOf);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
