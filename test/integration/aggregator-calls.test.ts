import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { randomReturn } from '#scripts/load/bodies';
import { lambdaContext } from '#scripts/local/lambda-context';
import { returnStreamRecord } from '#scripts/local/stream/records';
import { ensureTables, exportTableNames, localTableNames } from '#scripts/local/local-tables';
import { compareAggregates, recomputeAggregates } from '#scripts/oracle/recompute';
import { seededRandom } from '#scripts/seed/demo-data';
import type { Contribution } from '#shared/model/aggregates/metrics';
import type { ReturnItem } from '#shared/model/returns/return-item';
import type { Location } from '#shared/model/schemas/location';
import type { StoredReturn } from '#shared/model/schemas/return';
import { scanAll } from '../helpers/scan';

/**
 * The aggregator's DynamoDB calls per batch (issue 20: at batch size 100, ≤ 0.2 calls per record for the
 * aggregates, and nothing per record at all): the real handler, given Lambda-shaped stream events, on
 * DynamoDB Local, every call counted by a middleware on the handlers' shared client
 * (`shared/runtime/dynamodb.ts`) as it is sent. Tables of its own, so the aggregates it checks are its own.
 */
const prefix = `aggcalls${process.pid}${Date.now() % 100000}`;
const tables = localTableNames(prefix);
const savedEnv = { ...process.env };
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });

type Handler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
let handler: Handler;
let sdkClient: DynamoDBClient;
let toReturnItem: typeof import('#shared/model/returns/return-item').toReturnItem;

/** 120 locations over 80 councils in the 9 regions: a batch of 100 of them touches ~60 councils. */
const COUNCILS = 80;
const LOCATIONS: Location[] = Array.from({ length: 120 }, (_, index) => ({
  locationId: `1-6${String(index).padStart(8, '0')}`,
  providerId: '1-600000000',
  name: `Calls House ${index}`,
  type: index % 10 === 9 ? ('hospice' as const) : ('careHome' as const),
  categories: index % 10 === 9 ? ['inpatient' as const] : ['residential' as const, 'nursing' as const],
  registeredBeds: 40,
  localAuthority: `E10${String(9000 + ((index * 7) % COUNCILS)).padStart(6, '0')}`,
  region: `E1200000${1 + (((index * 7) % COUNCILS) % 9)}`,
  active: true,
  lastUpdated: null,
  address: `${index} Calls Road`,
  postcode: 'OL8 1AA',
  latitude: 53.5 + index / 1000,
  longitude: -2.1 + index / 1000,
}));
// Days of this file alone, so every aggregate of them is this file's.
const YESTERDAY = '2011-03-01';
const TODAY = '2011-03-02';

interface Call {
  command: string;
  input: Record<string, any>;
}
let calls: Call[] = [];
let failTransaction: ((input: Record<string, any>) => boolean) | undefined;
const COUNTER = 'aggregator-calls-test';

beforeAll(async () => {
  exportTableNames(tables);
  await ensureTables(client, tables);
  const { putLocations } = await import('#shared/repositories/locations');
  ({ toReturnItem } = await import('#shared/model/returns/return-item'));
  ({ handler } = (await import('#functions/aggregator')) as unknown as { handler: Handler });
  ({ dynamoClient: sdkClient } = await import('#shared/runtime/dynamodb'));
  await putLocations(LOCATIONS);
  // Every call the handlers' client sends (once, whatever the SDK's retries), and a fault when a test asks.
  sdkClient.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      calls.push({ command: String(context.commandName).replace(/Command$/, ''), input });
      if (context.commandName === 'TransactWriteItemsCommand' && failTransaction?.(input)) throw Object.assign(new Error('injected by the test'), { name: 'InternalServerError' });
      return next(args);
    },
    { step: 'initialize', name: COUNTER },
  );
}, 60_000);

afterEach(() => {
  failTransaction = undefined;
});

afterAll(async () => {
  sdkClient?.middlewareStack.remove(COUNTER);
  process.env = savedEnv;
  client.destroy();
});

let sequence = 5_000_000;
const recordOf = (item: ReturnItem, previous?: ReturnItem): DynamoDBRecord => returnStreamRecord(item, previous, { sequence: (sequence += 1), table: tables.returns });

function returnOf(location: Location, reportDate: string, version: number): ReturnItem {
  const stored = {
    ...randomReturn(location, seededRandom(Number(location.locationId.slice(2)) * 10 + version + (reportDate === TODAY ? 5 : 0))),
    locationId: location.locationId,
    reportDate,
    version,
    submittedAt: `${reportDate}T0${version}:00:00Z`,
    submittedBy: 'test',
    warnings: [],
    schemaVersion: 1,
  } as StoredReturn;
  return toReturnItem(stored, { localAuthority: location.localAuthority, region: location.region, name: location.name, type: location.type });
}

