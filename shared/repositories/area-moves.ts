/**
 * What moving a location to another area touches beyond its directory entry (the area migration): the
 * place its stored returns carry (which the vacancy index follows through the stream), what its ledger
 * says each day added where, and aggregate rows left empty in areas that are no longer areas.
 */
import { DeleteCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Place } from '#shared/model/aggregates/areas';
import { keys } from '#shared/model/keys';
import { returnItemOf, type ReturnItem } from '#shared/model/returns/return-item';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import type { LedgerEntry } from '#shared/repositories/aggregates';

/** Every item of a location's partition, page after page (consistent: the migration acts on what it reads). */
async function wholePartition(request: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...request, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Named access pattern "every day of a location" in a table keyed by locationId. */
export function locationPartitionRequest(table: string, locationId: string): QueryCommandInput {
  return { TableName: table, KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId } };
}

export async function returnItemsOfLocation(locationId: string): Promise<ReturnItem[]> {
  return (await wholePartition(locationPartitionRequest(tableName('returns'), locationId))).map(returnItemOf);
}

export async function ledgerOfLocation(locationId: string): Promise<LedgerEntry[]> {
  return (await wholePartition(locationPartitionRequest(tableName('aggregateLedger'), locationId))) as unknown as LedgerEntry[];
}

/**
 * Give a stored return its location's new place, if it is still the version read: false when another
 * write replaced it meanwhile (that write read the location's new place already, or a rerun moves it).
 */
export async function moveReturnPlace(item: ReturnItem, place: Place): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName('returns'),
        Key: keys.dailyReturn(item.locationId, item.reportDate),
        // The place key moves with it: exports find a day's returns by where their locations are.
        UpdateExpression: 'SET localAuthority = :authority, #region = :region, placeKey = :placeKey',
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: { '#region': 'region' },
        ExpressionAttributeValues: {
          ':authority': place.localAuthority,
          ':region': place.region,
          ':placeKey': keys.returnPlace(place.region, place.localAuthority, item.locationId),
          ':version': item.version,
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Named access pattern "every local-authority aggregate row" (the byLevel index, all dates). */
export function localAuthorityRowsRequest(startKey?: Record<string, unknown>): QueryCommandInput {
  return {
    TableName: tableName('aggregates'),
    IndexName: 'byLevel',
    KeyConditionExpression: '#level = :level',
    ExpressionAttributeNames: { '#level': 'level', '#date': 'date' },
    ExpressionAttributeValues: { ':level': 'localAuthority' },
    ProjectionExpression: 'areaKey, #date, area, locationsReporting',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * Delete the local-authority aggregate rows of areas that are no longer councils, once nothing is
 * counted in them (every location-day has been moved out): the number deleted, and of rows still
 * counting something (which a rerun moves and deletes).
 */
export async function deleteEmptyRowsOutside(isCouncil: (area: string) => boolean): Promise<{ deleted: number; stillCounting: number }> {
  let deleted = 0;
  let stillCounting = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand(localAuthorityRowsRequest(startKey)));
    for (const row of page.Items ?? []) {
      if (isCouncil(String(row.area))) continue;
      try {
        await dynamo.send(
          new DeleteCommand({
            TableName: tableName('aggregates'),
            Key: keys.aggregate(String(row.areaKey), String(row.date)),
            ConditionExpression: 'attribute_not_exists(locationsReporting) OR locationsReporting = :none',
            ExpressionAttributeValues: { ':none': 0 },
          }),
        );
        deleted += 1;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        stillCounting += 1;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { deleted, stillCounting };
}
