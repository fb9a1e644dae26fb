import { TransactWriteCommand, type BatchGetCommandInput, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { areaKeyOf, areasOf, type AreaRef, type Place } from '#shared/model/aggregates/areas';
import { difference, isZero, METRICS, sum, zeroContribution, type Contribution } from '#shared/model/aggregates/metrics';
import { keys } from '#shared/model/keys';
import { toStoredReturn, type ReturnItem } from '#shared/model/returns/return-item';
import type { LocationPlace } from '#shared/model/vacancies/entries';
import type { AreaLevel } from '#shared/model/schemas/common';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { decodePageToken, encodePageToken, invalidPageToken, requireStartKeyWithin } from '#shared/repositories/pagination';
import { queryPage } from '#shared/repositories/paged-query';
import { batchGetKeys, batchGetUntilDone } from '#shared/repositories/batch-get';

const TABLES = { get aggregates() { return tableName('aggregates'); }, get ledger() { return tableName('aggregateLedger'); } };
/** The other tables the aggregator reads a batch's state from and keeps each location's newest return in. */
const LOCATION_TABLES = { get locations() { return tableName('locations'); }, get vacancyIndex() { return tableName('vacancyIndex'); } };

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
 * distinct area-day the group touches (however many of its changes move it). Changes in order of place
 * share their council and region items: 100 returns of a morning over ~70 councils, 9 regions and
 * England are ~185 items, two transactions.
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
  const items = await batchGetKeys(TABLES.ledger, days.map((day) => keys.ledger(day.locationId, day.reportDate)), { ConsistentRead: true }, { pauseMs: 20 });
  return new Map((items as unknown as LedgerEntry[]).map((item) => [`${item.locationId}#${item.reportDate}`, item]));
}

// ---------------------------------------------------------------------------------------------------
// What the aggregator reads and writes a batch at a time, besides the aggregates: each location's
// directory entry (where it is, and the version of its latest-return copy) and its vacancy manifest.

/** One item of a transaction (DynamoDB's TransactWriteItem, with plain values). */
export type TransactionPart = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A location as the aggregator needs it: the version its latest-return copy holds, and where it is. */
export interface LocationForIndex {
  latest: { reportDate: string; version: number } | undefined;
  place: LocationPlace;
}

/** What a location's vacancy search entries were made from, and their keys (shared/repositories/vacancies.ts). */
export interface VacancyManifest {
  reportDate: string;
  version: number;
  entries: Array<{ searchKey: string; freshKey: string }>;
}

/** A batch's state, strongly consistent: ledger entries by `locationId#reportDate`, the rest by location. */
export interface BatchState {
  ledgers: Map<string, LedgerEntry>;
  /** Absent: the location is not in the directory. */
  locations: Map<string, LocationForIndex>;
  /** Absent: the location was never indexed. */
  manifests: Map<string, VacancyManifest>;
}

/** DynamoDB's limit on the keys of one BatchGetItem, whatever tables they are in. */
export const MAX_BATCH_GET_KEYS = 100;

type Wanted = { table: 'ledger' | 'locations' | 'manifests'; key: Record<string, unknown> };

const PLACE_ATTRIBUTES = ['address', 'postcode', 'phone', 'latitude', 'longitude'] as const;

/** What is read of each table: the whole ledger entry, a location's place and copy version, a manifest. */
function projections(): Record<Wanted['table'], { TableName: string; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }> {
  const names = (list: readonly string[]) => Object.fromEntries(list.map((name, index) => [`#p${index}`, name]));
  const location = ['locationId', ...PLACE_ATTRIBUTES, 'latestReturn', 'reportDate', 'version'];
  const manifest = ['searchKey', 'reportDate', 'version', 'entries'];
  return {
    ledger: { TableName: TABLES.ledger },
    locations: {
      TableName: LOCATION_TABLES.locations,
      // The copy's version only, not the copy (about 1 KB a location).
      ProjectionExpression: ['#p0', ...PLACE_ATTRIBUTES.map((_, index) => `#p${index + 1}`), '#p6.#p7', '#p6.#p8'].join(', '),
      ExpressionAttributeNames: names(location),
    },
    manifests: { TableName: LOCATION_TABLES.vacancyIndex, ProjectionExpression: '#p0, #p1, #p2, #p3', ExpressionAttributeNames: names(manifest) },
  };
}

/**
 * Named access pattern "a stream batch's state": BatchGetItem requests of at most 100 keys, each over
 * whichever of the three tables its keys are in, strongly consistent (a write conditional on what was read
 * must see what the last one wrote).
 */