/** Every item fed so far, for the recomputation. */
const fed: ReturnItem[] = [];
async function deliver(records: DynamoDBRecord[]): Promise<{ response: DynamoDBBatchResponse; calls: Call[] }> {
  calls = [];
  const response = await handler({ Records: records }, lambdaContext('aggregator', 60_000));
  const made = calls;
  calls = [];
  return { response: response ?? { batchItemFailures: [] }, calls: made };
}

async function expectExact(): Promise<void> {
  const newest = new Map<string, ReturnItem>();
  for (const item of fed) {
    const key = `${item.locationId}#${item.reportDate}`;
    if ((newest.get(key)?.version ?? 0) < item.version) newest.set(key, item);
  }
  const actual = new Map((await scanAll(client, tables.aggregates)).map((item) => [`${item.areaKey}|${item.date}`, item as Partial<Contribution>]));
  expect(compareAggregates(recomputeAggregates(newest.values()), actual)).toEqual([]);
}

const itemsOf = (call: Call) => (call.input.TransactItems ?? []) as Array<Record<string, { TableName: string; Item?: Record<string, any> }>>;
const tableOf = (part: Record<string, { TableName: string }>) => Object.values(part)[0]!.TableName;
const touchesAggregates = (call: Call) => itemsOf(call).some((part) => [tables.aggregates, tables.aggregateLedger].includes(tableOf(part)));
/** An item as plain values, whether the middleware saw it before or after the document client marshalled it. */
const plain = (item: Record<string, any>) => (typeof item.searchKey?.S === 'string' || typeof item.locationId?.S === 'string' ? unmarshall(item) : item);
/** The location-days whose ledger entries a transaction puts. */
const ledgerDays = (call: Call) =>
  itemsOf(call).flatMap((part) => {
    if (part.Put?.TableName !== tables.aggregateLedger) return [];
    const item = plain(part.Put.Item!);
    return [`${item.locationId}#${item.reportDate}`];
  });

