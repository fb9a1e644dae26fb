import { readFileSync } from 'node:fs';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { ReturnItem } from '#shared/model/returns/return-item';
import type { StoredReturn } from '#shared/model/schemas/return';
import type { Location } from '#shared/model/schemas/location';
import type { TableId } from '#shared/model/tables';
import { randomReturn } from '../load/bodies';
import { tablesOf } from '../local/fault-rules';
import { lambdaContext } from '../local/lambda-context';
import { returnStreamRecord } from '../local/stream/records';
import { ensureTables, localTableNames } from '../local/local-tables';
import { seededRandom } from '../seed/demo-data';
import { progress, type BenchEnvironment } from './environment';
import { TICKS_PER_SECOND } from './memory';
import { cell, loadAverage, parseProcStat, summarise, verdict, type Summary } from './stats';

/** Issue 20's target: DynamoDB calls per stream record at batch size 100. */
export const AGGREGATOR_TARGET = { callsPerRecord: 0.2 } as const;

const BATCH_SIZE = 100;
const COUNCILS = 150;
const REGIONS = 9;
/** One in ten of a day's first returns is corrected later the same morning (a second version). */
const CORRECTED_SHARE = 0.1;

export interface CallCounts {
  total: number;
  /** By operation: GetItem, BatchGetItem, Query, UpdateItem, TransactWriteItems, … */
  byOperation: Record<string, number>;
  /** By the table a call touched (a transaction or batch over several counts once for each). */
  byTable: Record<string, number>;
  /** Items written in transactions and single writes. */
  itemsWritten: number;
  /**
   * By what the call is for: `state` (reads of ledger entries, locations, manifests), `aggregates`
   * (writes of ledger entries and aggregates), `locations` (writes of latest-return copies and vacancy
   * entries), `counts` (each area's active locations, for locationsExpected).
   */
  byPart: Record<string, number>;
}

export interface AggregatorRow {
  label: string;
  kind: 'ours' | 'baseline' | 'cold';
  batches: number;
  records: number;
  calls: CallCounts;
  callsPerRecord: number;
  itemsWrittenPerRecord: number;
  /** CPU of this process (the handler, or the bare loop, and the SDK) per record. */
  nodeCpuMsPerRecord: number;
  /** CPU of DynamoDB Local (java) per record, from /proc: clock ticks summed over the batches. */
  dynamodbLocalCpuMsPerRecord: number;
  batchMs: Summary;
  target?: number;
  verdict?: 'meets' | 'misses';
  /** Records the handler reported failed (none expected: nothing here fails). */
  failedRecords?: number;
}

export interface AggregatorResults {
  target: typeof AGGREGATOR_TARGET;
  locations: number;
  councils: number;
  regions: number;
  batchSize: number;
  measuredLocations: number;
  corrections: number;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  rows: AggregatorRow[];
  /** The aggregates of both days against straight sums of the newest version of each location-day fed. */
  exact: { areaDays: number; mismatches: number };
  /** Bare requests that failed (none expected: the twin held what the handler's tables held). */
  bareFailed: number;
}

type Command = { constructor: new (input: unknown) => unknown; input: Record<string, unknown> };
interface Captured {
  command: Command;
}

const OPERATIONS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactWriteCommand: 'TransactWriteItems',
  TransactGetCommand: 'TransactGetItems',
};

function itemsWrittenBy(name: string, input: Record<string, unknown>): number {
  if (Array.isArray(input.TransactItems)) return input.TransactItems.length;
  if (name === 'PutCommand' || name === 'UpdateCommand' || name === 'DeleteCommand') return 1;
  if (name === 'BatchWriteCommand') return Object.values(input.RequestItems as Record<string, unknown[]>).reduce((sum, requests) => sum + requests.length, 0);
  return 0;
}