export function batchStateRequests(
  days: ReadonlyArray<{ locationId: string; reportDate: string }>,
  locationIds: readonly string[],
  manifestIds: readonly string[] = locationIds,
): BatchGetCommandInput[] {
  // A BatchGetItem naming a key twice is refused: each once.
  const unique = <T,>(list: readonly T[], id: (value: T) => string) => [...new Map(list.map((value) => [id(value), value])).values()];
  const wanted: Wanted[] = [
    ...unique(days, (day) => `${day.locationId}#${day.reportDate}`).map((day) => ({ table: 'ledger' as const, key: keys.ledger(day.locationId, day.reportDate) })),
    ...unique(locationIds, String).map((locationId) => ({ table: 'locations' as const, key: keys.location(locationId) })),
    ...unique(manifestIds, String).map((locationId) => ({ table: 'manifests' as const, key: keys.vacancyManifest(locationId) })),
  ];
  const tables = projections();
  const requests: BatchGetCommandInput[] = [];
  for (let i = 0; i < wanted.length; i += MAX_BATCH_GET_KEYS) {
    const RequestItems: NonNullable<BatchGetCommandInput['RequestItems']> = {};
    for (const { table, key } of wanted.slice(i, i + MAX_BATCH_GET_KEYS)) {
      const { TableName, ...projection } = tables[table];
      const entry = (RequestItems[TableName] ??= { Keys: [], ConsistentRead: true, ...projection });
      entry.Keys!.push(key);
    }
    requests.push({ RequestItems });
  }
  return requests;
}

/**
 * The ledger entries of these location-days, and the directory entries and vacancy manifests of these
 * locations, in ⌈keys / 100⌉ BatchGetItem calls made side by side (a batch of 100 records of different
 * locations: 3 calls). Keys DynamoDB leaves unprocessed are asked for again after a pause.
 */
export async function readBatchState(
  days: ReadonlyArray<{ locationId: string; reportDate: string }>,
  locationIds: readonly string[],
  manifestIds: readonly string[] = locationIds,
): Promise<BatchState> {
  const state: BatchState = { ledgers: new Map(), locations: new Map(), manifests: new Map() };
  const tables = { ledger: TABLES.ledger, locations: LOCATION_TABLES.locations, manifests: LOCATION_TABLES.vacancyIndex };
  await Promise.all(
    batchStateRequests(days, locationIds, manifestIds).map(async (request) => {
      await batchGetUntilDone(
        request.RequestItems!,
        (table, items) => {
          if (table === tables.ledger) for (const item of items as unknown as LedgerEntry[]) state.ledgers.set(`${item.locationId}#${item.reportDate}`, item);
          if (table === tables.locations) for (const item of items) state.locations.set(String(item.locationId), locationForIndex(item));
          if (table === tables.manifests) {
            for (const item of items) {
              state.manifests.set(String(item.searchKey).slice('location#'.length), { reportDate: String(item.reportDate), version: Number(item.version), entries: (item.entries ?? []) as VacancyManifest['entries'] });
            }
          }
        },
        { pauseMs: 20 },
      );
    }),
  );
  return state;
}

function locationForIndex(item: Record<string, unknown>): LocationForIndex {
  const latest = item.latestReturn as { reportDate?: unknown; version?: unknown } | undefined;
  const text = (name: string) => (typeof item[name] === 'string' && item[name] ? { [name]: item[name] as string } : {});
  const number = (name: string) => (typeof item[name] === 'number' && Number.isFinite(item[name]) ? { [name]: item[name] as number } : {});
  return {
    latest: typeof latest?.reportDate === 'string' && typeof latest.version === 'number' ? { reportDate: latest.reportDate, version: latest.version } : undefined,
    place: { ...text('address'), ...text('postcode'), ...text('phone'), ...number('latitude'), ...number('longitude') },
  };
}

/**
 * A transaction part that makes a return its location's latest-return copy, only if the location is
 * there and its copy is older (an older day, or an older version of the same day): a late or repeated
 * record changes nothing, and a copy a return's own write keeps is never older than the record.
 */
export function latestReturnPart(item: ReturnItem, table = LOCATION_TABLES.locations): TransactionPart {
  return {
    Update: {
      TableName: table,
      Key: keys.location(item.locationId),
      UpdateExpression: 'SET latestReturn = :latest',
      ConditionExpression:
        'attribute_exists(locationId) AND (attribute_not_exists(latestReturn) OR latestReturn.reportDate < :date OR (latestReturn.reportDate = :date AND latestReturn.version < :version))',
      ExpressionAttributeValues: { ':latest': toStoredReturn(item), ':date': item.reportDate, ':version': item.version },
    },
  };
}

/** One transaction of parts the aggregator put together (at most 100 items). */
export async function writeParts(parts: TransactionPart[]): Promise<void> {
  await dynamo.send(new TransactWriteCommand({ TransactItems: parts }));
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