describe('the aggregator at batch size 100', () => {
  test('a morning batch: its state in 3 BatchGetItem calls, then transactions of up to 100 items; nothing read or written per record', async () => {
    // Yesterday, for the same locations: each has a ledger entry, a latest-return copy and search entries
    // to replace, and the container has counted each area's active locations (once every few minutes).
    const yesterday = LOCATIONS.slice(0, 100).map((location) => returnOf(location, YESTERDAY, 1));
    fed.push(...yesterday);
    expect((await deliver(yesterday.map((item) => recordOf(item)))).response.batchItemFailures).toEqual([]);

    // This morning: 90 first returns, and 10 of them corrected in the same batch.
    const first = LOCATIONS.slice(0, 90).map((location) => returnOf(location, TODAY, 1));
    const corrections = LOCATIONS.slice(0, 10).map((location, index) => ({ item: returnOf(location, TODAY, 2), previous: first[index]! }));
    const records = [...first.map((item) => recordOf(item)), ...corrections.map(({ item, previous }) => recordOf(item, previous))];
    fed.push(...first, ...corrections.map(({ item }) => item));
    expect(records).toHaveLength(100);

    const { response, calls: made } = await deliver(records);
    expect(response.batchItemFailures).toEqual([]);
    const byCommand: Record<string, Call[]> = {};
    for (const call of made) (byCommand[call.command] ??= []).push(call);
    // 90 ledger keys, 90 locations, 90 manifests: 270 keys, 100 a call.
    expect(byCommand.BatchGetItem).toHaveLength(3);
    expect(Object.keys(byCommand).sort()).toEqual(['BatchGetItem', 'TransactWriteItems']);
    const transactions = byCommand.TransactWriteItems!;
    for (const call of transactions) expect(itemsOf(call).length).toBeLessThanOrEqual(100);
    // The aggregates: a ledger put per location-day and an update per area-day (~60 councils, 9 regions,
    // England), in as few transactions as 100 items allow, plus at most one for how they split.
    const aggregateTransactions = transactions.filter(touchesAggregates);
    const aggregateItems = aggregateTransactions.reduce((sum, call) => sum + itemsOf(call).length, 0);
    expect(aggregateTransactions.length).toBeLessThanOrEqual(Math.ceil(aggregateItems / 100) + 1);
    expect(aggregateTransactions.flatMap(ledgerDays).sort()).toEqual(first.map((item) => `${item.locationId}#${TODAY}`).sort());
    // Each location's copy and search entries: packed, several locations a transaction, none of them
    // split, and no two transactions both half empty (or they would have been one).
    const locationTransactions = transactions.filter((call) => !touchesAggregates(call));
    const locationItems = locationTransactions.reduce((sum, call) => sum + itemsOf(call).length, 0);
    expect(locationTransactions.filter((call) => itemsOf(call).length <= 50).length).toBeLessThanOrEqual(1);
    expect(locationTransactions.length).toBeLessThanOrEqual(Math.ceil(locationItems / 90) + 1);
    // The aggregates' own calls (the state read, their transactions) per record: the issue's 0.2 with room to spare.
    expect((byCommand.BatchGetItem!.length + aggregateTransactions.length) / records.length).toBeLessThanOrEqual(0.06);
    // All told, a call per ~4 records or fewer, where the vacancy entries (about 8 items a location) take most.
    expect(made.length / records.length).toBeLessThan(0.35);
    await expectExact();
  });

  test('the same batch again (a redelivery): the state is read, and nothing is written', async () => {
    const again = fed.filter((item) => item.reportDate === TODAY).map((item) => recordOf(item));
    const { response, calls: made } = await deliver(again);
    expect(response.batchItemFailures).toEqual([]);
    expect(made.map((call) => call.command)).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
    await expectExact();
  });

  test('a transaction that fails fails just the records of its location-days; delivered again from the first of them, the aggregates are exact', async () => {
    const locations = LOCATIONS.slice(20, 120);
    const items = locations.map((location) => returnOf(location, TODAY, 3));
    const records = items.map((item) => recordOf(item));
    fed.push(...items);
    const victim = `${items[40]!.locationId}#${TODAY}`;
    let failedDays: string[] = [];
    failTransaction = (input) => {
      const days = ledgerDays({ command: 'TransactWriteItems', input });
      if (!days.includes(victim)) return false;
      failedDays = days;
      return true;
    };
    const { response } = await deliver(records);
    // The failed group's records are reported, and no other.
    const reported = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const inFailedGroup = records.filter((_, index) => failedDays.includes(`${items[index]!.locationId}#${TODAY}`)).map((record) => record.dynamodb!.SequenceNumber!);
    expect(failedDays.length).toBeGreaterThan(0);
    expect([...reported].sort()).toEqual(inFailedGroup.sort());
    // The rest is applied (their ledgers moved to version 3): what failed is not yet.
    await expect(expectExact()).rejects.toThrow();

    // As the event source mapping does: the lowest failed sequence number and every record after it, again.
    failTransaction = undefined;
    const lowest = records.findIndex((record) => reported.has(record.dynamodb!.SequenceNumber!));
    const redelivery = await deliver(records.slice(lowest));
    expect(redelivery.response.batchItemFailures).toEqual([]);
    await expectExact();
  });

  test('a location whose search entries could not be written is reported failed by its newest record; again, it is indexed', async () => {
    const location = LOCATIONS[5]!;
    const items = [returnOf(location, TODAY, 4), returnOf(LOCATIONS[6]!, TODAY, 4)];
    fed.push(...items);
    const manifestKey = `location#${location.locationId}`;
    failTransaction = (input) =>
      (input.TransactItems as Array<Record<string, { TableName: string; Item?: Record<string, any> }>>).some(
        (part) => part.Put?.TableName === tables.vacancyIndex && plain(part.Put.Item!).searchKey === manifestKey,
      );
    // Beside them, a late record of a version already superseded: nothing to do for it, so it succeeds.
    const late = fed.find((item) => item.locationId === LOCATIONS[50]!.locationId && item.reportDate === TODAY && item.version === 1)!;
    const records = [...items.map((item) => recordOf(item)), recordOf(late)];
    const { response } = await deliver(records);
    const reported = response.batchItemFailures.map((failure) => failure.itemIdentifier);
    expect(reported).toContain(records[0]!.dynamodb!.SequenceNumber);
    expect(reported).not.toContain(records[2]!.dynamodb!.SequenceNumber);
    // The aggregates moved all the same (they are transactions of their own).
    await expectExact();
    failTransaction = undefined;
    const again = await deliver(records);
    expect(again.response.batchItemFailures).toEqual([]);
    const manifest = (await scanAll(client, tables.vacancyIndex)).find((item) => item.searchKey === manifestKey);
    expect(manifest).toMatchObject({ reportDate: TODAY, version: 4 });
    await expectExact();
  });
});