function countCalls(captured: readonly Captured[], tableIdOf: ReadonlyMap<string, string>): CallCounts {
  const counts: CallCounts = { total: 0, byOperation: {}, byTable: {}, itemsWritten: 0, byPart: {} };
  for (const { command } of captured) {
    const table = tablesOf(command.input);
    const name = command.constructor.name;
    const operation = OPERATIONS[name] ?? name.replace(/Command$/, '');
    counts.total += 1;
    counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
    for (const physical of table) {
      const id = tableIdOf.get(physical) ?? physical;
      counts.byTable[id] = (counts.byTable[id] ?? 0) + 1;
    }
    counts.itemsWritten += itemsWrittenBy(name, command.input);
    const ids = table.map((physical) => tableIdOf.get(physical) ?? physical);
    const part =
      operation === 'Query' ? 'counts' : !itemsWrittenBy(name, command.input) ? 'state' : ids.some((id) => id === 'aggregates' || id === 'aggregateLedger') ? 'aggregates' : 'locations';
    counts.byPart[part] = (counts.byPart[part] ?? 0) + 1;
  }
  return counts;
}

function addCounts(into: CallCounts, more: CallCounts): void {
  into.total += more.total;
  into.itemsWritten += more.itemsWritten;
  for (const [key, value] of Object.entries(more.byPart)) into.byPart[key] = (into.byPart[key] ?? 0) + value;
  for (const [key, value] of Object.entries(more.byOperation)) into.byOperation[key] = (into.byOperation[key] ?? 0) + value;
  for (const [key, value] of Object.entries(more.byTable)) into.byTable[key] = (into.byTable[key] ?? 0) + value;
}

/** The same request on other tables: every table name in it mapped through `names`. */
function onTables(input: Record<string, unknown>, names: ReadonlyMap<string, string>): Record<string, unknown> {
  const copy = structuredClone(input);
  const rename = (name: unknown) => (typeof name === 'string' ? names.get(name) ?? name : name);
  if (typeof copy.TableName === 'string') copy.TableName = rename(copy.TableName);
  if (Array.isArray(copy.TransactItems)) {
    for (const item of copy.TransactItems as Array<Record<string, { TableName?: string }>>) {
      for (const part of Object.values(item)) if (part?.TableName) part.TableName = rename(part.TableName) as string;
    }
  }
  if (copy.RequestItems && typeof copy.RequestItems === 'object') {
    copy.RequestItems = Object.fromEntries(Object.entries(copy.RequestItems as Record<string, unknown>).map(([name, value]) => [rename(name), value]));
  }
  return copy;
}

/** 150 councils (E06/E08/E09/E10 codes), each in one of the 9 regions. */
function councilOf(index: number): { localAuthority: string; region: string } {
  const council = index % COUNCILS;
  const prefix = ['E06', 'E08', 'E09', 'E10'][council % 4]!;
  return { localAuthority: `${prefix}000${String(300 + council).padStart(3, '0')}`, region: `E1200000${1 + (council % REGIONS)}` };
}

const benchLocationId = (index: number) => `1-8${String(index).padStart(8, '0')}`;

function benchLocation(index: number): Location & { contactEmail?: string } {
  const hospice = index % 10 === 9;
  const random = seededRandom(index + 1);
  return {
    locationId: benchLocationId(index),
    providerId: `1-8${String(Math.floor(index / 4)).padStart(8, '0')}`,
    name: `Bench Aggregator ${hospice ? 'Hospice' : 'Home'} ${index}`,
    type: hospice ? 'hospice' : 'careHome',
    categories: hospice ? ['inpatient'] : ['residential', 'nursing'],
    registeredBeds: 40,
    ...councilOf(index),
    active: true,
    lastUpdated: null,
    address: `${index} Bench Street, Benchtown`,
    postcode: 'OL8 1AA',
    phone: '0161 000 0000',
    // England, roughly: 50.5–54.5 N, 3 W–0.5 E.
    latitude: Math.round((50.5 + random() * 4) * 1e5) / 1e5,
    longitude: Math.round((-3 + random() * 3.5) * 1e5) / 1e5,
  };
}

interface Fed {
  item: ReturnItem;
  previous: ReturnItem | undefined;
}

