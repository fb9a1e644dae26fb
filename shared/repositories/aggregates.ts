import { GetCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { areaKeyOf, areasOf, type AreaRef, type Place } from '../aggregates/areas';
import { difference, isZero, METRICS, sum, zeroContribution, type Contribution } from '../aggregates/metrics';
import { keys } from '../keys';
import type { AreaLevel } from '../schemas/common';
import { dynamo } from '../runtime/dynamodb';
import { tableName } from '../runtime/config';
import { decodePageToken, encodePageToken, invalidPageToken } from './pagination';

const TABLES = { aggregates: tableName('aggregates'), ledger: tableName('aggregateLedger') };

/** What one location-day has added to the aggregates so far, and from which version of its return. */
export interface LedgerEntry extends Place {
  locationId: string;
  reportDate: string;
  appliedVersion: number;
  contribution: Contribution;
}

export async function getLedgerEntry(locationId: string, reportDate: string): Promise<LedgerEntry | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLES.ledger, Key: keys.ledger(locationId, reportDate), ConsistentRead: true }));
  return Item as LedgerEntry | undefined;
}

/**
 * The atomic step that keeps every aggregate equal to the sums of the stored returns: replace the
 * location-day's ledger entry (only if it is still the one we read) and move each affected area by the
 * difference between the new contribution and the one the ledger says was added before. A correction
 * moves totals by (new - old); a location that changed area leaves the old areas and joins the new.
 */
export function applyChangeRequest(
  previous: LedgerEntry | undefined,
  next: LedgerEntry,
  expectedLocations: (ref: AreaRef) => number,
  tables = TABLES,
): TransactWriteCommandInput {
  const deltas = new Map<string, { ref: AreaRef; region: string; delta: Contribution }>();
  const move = (place: Place, contribution: Contribution, sign: 1 | -1) => {
    for (const ref of areasOf(place)) {
      const entry = deltas.get(areaKeyOf(ref)) ?? { ref, region: place.region, delta: zeroContribution() };
      entry.delta = sign === 1 ? sum([entry.delta, contribution]) : difference(entry.delta, contribution);
      deltas.set(areaKeyOf(ref), entry);
    }
  };
  if (previous) move(previous, previous.contribution, -1);
  move(next, next.contribution, 1);

  const updates = [...deltas.values()]
    .filter(({ delta }) => !isZero(delta))
    .map(({ ref, region, delta }) => {
      const names: Record<string, string> = { '#level': 'level', '#area': 'area' };
      const values: Record<string, unknown> = {
        ':level': ref.level,
        ':area': ref.area,
        ':dateArea': keys.dateArea(next.reportDate, ref.area),
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
          Key: keys.aggregate(areaKeyOf(ref), next.reportDate),
          UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      };
    });

  return {
    TransactItems: [
      {
        Put: {
          TableName: tables.ledger,
          Item: next,
          ...(previous
            ? { ConditionExpression: 'appliedVersion = :seen', ExpressionAttributeValues: { ':seen': previous.appliedVersion } }
            : { ConditionExpression: 'attribute_not_exists(locationId)' }),
        },
      },
      ...updates,
    ],
  };
}

export async function applyChange(previous: LedgerEntry | undefined, next: LedgerEntry, expectedLocations: (ref: AreaRef) => number): Promise<void> {
  await dynamo.send(new TransactWriteCommand(applyChangeRequest(previous, next, expectedLocations)));
}

/** Named access pattern "one area's aggregates between two days", oldest first. */
export function areaAggregatesRequest(ref: AreaRef, from: string, to: string, limit: number, nextToken?: string, table = TABLES.aggregates): QueryCommandInput {
  const areaKey = areaKeyOf(ref);
  const startKey = decodePageToken(nextToken, ['areaKey', 'date']);
  if (startKey && startKey.areaKey !== areaKey) throw invalidPageToken();
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
  const page = await dynamo.send(new QueryCommand(request));
  return { items: (page.Items ?? []) as AggregateItem[], nextToken: encodePageToken(page.LastEvaluatedKey) };
}
