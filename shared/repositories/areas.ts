import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { lookupsFromAreas, type Area, type OnsLookups } from '#shared/model/directory/ons';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { batchPut } from '#shared/repositories/batch-write';

const TABLE = () => tableName('areas');
export const AREA_LEVELS = ['localAuthority', 'region', 'district'] as const satisfies ReadonlyArray<Area['level']>;

/** Named access pattern "every area of a level, by code". */
export function areasOfLevelRequest(level: Area['level'], startKey?: Record<string, unknown>, table = TABLE()): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: '#level = :level',
    ExpressionAttributeNames: { '#level': 'level' },
    ExpressionAttributeValues: { ':level': level },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Every area of a level (a few hundred at most: a page or two). */
export async function listAreas(level: Area['level']): Promise<Area[]> {
  const areas: Area[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand(areasOfLevelRequest(level, startKey)));
    for (const item of page.Items ?? []) {
      areas.push({ level, code: String(item.code), name: String(item.name), ...(item.parent ? { parent: String(item.parent) } : {}) });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return areas;
}

/** Upsert areas (the CQC import writes ONS's, and the demo seed its own). */
export async function putAreas(areas: readonly Area[]): Promise<void> {
  await batchPut(TABLE(), areas.map((area) => ({ ...area, ...keys.area(area.level, area.code) })));
}

/** The lookups that place CQC records, from the stored areas. Empty when no import has written them yet. */
export async function storedAreaLookups(): Promise<{ lookups: OnsLookups; count: number }> {
  const areas = (await Promise.all(AREA_LEVELS.map((level) => listAreas(level)))).flat();
  return { lookups: lookupsFromAreas(areas), count: areas.length };
}
