import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AreaRef } from '#shared/model/aggregates/areas';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

/** Read at first use (settings are never read when a module loads). */
const TABLE = () => tableName('locations');

/** The sparse index of active locations for an area's level, and its partition attribute. */
const ACTIVE_INDEX = {
  localAuthority: { indexName: 'activeByLocalAuthority', attribute: 'activeLocalAuthority' },
  region: { indexName: 'activeByRegion', attribute: 'activeRegion' },
  england: { indexName: 'activeByCountry', attribute: 'activeCountry' },
} as const;

/**
 * Named access pattern "active locations of an area (that reported since an instant)": a COUNT query on
 * the area's active index, whose sort key is when each location last reported.
 */
export function countActiveRequest(ref: AreaRef, since?: string, table = TABLE()): QueryCommandInput {
  const index = ACTIVE_INDEX[ref.level];
  return {
    TableName: table,
    IndexName: index.indexName,
    KeyConditionExpression: since ? '#area = :area AND freshness >= :since' : '#area = :area',
    ExpressionAttributeNames: { '#area': index.attribute },
    ExpressionAttributeValues: { ':area': ref.area, ...(since ? { ':since': since } : {}) },
    Select: 'COUNT',
  };
}

export async function countActive(ref: AreaRef, since?: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...countActiveRequest(ref, since), ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

export interface ActiveLocation {
  locationId: string;
  localAuthority: string;
  region: string;
  /** When it last reported, or keys.neverReported(). */
  freshness: string;
}

/** Every active location of an area, with its areas and freshness: completeness of many areas at once. */
export async function activeLocationsIn(ref: AreaRef): Promise<ActiveLocation[]> {
  const found: ActiveLocation[] = [];
  const { Select: _count, ...request } = countActiveRequest(ref);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...request, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    for (const item of page.Items ?? []) {
      found.push({
        locationId: String(item.locationId),
        localAuthority: String(item.localAuthority),
        region: String(item.region),
        freshness: String(item.freshness),
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}
