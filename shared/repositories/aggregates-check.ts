/**
 * What `npm run aggregates:rebuild` reads and writes besides the returns (returns-by-day.ts) and the
 * ledger (aggregates.ts): the aggregate items of a day, found by level and read strongly consistent by
 * key, and the conditional repair of one whose figures are not the sum of its ledger entries.
 */
import { QueryCommand, UpdateCommand, type QueryCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { areaKeyOf, type AreaRef } from '#shared/model/aggregates/areas';
import { METRICS, type Contribution } from '#shared/model/aggregates/metrics';
import { keys } from '#shared/model/keys';
import type { AreaLevel } from '#shared/model/schemas/common';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import type { AggregateItem } from '#shared/repositories/aggregates';
import { isConditionFailed } from '#shared/repositories/transactions';
import { batchGetKeys } from '#shared/repositories/batch-get';

const TABLE = () => tableName('aggregates');

/** An aggregate item's key as one string: `level#area|date`. */
export const aggregateItemKey = (ref: AreaRef, date: string) => `${areaKeyOf(ref)}|${date}`;

/**
 * Named access pattern "which areas of a level have an aggregate for a day": the byLevel index, keys and
 * place only (the figures are read by key, strongly consistent, with `getAggregateItems`).
 */
export function dayAggregateAreasRequest(level: AreaLevel, date: string, startKey?: Record<string, unknown>, table = TABLE()): QueryCommandInput {
  return {
    TableName: table,
    IndexName: 'byLevel',
    // '~' sorts after every area code, so the whole day is included.
    KeyConditionExpression: '#level = :level AND dateArea BETWEEN :from AND :to',
    ProjectionExpression: '#level, #area, #region',
    ExpressionAttributeNames: { '#level': 'level', '#area': 'area', '#region': 'region' },
    ExpressionAttributeValues: { ':level': level, ':from': `${date}#`, ':to': `${date}#~` },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** The areas of a level with an aggregate item for the day (a local authority with its region). */
export async function dayAggregateAreas(level: AreaLevel, date: string): Promise<Array<AreaRef & { region?: string }>> {
  const found: Array<AreaRef & { region?: string }> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand(dayAggregateAreasRequest(level, date, startKey)));
    for (const item of page.Items ?? []) {
      found.push({ level, area: String(item.area), ...(typeof item.region === 'string' ? { region: item.region } : {}) });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/**
 * The aggregate items of these area-days as they stand (strongly consistent), keyed `level#area|date`;
 * an area-day without an item is absent from the map.
 */
export async function getAggregateItems(areaDays: ReadonlyArray<{ ref: AreaRef; date: string }>): Promise<Map<string, AggregateItem>> {
  const items = await batchGetKeys(TABLE(), areaDays.map((day) => keys.aggregate(areaKeyOf(day.ref), day.date)), { ConsistentRead: true }, { pauseMs: 20 });
  return new Map((items as Array<AggregateItem & { areaKey: string }>).map((item) => [`${item.areaKey}|${item.date}`, item]));
}

export interface AggregateRepair {
  ref: AreaRef;
  date: string;
  /** The figures read (undefined: there was no item), which must still be there for the repair to be made. */
  seen: Partial<Contribution> | undefined;
  /** What the figures are to be: the sums of the area-day's ledger entries. */
  target: Contribution;
  /** For an item made anew: its locationsExpected (kept if the item has one). */
  expected: number;
  /** A local authority's region, which the item carries for region-wide reads. */
  region?: string;
}

/**
 * Set an aggregate item's figures to the sums of its ledger entries, only if it still holds exactly the
 * figures read (or, for a lost item, there is still none). Any aggregator transaction touching the item
 * meanwhile adds a non-zero difference to some figure, so the condition fails and nothing is written.
 */
export function repairAggregateRequest(repair: AggregateRepair, table = TABLE()): UpdateCommandInput {
  const names: Record<string, string> = { '#level': 'level', '#area': 'area' };
  const values: Record<string, unknown> = {
    ':level': repair.ref.level,
    ':area': repair.ref.area,
    ':dateArea': keys.dateArea(repair.date, repair.ref.area),
    ':expected': repair.expected,
  };
  const sets = ['#level = :level', '#area = :area', 'dateArea = :dateArea', 'locationsExpected = if_not_exists(locationsExpected, :expected)'];
  if (repair.ref.level === 'localAuthority' && repair.region) {
    sets.push('#region = :region');
    names['#region'] = 'region';
    values[':region'] = repair.region;
  }
  const conditions: string[] = [];
  if (repair.seen === undefined) conditions.push('attribute_not_exists(areaKey)');
  else {
    conditions.push('attribute_exists(areaKey)');
    values[':zero'] = 0;
  }
  METRICS.forEach((metric, index) => {
    names[`#m${index}`] = metric;
    values[`:t${index}`] = repair.target[metric];
    sets.push(`#m${index} = :t${index}`);
    if (repair.seen === undefined) return;
    const seen = repair.seen[metric] ?? 0;
    // A figure written before it existed reads as 0, as it does everywhere else.
    if (seen === 0) conditions.push(`(attribute_not_exists(#m${index}) OR #m${index} = :zero)`);
    else {
      values[`:s${index}`] = seen;
      conditions.push(`#m${index} = :s${index}`);
    }
  });
  return {
    TableName: table,
    Key: keys.aggregate(areaKeyOf(repair.ref), repair.date),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** True if repaired; false if the item changed since it was read (nothing written). */
export async function repairAggregate(repair: AggregateRepair): Promise<boolean> {
  try {
    await dynamo.send(new UpdateCommand(repairAggregateRequest(repair)));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
