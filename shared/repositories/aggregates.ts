import { BatchGetCommand, TransactWriteCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { areaKeyOf, areasOf, type AreaRef, type Place } from '#shared/model/aggregates/areas';
import { difference, isZero, METRICS, sum, zeroContribution, type Contribution } from '#shared/model/aggregates/metrics';
import { keys } from '#shared/model/keys';
import type { AreaLevel } from '#shared/model/schemas/common';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { decodePageToken, encodePageToken, invalidPageToken, requireStartKeyWithin } from '#shared/repositories/pagination';
import { queryPage } from '#shared/repositories/paged-query';

const TABLES = { get aggregates() { return tableName('aggregates'); }, get ledger() { return tableName('aggregateLedger'); } };

/** What one location-day has added to the aggregates so far, and from which version of its return. */
export interface LedgerEntry extends Place {
  locationId: string;
  reportDate: string;
  appliedVersion: number;
  contribution: Contribution;
}


/** One location-day moving from what the ledger says it added (if anything) to its newest version. */
export interface LedgerChange {
  previous: LedgerEntry | undefined;
  next: LedgerEntry;
}

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

const areaDayKey = (ref: AreaRef, date: string) => `${areaKeyOf(ref)}|${date}`;

/** The aggregate items (area-days) a change touches: its old areas and its new ones. */
function areaDaysOf(change: LedgerChange): string[] {
  const places = change.previous ? [change.previous, change.next] : [change.next];
  return [...new Set(places.flatMap((place) => areasOf(place).map((ref) => areaDayKey(ref, change.next.reportDate))))];
}

/**
 * Split changes into groups that each fit one transaction: a ledger item per change plus one update per
 * distinct area-day the group touches. A batch of returns from one morning shares its region and
 * England items, so a group of ~25 location-days is typically ~40 items.
 */
export function planTransactions(changes: readonly LedgerChange[]): LedgerChange[][] {
  const groups: LedgerChange[][] = [];
  let group: LedgerChange[] = [];
  let areaDays = new Set<string>();
  for (const change of changes) {
    const touched = areaDaysOf(change);
    const wouldBe = new Set([...areaDays, ...touched]);
    if (group.length > 0 && group.length + 1 + wouldBe.size > MAX_TRANSACTION_ITEMS) {
      groups.push(group);
      group = [];
      areaDays = new Set(touched);
    } else {
      areaDays = wouldBe;
    }
    group.push(change);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * The atomic step that keeps every aggregate equal to the sums of the stored returns: replace each
 * location-day's ledger entry (only if it is still the one we read) and move each affected area-day by
 * the sum of the differences between new contributions and the ones the ledger says were added before.
 * A correction moves totals by (new - old); a location that changed area leaves the old areas and joins
 * the new.
 */
export function applyChangesRequest(
  changes: readonly LedgerChange[],
  expectedLocations: (ref: AreaRef) => number,
  tables = TABLES,
): TransactWriteCommandInput {
  const deltas = new Map<string, { ref: AreaRef; date: string; region: string; delta: Contribution }>();
  const move = (place: Place, date: string, contribution: Contribution, sign: 1 | -1) => {
    for (const ref of areasOf(place)) {
      const key = areaDayKey(ref, date);
      const entry = deltas.get(key) ?? { ref, date, region: place.region, delta: zeroContribution() };
      entry.delta = sign === 1 ? sum([entry.delta, contribution]) : difference(entry.delta, contribution);
      deltas.set(key, entry);
    }
  };
  for (const { previous, next } of changes) {
    if (previous) move(previous, previous.reportDate, previous.contribution, -1);
    move(next, next.reportDate, next.contribution, 1);
  }

  const updates = [...deltas.values()]
    .filter(({ delta }) => !isZero(delta))
    .map(({ ref, date, region, delta }) => {
      const names: Record<string, string> = { '#level': 'level', '#area': 'area' };
      const values: Record<string, unknown> = {
        ':level': ref.level,
        ':area': ref.area,
        ':dateArea': keys.dateArea(date, ref.area),
        ':expected': expectedLocations(ref),
      };
      const adds = METRICS.flatMap((metric, index) => {
        if (delta[metric] === 0) return [];
        names[`#m${index}`] = metric;
        values[`:m${index}`] = delta[metric];
        return [`#m${index} :m${index}`];
      });
      // `date` is in the key already; level and area are repeated for the byLevel index and for readers.
      const sets = ['#level = :level', '#area = :area', 'dateArea = :dateArea', 'locationsExpected = if_not_exists(locationsExpected, :expected)'];
      if (ref.level === 'localAuthority') {
        // Lets a commissioner's region-wide request keep the authorities inside it.
        sets.push('#region = :region');
        names['#region'] = 'region';
        values[':region'] = region;
      }
      return {
        Update: {
          TableName: tables.aggregates,
          Key: keys.aggregate(areaKeyOf(ref), date),
          UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      };
    });

  return {
    TransactItems: [
      ...changes.map(({ previous, next }) => ({
        Put: {
          TableName: tables.ledger,
          Item: next,
          ...(previous
            ? { ConditionExpression: 'appliedVersion = :seen', ExpressionAttributeValues: { ':seen': previous.appliedVersion } }
            : { ConditionExpression: 'attribute_not_exists(locationId)' }),
        },
      })),
      ...updates,
    ],
  };
}

export async function applyChanges(changes: readonly LedgerChange[], expectedLocations: (ref: AreaRef) => number): Promise<void> {
  await dynamo.send(new TransactWriteCommand(applyChangesRequest(changes, expectedLocations)));
}

/** The ledger entries of many location-days (strongly consistent), keyed `locationId#reportDate`. */
export async function getLedgerEntries(days: ReadonlyArray<{ locationId: string; reportDate: string }>): Promise<Map<string, LedgerEntry>> {
  const found = new Map<string, LedgerEntry>();
  for (let i = 0; i < days.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = days.slice(i, i + 100).map((day) => keys.ledger(day.locationId, day.reportDate));
    for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** Math.min(attempt, 6)));
      const result = await dynamo.send(new BatchGetCommand({ RequestItems: { [TABLES.ledger]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of (result.Responses?.[TABLES.ledger] ?? []) as LedgerEntry[]) found.set(`${item.locationId}#${item.reportDate}`, item);
      pending = result.UnprocessedKeys?.[TABLES.ledger]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return found;
}

/** Named access pattern "one area's aggregates between two days", oldest first. */
export function areaAggregatesRequest(ref: AreaRef, from: string, to: string, limit: number, nextToken?: string, table = TABLES.aggregates): QueryCommandInput {
  const areaKey = areaKeyOf(ref);
  const startKey = decodePageToken(nextToken, ['areaKey', 'date']);
  if (startKey && startKey.areaKey !== areaKey) throw invalidPageToken();
  requireStartKeyWithin(startKey, 'date', { from, to });
  return {
    TableName: table,
    KeyConditionExpression: 'areaKey = :areaKey AND #date BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#date': 'date' },
    ExpressionAttributeValues: { ':areaKey': areaKey, ':from': from, ':to': to },
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Named access pattern "every area of a level between two days", by day then area. */
export function levelAggregatesRequest(level: AreaLevel, from: string, to: string, limit: number, nextToken?: string, table = TABLES.aggregates): QueryCommandInput {
  const startKey = decodePageToken(nextToken, ['areaKey', 'date', 'level', 'dateArea']);
  if (startKey && startKey.level !== level) throw invalidPageToken();
  requireStartKeyWithin(startKey, 'dateArea', { from: `${from}#`, to: `${to}#~` });
  return {
    TableName: table,
    IndexName: 'byLevel',
    KeyConditionExpression: '#level = :level AND dateArea BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#level': 'level' },
    // '~' sorts after every area code, so the last day is included whole.
    ExpressionAttributeValues: { ':level': level, ':from': `${from}#`, ':to': `${to}#~` },
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export type AggregateItem = { level: AreaLevel; area: string; date: string; locationsExpected?: number; region?: string } & Partial<Contribution>;

export async function queryAggregates(request: QueryCommandInput): Promise<{ items: AggregateItem[]; nextToken: string | null }> {
  const page = await queryPage(request);
  return { items: (page.Items ?? []) as AggregateItem[], nextToken: encodePageToken(page.LastEvaluatedKey) };
}