/**
 * The aggregator at batch size 100, as Lambda calls it with a DynamoDB stream (issue 20: DynamoDB calls
 * per record ≤ 0.2). 30,000 locations over 150 councils in the 9 regions, one morning's returns of a
 * random share of them (a tenth corrected later the same morning) as stream records in batches of 100,
 * through the real handler (BatchProcessor and all) in this process, on DynamoDB Local. Each location
 * first reports yesterday (fed unmeasured, as the warm-up of a container: it also counts each area's
 * active locations, which a container does once every 5 minutes; reported as the cold row).
 *
 * The baseline is measured batch by batch in the same run: the very requests the handler sent for the
 * batch, sent again one after another by a bare loop over the same SDK client, to a twin set of tables
 * that held exactly what the handler's tables held before the batch (the same locations, and the same
 * warm-up through the handler), so every condition holds again and every read finds the same items: the
 * same number of bare BatchGetItem, TransactWriteItems and other calls, without the handler.
 */
export async function benchAggregator(
  environment: BenchEnvironment,
  options: {
    locations?: number;
    batches?: number;
    /** Another build of the handler, measured the same way (an earlier version, for a before-and-after); default the real one. */
    handler?: (event: DynamoDBStreamEvent, context: unknown) => Promise<DynamoDBBatchResponse | void>;
  } = {},
): Promise<AggregatorResults> {
  const totalLocations = options.locations ?? 30_000;
  const batches = options.batches ?? 20;
  const start = loadAverage();
  const random = seededRandom(20);

  const { putLocations } = await import('#shared/repositories/locations');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const { toReturnItem } = await import('#shared/model/returns/return-item');
  const { RETURN_SCHEMA_VERSION } = await import('#shared/model/schemas/return');
  const { addDays, londonDay } = await import('#shared/model/returns/report-date');
  const { recomputeAggregates, aggregateKey } = await import('../oracle/recompute');
  const { METRICS } = await import('#shared/model/aggregates/metrics');
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { tables: tableDefinitions } = await import('#shared/model/tables');
  const { runWithEnvironment } = await import('#shared/runtime/settings');
  const handler = options.handler ?? ((await import('#functions/aggregator')) as { handler: (event: DynamoDBStreamEvent, context: unknown) => Promise<DynamoDBBatchResponse> }).handler;

  const client = new DynamoDBClient({ endpoint: environment.dynamodbEndpoint });
  const ours = localTableNames('bench-aggregator');
  const twin = localTableNames('bench-aggregator-twin');
  await ensureTables(client, ours);
  await ensureTables(client, twin);
  const tableIdOf = new Map<string, string>([...Object.entries(ours), ...Object.entries(twin)].map(([id, name]) => [name, id]));
  const toTwin = new Map(Object.keys(ours).map((id) => [ours[id as TableId], twin[id as TableId]]));
  // Table names are read once per environment (shared/runtime/settings.ts): each set of tables has its own,
  // as the local stack gives each function its own.
  const environmentOf = (names: Record<TableId, string>) => ({
    ...process.env,
    ...Object.fromEntries((Object.keys(names) as TableId[]).map((id) => [tableDefinitions[id].envVar, names[id]])),
  });
  const onOurs = environmentOf(ours);
  const onTwin = environmentOf(twin);
  const within = <T>(environment: Record<string, string | undefined>, run: () => Promise<T>) => runWithEnvironment('aggregator', environment, run);

  // Every call through the handlers' shared document client is recorded while a batch runs.
  let capturing: Captured[] | undefined;
  const sendable = dynamo as unknown as { send: (command: unknown, options?: unknown) => Promise<unknown> };
  const originalSend = sendable.send;
  const boundSend = originalSend.bind(dynamo) as (command: unknown) => Promise<unknown>;
  sendable.send = async (command: unknown, sendOptions?: unknown) => {
    const typed = command as Command;
    // Kept as sent (the document client does not change a command's input); copied only when replayed.
    capturing?.push({ command: typed });
    return originalSend.call(dynamo, command, sendOptions);
  };

  const javaTicks = () => {
    try {
      return parseProcStat(readFileSync(`/proc/${environment.dynamodbPid}/stat`, 'utf8'))?.cpuTicks ?? Number.NaN;
    } catch {
      return Number.NaN;
    }
  };

  try {
    // The directory: every location in ours; the twin needs only those the batches touch.
    const measuredLocations = Math.min(totalLocations, Math.round((batches * BATCH_SIZE) / (1 + CORRECTED_SHARE)));
    const indexes = Array.from({ length: totalLocations }, (_, index) => index);
    for (let i = indexes.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
    }
    const measured = indexes.slice(0, measuredLocations);
    const seeding = progress(`  loading ${totalLocations} locations`, totalLocations);
    for (let from = 0; from < totalLocations; from += 1000) {
      await within(onOurs, () => putLocations(Array.from({ length: Math.min(1000, totalLocations - from) }, (_, offset) => benchLocation(from + offset))));
      seeding(Math.min(totalLocations, from + 1000));
    }
    await within(onTwin, () => putLocations(measured.map(benchLocation)));

    // Yesterday's returns (one each), then this morning's: first returns, a tenth corrected later on.
    const today = londonDay(new Date());
    const yesterday = addDays(today, -1);
    const storedFor = (index: number, reportDate: string, version: number, at: number): StoredReturn => {
      const location = benchLocation(index);
      const body = randomReturn(location, seededRandom(index * 31 + version + (reportDate === today ? 7 : 0)));
      const submittedAt = new Date(Date.parse(`${reportDate}T07:00:00Z`) + Math.floor(at * 4 * 3_600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return {
        ...body,
        locationId: location.locationId,
        reportDate,
        version,
        submittedAt,
        ...(version > 1 ? { firstSubmittedAt: submittedAt } : {}),
        submittedBy: 'bench',
        warnings: [],
        schemaVersion: RETURN_SCHEMA_VERSION,
      } as StoredReturn;
    };
    const itemFor = (index: number, reportDate: string, version: number, at: number) => {
      const location = benchLocation(index);
      return toReturnItem(storedFor(index, reportDate, version, at), { localAuthority: location.localAuthority, region: location.region, name: location.name, type: location.type });
    };
    const yesterdayFed: Fed[] = measured.map((index) => ({ item: itemFor(index, yesterday, 1, random()), previous: undefined }));
    const timed: Array<Fed & { at: number }> = [];
    for (const index of measured) {
      const first = random();
      const firstItem = itemFor(index, today, 1, first);
      timed.push({ item: firstItem, previous: undefined, at: first });
      if (random() < CORRECTED_SHARE) {
        const later = first + (1 - first) * random();
        timed.push({ item: { ...itemFor(index, today, 2, later), firstSubmittedAt: firstItem.submittedAt }, previous: firstItem, at: later });
      }
    }
    const todayFed: Fed[] = timed.sort((a, b) => a.at - b.at).slice(0, batches * BATCH_SIZE);

    let sequence = 1_000_000;
    const recordOf = ({ item, previous }: Fed): DynamoDBRecord => returnStreamRecord(item, previous, { sequence: (sequence += 1), table: ours.returns });
    const batchesOf = (fed: readonly Fed[]) => Array.from({ length: Math.ceil(fed.length / BATCH_SIZE) }, (_, i) => fed.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE).map(recordOf));

    type Tally = { calls: CallCounts; nodeMs: number; javaTicks: number; batchMs: number[]; records: number; batches: number; failed: number };
    const tally = (): Tally => ({ calls: { total: 0, byOperation: {}, byTable: {}, itemsWritten: 0, byPart: {} }, nodeMs: 0, javaTicks: 0, batchMs: [], records: 0, batches: 0, failed: 0 });
    const runHandler = async (records: DynamoDBRecord[], into: Tally | undefined, environment = onOurs): Promise<Captured[]> => {
      capturing = [];
      const javaBefore = javaTicks();
      const nodeBefore = process.cpuUsage();
      const started = performance.now();
      const response = await within(environment, () => handler({ Records: records }, lambdaContext('aggregator', 60_000)));
      const elapsed = performance.now() - started;
      const nodeUsed = process.cpuUsage(nodeBefore);
      const javaUsed = javaTicks() - javaBefore;
      const captured = capturing;
      capturing = undefined;
      if (into) {
        addCounts(into.calls, countCalls(captured, tableIdOf));
        into.nodeMs += (nodeUsed.user + nodeUsed.system) / 1000;
        into.javaTicks += javaUsed;
        into.batchMs.push(elapsed);
        into.records += records.length;
        into.batches += 1;
        into.failed += response?.batchItemFailures?.length ?? 0;
      }
      return captured;
    };
    const replayErrors: string[] = [];
    const replay = async (captured: readonly Captured[], into: Tally, records: number): Promise<void> => {
      const commands = captured.map(({ command }) => new command.constructor(onTables(command.input, toTwin)));
      const javaBefore = javaTicks();
      const nodeBefore = process.cpuUsage();
      const started = performance.now();
      for (const command of commands) {
        // A request the handler lost to a condition loses it again here, as the twin holds the same items.
        await boundSend(command).catch((error: unknown) => {
          replayErrors.push(`${(command as object).constructor.name}: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 300));
        });
      }
      const elapsed = performance.now() - started;
      const nodeUsed = process.cpuUsage(nodeBefore);
      addCounts(into.calls, countCalls(captured, tableIdOf));
      into.nodeMs += (nodeUsed.user + nodeUsed.system) / 1000;
      into.javaTicks += javaTicks() - javaBefore;
      into.batchMs.push(elapsed);
      into.records += records;
      into.batches += 1;
    };

    // Warm-up (yesterday): ours, counted as a cold container's first batches; then the twin, the same way.
    const cold = tally();
    const yesterdayBatches = batchesOf(yesterdayFed);
    const warming = progress('  yesterday\'s returns through the handler (ours, then the twin)', yesterdayBatches.length * 2);
    for (const [i, records] of yesterdayBatches.entries()) {
      await runHandler(records, i < 3 ? cold : undefined);
      warming(i + 1);
    }
    for (const [i, records] of yesterdayBatches.entries()) {
      await runHandler(records, undefined, onTwin);
      warming(yesterdayBatches.length + i + 1);
    }

    // Measured (this morning): each batch through the handler, then its requests bare on the twin.
    const handled = tally();
    const bare = tally();
    const todayBatches = batchesOf(todayFed);
    const running = progress(`  this morning: ${todayFed.length} records in ${todayBatches.length} batches of ${BATCH_SIZE}, handler then bare`, todayBatches.length);
    for (const [i, records] of todayBatches.entries()) {
      const captured = await runHandler(records, handled);
      await replay(captured, bare, records.length);
      running(i + 1);
    }

    if (replayErrors.length > 0) console.error(`  ${replayErrors.length} bare requests failed, first: ${replayErrors.slice(0, 3).join(' / ')}`);

    // Exact: every aggregate of both days equals the straight sums of the newest version of each location-day fed.
    const newest = new Map<string, ReturnItem>();
    for (const { item } of [...yesterdayFed, ...todayFed]) {
      const key = `${item.locationId}#${item.reportDate}`;
      if ((newest.get(key)?.version ?? 0) < item.version) newest.set(key, item);
    }
    const expected = recomputeAggregates(newest.values());
    const found = new Map<string, Record<string, unknown>>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: ours.aggregates, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      for (const item of page.Items ?? []) found.set(aggregateKey(String(item.areaKey), String(item.date)), item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    let mismatches = 0;
    for (const [key, sums] of expected) {
      const item = found.get(key);
      if (!item || METRICS.some((metric) => Number(item[metric] ?? 0) !== sums[metric])) mismatches += 1;
    }

    const rowOf = (label: string, kind: AggregatorRow['kind'], spent: Tally): AggregatorRow => {
      const callsPerRecord = spent.calls.total / spent.records;
      return {
        label,
        kind,
        batches: spent.batches,
        records: spent.records,
        calls: spent.calls,
        callsPerRecord,
        itemsWrittenPerRecord: spent.calls.itemsWritten / spent.records,
        nodeCpuMsPerRecord: spent.nodeMs / spent.records,
        dynamodbLocalCpuMsPerRecord: (spent.javaTicks * (1000 / TICKS_PER_SECOND)) / spent.records,
        batchMs: summarise(spent.batchMs),
        ...(kind === 'ours' ? { target: AGGREGATOR_TARGET.callsPerRecord, verdict: verdict(callsPerRecord, AGGREGATOR_TARGET.callsPerRecord), failedRecords: spent.failed } : {}),
        ...(kind === 'cold' ? { failedRecords: spent.failed } : {}),
      };
    };
    return {
      target: AGGREGATOR_TARGET,
      locations: totalLocations,
      councils: COUNCILS,
      regions: REGIONS,
      batchSize: BATCH_SIZE,
      measuredLocations,
      corrections: todayFed.filter(({ previous }) => previous).length,
      loadAverage: { start, end: loadAverage() },
      rows: [
        rowOf('the aggregator handler, in-process (BatchProcessor, a warm container)', 'ours', handled),
        rowOf('*baseline: the same requests, bare, one after another*', 'baseline', bare),
        rowOf('the handler, a cold container’s first 3 batches (each area’s active locations counted)', 'cold', cold),
      ],
      exact: { areaDays: expected.size, mismatches },
      bareFailed: replayErrors.length,
    };
  } finally {
    sendable.send = originalSend;
    for (const name of [...Object.values(ours), ...Object.values(twin)]) await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    client.destroy();
  }
}

export function aggregatorMarkdown(results: AggregatorResults): string {
  const operations = [...new Set(results.rows.flatMap((row) => Object.keys(row.calls.byOperation)))].sort();
  const tables = [...new Set(results.rows.flatMap((row) => Object.keys(row.calls.byTable)))].sort();
  const lines = [
    `## The aggregator at batch size ${results.batchSize} (load average ${results.loadAverage.start.join(' ')} → ${results.loadAverage.end.join(' ')})`,
    '',
    `${results.locations} locations over ${results.councils} councils in ${results.regions} regions; ${results.measuredLocations} of them report this morning (${results.corrections} corrections), each having reported yesterday. Target: ≤ ${results.target.callsPerRecord} DynamoDB calls per record. Aggregates exact: ${results.exact.mismatches === 0 ? 'yes' : `no, ${results.exact.mismatches} mismatches`} (${results.exact.areaDays} area-days).`,
    '',
    '| what | batches | records | calls per record | vs target | items written per record | batch p50 (ms) | batch p99 (ms) | node CPU per record (ms) | DynamoDB Local CPU per record (ms) | failed records |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    lines.push(
      `| ${row.label} | ${row.batches} | ${row.records} | ${cell(row.callsPerRecord, 3)} | ${row.verdict ? `${row.verdict} (≤ ${row.target})` : ''} | ${cell(row.itemsWrittenPerRecord, 2)} | ${cell(row.batchMs.p50, 1)} | ${cell(row.batchMs.p99, 1)} | ${cell(row.nodeCpuMsPerRecord, 3)} | ${cell(row.dynamodbLocalCpuMsPerRecord, 3)} | ${row.failedRecords ?? ''} |`,
    );
  }
  const parts = [
    ['state', 'reading the state (ledger, locations, manifests)'],
    ['aggregates', 'writing ledger and aggregates'],
    ['locations', 'writing latest-return copies and vacancy entries'],
    ['counts', 'counting active locations'],
  ] as const;
  lines.push('', 'Calls per record, by what they are for, by operation and by table (a call over several tables counts for each):', '');
  lines.push(`| what | ${[...parts.map(([, label]) => label), ...operations, ...tables.map((table) => `on ${table}`)].join(' | ')} |`, `|---|${[...parts, ...operations, ...tables].map(() => '---|').join('')}`);
  for (const row of results.rows) {
    const per = (count: number | undefined) => cell((count ?? 0) / row.records, 3);
    lines.push(
      `| ${row.label} | ${[...parts.map(([part]) => per(row.calls.byPart[part])), ...operations.map((operation) => per(row.calls.byOperation[operation])), ...tables.map((table) => per(row.calls.byTable[table]))].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
