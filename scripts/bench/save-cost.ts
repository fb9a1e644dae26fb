import { readFileSync } from 'node:fs';
import {
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type ConsumedCapacity,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/model/access/identity';
import { CARE_HOME_CATEGORIES } from '#shared/model/schemas/location';
import type { DailyReturnInput } from '#shared/model/schemas/return';
import type { TableId } from '#shared/model/tables';
import { toApiGatewayEvent } from '../local/api-event';
import { lambdaContext } from '../local/lambda-context';
import { REPO_ROOT } from '../local/lambda-runtime';
import { ensureTables, localTableNames } from '../local/local-tables';
import { returnStreamRecord } from '../local/stream/records';
import { demoLocations } from '../seed/demo-data';
import type { BenchEnvironment } from './environment';
import { cell } from './stats';

/** Issue 20's target: write units per save, billed, in all (tables and indexes, the request and the stream consumers). */
export const SAVE_COST_TARGET = { billedWruPerSave: 20 } as const;
/** Real DynamoDB bills each item of a TransactWriteItems twice (prepare and commit). */
export const TRANSACTION_FACTOR = 2;

export type SaveKind = 'newDay' | 'correction' | 'confirm' | 'newDayNoVacancies';
export type SavePart = 'request' | 'stream';

/** Write units on one table or index (`table` or `table/index`), one part of a save. */
export interface CapacityFigures {
  /** What DynamoDB Local answered to the requests the code sent (ReturnConsumedCapacity: 'INDEXES'). */
  local: number;
  /** Each item written alone, as a single PutItem / UpdateItem / DeleteItem on a twin set of tables: its units as DynamoDB Local reports them. */
  standard: number;
  /** As AWS bills it: a transaction's table writes twice (`TRANSACTION_FACTOR`), its index writes once, as it propagates them after the commit. */
  billed: number;
  /** The same, if AWS billed a transaction's index writes twice too: an upper bound. */
  billedIndexesDoubled: number;
}

export interface SaveCostTarget {
  /** `returns`, or `locations/activeByCountry`: a table or one of its indexes. */
  target: string;
  part: SavePart;
  figures: CapacityFigures;
}

export interface SaveCostRow {
  kind: SaveKind;
  label: string;
  status: number;
  /** Requests the save caused, by part: the handler's writes, the stream consumers' writes. */
  requests: Record<SavePart, string[]>;
  targets: SaveCostTarget[];
  total: CapacityFigures;
  byPart: Record<SavePart, CapacityFigures>;
  verdict: 'meets' | 'misses';
}

export interface SaveCostResults {
  target: typeof SAVE_COST_TARGET;
  transactionFactor: number;
  /** Sizes of what a save writes, in bytes by DynamoDB's rules, as measured (the location item after the save). */
  itemBytes: Record<string, number>;
  rows: SaveCostRow[];
  /**
   * A month's save, on the cost estimate's traffic (docs/costs.md): 95% new days (a PUT or a confirm), half of
   * them at a location with a vacancy, half at one without; 5% corrections.
   */
  typical: { mix: Record<SaveKind, number>; billed: number; verdict: 'meets' | 'misses' };
  /**
   * What a batching window would do (the stream's `maximumBatchingWindowSeconds` is 0: at the morning
   * peak's ~2 saves a second a batch holds about one record): new-day PUTs of `saves` homes over
   * `councils` councils in the 9 regions, their records through the aggregator `batchSize` at a time
   * (10: a 5-second window at the peak), per save.
   */
  batched: Array<{ batchSize: number; saves: number; councils: number; request: CapacityFigures; stream: CapacityFigures; total: CapacityFigures; byTarget: Array<{ target: string; part: SavePart; billed: number }> }>;
  /** Writes the twin refused (none expected: it holds what the measured tables held). */
  twinFailures: string[];
}

const LABELS: Record<SaveKind, string> = {
  newDay: "a new day's PUT (the home reported yesterday; vacancies in 2 categories)",
  correction: 'a correction: the same day PUT again (one figure changed)',
  confirm: '"nothing has changed": POST …/confirm of the next day',
  newDayNoVacancies: "a new day's PUT at a home with no vacancy",
};
const MIX: Record<SaveKind, number> = { newDay: 0.475, confirm: 0, newDayNoVacancies: 0.475, correction: 0.05 };

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);
const USER = 'bench-save-cost';

type Item = Record<string, AttributeValue>;
type Input = Record<string, unknown>;

/** DynamoDB's item size: names and values in UTF-8, numbers by their digits, 3 bytes per map or list and 1 per element. */
export function itemBytes(item: Item): number {
  const valueBytes = (value: AttributeValue): number => {
    if (value.S !== undefined) return Buffer.byteLength(value.S);
    if (value.N !== undefined) return Math.ceil(value.N.replace(/^-/, '').replace(/^0+(?=\d)/, '').replace('.', '').replace(/0+$/, '').length / 2) + 1;
    if (value.B !== undefined) return value.B.length;
    if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
    if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
    if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + valueBytes({ N: n }), 0);
    if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
    if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueBytes(element), 0);
    return 0;
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

const zero = (): CapacityFigures => ({ local: 0, standard: 0, billed: 0, billedIndexesDoubled: 0 });
const add = (into: CapacityFigures, from: Partial<CapacityFigures>) => {
  for (const key of Object.keys(into) as Array<keyof CapacityFigures>) into[key] += from[key] ?? 0;
};

/** The single-item writes a request amounts to, each with whether it was part of a transaction. */
function singleWrites(commandName: string, input: Input): Array<{ kind: 'Put' | 'Update' | 'Delete'; body: Input; transactional: boolean }> {
  const name = commandName.replace(/Command$/, '');
  if (name === 'PutItem') return [{ kind: 'Put', body: input, transactional: false }];
  if (name === 'UpdateItem') return [{ kind: 'Update', body: input, transactional: false }];
  if (name === 'DeleteItem') return [{ kind: 'Delete', body: input, transactional: false }];
  if (name === 'TransactWriteItems') {
    // A ConditionCheck writes nothing.
    return ((input.TransactItems ?? []) as Array<Record<string, Input>>).flatMap((part) =>
      (['Put', 'Update', 'Delete'] as const).flatMap((kind) => (part[kind] ? [{ kind, body: part[kind]!, transactional: true }] : [])),
    );
  }
  if (name === 'BatchWriteItem') {
    return Object.entries(input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>).flatMap(([TableName, requests]) =>
      requests.map((request) =>
        request.PutRequest
          ? { kind: 'Put' as const, body: { TableName, Item: request.PutRequest.Item }, transactional: false }
          : { kind: 'Delete' as const, body: { TableName, Key: request.DeleteRequest!.Key }, transactional: false },
      ),
    );
  }
  return [];
}

/**
 * Write units per save (issue 20): what each save a care home makes costs in DynamoDB writes, in all —
 * the request's transaction and everything the returns stream's consumers then write (the aggregator:
 * ledger, aggregates, vacancy index; saved-search alerts) — per table and per index.
 *
 * A middleware on the handlers' shared DynamoDB client (added from outside, as the local fault rules are)
 * asks every write for `ReturnConsumedCapacity: 'INDEXES'` and keeps what DynamoDB Local answers. That
 * answer is not to be trusted for a transaction: DynamoDB Local doubles a transaction's units, but counts
 * items of a table with equal units once (three 0.3 KB puts in one transaction: 2 units, not 6). So each
 * write is also replayed, item by item, as a single write on a twin set of tables that holds what the
 * measured ones held before it (every write, seeding included, is replayed there): DynamoDB Local's units
 * for one item alone are right (table and index, an index entry moved by a key change being a delete
 * and a put). Billed: those units, a transaction's table writes twice.
 *
 * One save at a time, each followed by its stream record through the aggregator and the saved-search
 * consumer (a batch of one: the morning peak's ~2 saves a second with no batching window).
 */
export async function benchSaveCost(environment: BenchEnvironment): Promise<SaveCostResults> {
  const { putLocations } = await import('#shared/repositories/locations');
  const { putMemberships } = await import('#shared/repositories/memberships');
  const { dynamoClient } = await import('#shared/runtime/dynamodb');
  const { runWithEnvironment } = await import('#shared/runtime/settings');
  const { tables: definitions } = await import('#shared/model/tables');
  const { keys } = await import('#shared/model/keys');
  const { matchRoute } = await import('#shared/model/routes');
  const { addDays, londonDay } = await import('#shared/model/returns/report-date');
  type Handler<E, R> = (event: E, context: unknown) => Promise<R>;
  const putHandler = ((await import('#functions/returns/put')) as { handler: Handler<unknown, APIGatewayProxyStructuredResultV2> }).handler;
  const confirmHandler = ((await import('#functions/returns/confirm')) as { handler: Handler<unknown, APIGatewayProxyStructuredResultV2> }).handler;
  const aggregator = ((await import('#functions/aggregator')) as { handler: Handler<DynamoDBStreamEvent, DynamoDBBatchResponse> }).handler;
  const alerts = ((await import('#functions/saved-search-alerts')) as { handler: Handler<DynamoDBStreamEvent, DynamoDBBatchResponse> }).handler;

  const client = new DynamoDBClient({ endpoint: environment.dynamodbEndpoint });
  const ours = localTableNames('bench-save-cost');
  const twin = localTableNames('bench-save-cost-twin');
  await ensureTables(client, ours);
  await ensureTables(client, twin);
  const idOf = new Map<string, TableId>(Object.entries(ours).map(([id, name]) => [name, id as TableId]));
  const onOurs = {
    ...process.env,
    ...Object.fromEntries((Object.keys(ours) as TableId[]).map((id) => [definitions[id].envVar, ours[id]])),
  };
  const within = <T>(functionId: string, run: () => Promise<T>) => runWithEnvironment(functionId, onOurs, run);

  // What the running save has written so far, by part and target; undefined between saves.
  let accounting: { part: SavePart; targets: Map<string, SaveCostTarget>; requests: Record<SavePart, string[]> } | undefined;
  const twinFailures: string[] = [];
  const targetOf = (part: SavePart, target: string) => {
    const key = `${part}|${target}`;
    let entry = accounting!.targets.get(key);
    if (!entry) accounting!.targets.set(key, (entry = { target, part, figures: zero() }));
    return entry.figures;
  };
  const tableIdOf = (name: string | undefined) => idOf.get(name ?? '') ?? name ?? '?';
  const recordLocal = (consumed: ConsumedCapacity[] | ConsumedCapacity | undefined) => {
    if (!accounting || !consumed) return;
    for (const entry of Array.isArray(consumed) ? consumed : [consumed]) {
      const table = tableIdOf(entry.TableName);
      add(targetOf(accounting.part, table), { local: entry.Table?.CapacityUnits ?? 0 });
      for (const [index, units] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) add(targetOf(accounting.part, `${table}/${index}`), { local: units.CapacityUnits ?? 0 });
    }
  };

  /** The same write on the twin, one item at a time, with the units DynamoDB Local reports for each. */
  const replay = async (commandName: string, input: Input) => {
    for (const { kind, body, transactional } of singleWrites(commandName, input)) {
      const TableName = twin[idOf.get(String(body.TableName))!];
      if (!TableName) continue;
      const common = { ...body, TableName, ReturnConsumedCapacity: 'INDEXES' as const };
      try {
        const output =
          kind === 'Put'
            ? await client.send(new PutItemCommand(common as ConstructorParameters<typeof PutItemCommand>[0]))
            : kind === 'Update'
              ? await client.send(new UpdateItemCommand(common as ConstructorParameters<typeof UpdateItemCommand>[0]))
              : await client.send(new DeleteItemCommand(common as ConstructorParameters<typeof DeleteItemCommand>[0]));
        if (!accounting) continue;
        const consumed = output.ConsumedCapacity;
        const table = tableIdOf(String(body.TableName));
        const tableUnits = consumed?.Table?.CapacityUnits ?? 0;
        add(targetOf(accounting.part, table), {
          standard: tableUnits,
          billed: tableUnits * (transactional ? TRANSACTION_FACTOR : 1),
          billedIndexesDoubled: tableUnits * (transactional ? TRANSACTION_FACTOR : 1),
        });
        for (const [index, units] of Object.entries(consumed?.GlobalSecondaryIndexes ?? {})) {
          const indexUnits = units.CapacityUnits ?? 0;
          add(targetOf(accounting.part, `${table}/${index}`), { standard: indexUnits, billed: indexUnits, billedIndexesDoubled: indexUnits * (transactional ? TRANSACTION_FACTOR : 1) });
        }
      } catch (error) {
        twinFailures.push(`${kind} ${tableIdOf(String(body.TableName))}: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 300));
      }
    }
  };

  const MIDDLEWARE = 'benchSaveCostCapacity';
  const WIRE_MIDDLEWARE = 'benchSaveCostWire';
  // Every write asks for its units (before the input is serialized); once it has succeeded, what went
  // over the wire (marshalled) goes to the twin too, item by item.
  dynamoClient.middlewareStack.add(
    (next, context) => async (args) => (WRITE_COMMANDS.has(context.commandName ?? '') ? next({ ...args, input: { ...(args.input as Input), ReturnConsumedCapacity: 'INDEXES' } }) : next(args)),
    { step: 'serialize', priority: 'high', name: MIDDLEWARE },
  );
  dynamoClient.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      if (!WRITE_COMMANDS.has(commandName)) return next(args);
      const body = (args.request as { body?: unknown }).body;
      const wire = JSON.parse(body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body)) as Input;
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity[] | ConsumedCapacity };
      if (accounting) accounting.requests[accounting.part].push(`${commandName.replace(/Command$/, '')} ${[...new Set(singleWrites(commandName, wire).map(({ body }) => tableIdOf(String(body.TableName))))].join(', ')}`);
      recordLocal(output.ConsumedCapacity);
      await replay(commandName, wire);
      return result;
    },
    { step: 'build', priority: 'high', name: WIRE_MIDDLEWARE },
  );

  try {
    const demo = demoLocations()[0]!.location;
    // Registered beds enough for the example's figures, so the return carries no warning (as most do not).
    const withVacancies = { ...demo, locationId: '1-900000001', registeredBeds: 60, categories: [...CARE_HOME_CATEGORIES], lastUpdated: null, active: true };
    const withoutVacancies = { ...withVacancies, locationId: '1-900000002', name: `${demo.name} Annexe` };
    await within('seed', async () => {
      await putLocations([withVacancies, withoutVacancies]);
      await putMemberships([withVacancies, withoutVacancies].map(({ locationId }) => ({ userId: USER, locationId, grantedAt: new Date().toISOString(), grantedBy: 'bench' })));
    });

    const body: DailyReturnInput = JSON.parse(readFileSync(`${REPO_ROOT}/examples/daily-return.json`, 'utf8')) as DailyReturnInput;
    const corrected: DailyReturnInput = { ...body, beds: { ...body.beds, occupied: body.beds.occupied + 1 } };
    const noVacancies: DailyReturnInput = {
      ...body,
      vacancies: Object.fromEntries(Object.entries(body.vacancies).map(([category]) => [category, { male: 0, female: 0, any: 0 }])) as DailyReturnInput['vacancies'],
    };
    const authorizer: AuthorizerContext = { kind: 'user', userId: USER, role: 'provider', areas: '' };
    const today = londonDay(new Date());

    const call = async (method: 'PUT' | 'POST', path: string, payload: unknown, functionId: string, handler: Handler<unknown, APIGatewayProxyStructuredResultV2>) => {
      const text = payload === undefined ? '' : JSON.stringify(payload);
      const request = { method, url: path, headers: { host: 'localhost', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'user-agent': 'capacity-tracker-bench' }, body: Buffer.from(text), sourceIp: '127.0.0.1' };
      const match = matchRoute(method, path);
      if (match.kind !== 'matched') throw new Error(`no route for ${method} ${path}`);
      const event = toApiGatewayEvent(request, { routeKey: `${match.route.method} ${match.route.path}`, pathParameters: match.pathParameters }, authorizer);
      const response = await within(functionId, () => handler(event, lambdaContext(functionId, 29_000)));
      if ((response.statusCode ?? 0) >= 300) throw new Error(`${method} ${path} answered ${response.statusCode}: ${String(response.body)}`);
      return response.statusCode ?? 0;
    };
    const returnItem = async (locationId: string, reportDate: string) => {
      const { Item } = await client.send(new GetItemCommand({ TableName: ours.returns, Key: { locationId: { S: locationId }, reportDate: { S: reportDate } }, ConsistentRead: true }));
      return Item ? (unmarshall(Item) as Record<string, unknown> & { locationId: string; reportDate: string }) : undefined;
    };
    let sequence = 5_000_000;
    /** A save, then its stream record through both consumers of the returns stream, as Lambda would deliver it alone. */
    const save = async (locationId: string, reportDate: string, send: () => Promise<number>) => {
      // Instants are stored to the second: each save in a second of its own, as saves minutes apart are.
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
      const before = await returnItem(locationId, reportDate);
      if (accounting) accounting.part = 'request';
      const status = await send();
      const after = await returnItem(locationId, reportDate);
      if (!after) throw new Error(`no return stored for ${locationId} ${reportDate}`);
      if (accounting) accounting.part = 'stream';
      const event: DynamoDBStreamEvent = { Records: [returnStreamRecord(after, before, { sequence: (sequence += 1), table: ours.returns })] };
      for (const [functionId, handler] of [['aggregator', aggregator], ['savedSearchAlerts', alerts]] as const) {
        const result = await within(functionId, () => handler(event, lambdaContext(functionId, 60_000)));
        if (result?.batchItemFailures?.length) throw new Error(`${functionId} failed the record of ${locationId} ${reportDate}`);
      }
      return status;
    };
    const put = (locationId: string, reportDate: string, payload: DailyReturnInput) => () => call('PUT', `/v1/locations/${locationId}/returns/${reportDate}`, payload, 'putReturn', putHandler);
    const confirm = (locationId: string, reportDate: string) => () => call('POST', `/v1/locations/${locationId}/returns/${reportDate}/confirm`, undefined, 'confirmReturn', confirmHandler);

    const rows: SaveCostRow[] = [];
    const measure = async (kind: SaveKind, locationId: string, reportDate: string, send: () => Promise<number>) => {
      accounting = { part: 'request', targets: new Map(), requests: { request: [], stream: [] } };
      const status = await save(locationId, reportDate, send);
      const targets = [...accounting.targets.values()].sort((a, b) => (a.part === b.part ? a.target.localeCompare(b.target) : a.part === 'request' ? -1 : 1));
      const total = zero();
      const byPart: Record<SavePart, CapacityFigures> = { request: zero(), stream: zero() };
      for (const { part, figures } of targets) {
        add(total, figures);
        add(byPart[part], figures);
      }
      rows.push({ kind, label: LABELS[kind], status, requests: accounting.requests, targets, total, byPart, verdict: total.billed <= SAVE_COST_TARGET.billedWruPerSave ? 'meets' : 'misses' });
      accounting = undefined;
    };

    // The day before yesterday (not measured), so each home has its copies, ledger entry and vacancy entries.
    const [twoDaysAgo, yesterday] = [addDays(today, -2), addDays(today, -1)];
    await save(withVacancies.locationId, twoDaysAgo, put(withVacancies.locationId, twoDaysAgo, body));
    await save(withoutVacancies.locationId, twoDaysAgo, put(withoutVacancies.locationId, twoDaysAgo, noVacancies));

    await measure('newDay', withVacancies.locationId, yesterday, put(withVacancies.locationId, yesterday, body));
    await measure('correction', withVacancies.locationId, yesterday, put(withVacancies.locationId, yesterday, corrected));
    await measure('confirm', withVacancies.locationId, today, confirm(withVacancies.locationId, today));
    await measure('newDayNoVacancies', withoutVacancies.locationId, yesterday, put(withoutVacancies.locationId, yesterday, noVacancies));

    // A batching window: many homes' new days, their records through the aggregator a batch at a time.
    const REGIONS = Array.from({ length: 9 }, (_, i) => `E1200000${i + 1}`);
    const councilOf = (i: number, councils: number) => ({ localAuthority: `E080${String(100 + (i % councils)).padStart(5, '0')}`, region: REGIONS[(i % councils) % REGIONS.length]! });
    const batched: SaveCostResults['batched'] = [];
    for (const [set, batchSize] of [10, 100].entries()) {
      const saves = 100;
      const councils = 70;
      const homes = Array.from({ length: saves }, (_, i) => ({ ...withVacancies, locationId: `1-9${set + 1}${String(i).padStart(7, '0')}`, name: `${demo.name} ${set}-${i}`, ...councilOf(i, councils) }));
      await within('seed', async () => {
        await putLocations(homes);
        await putMemberships(homes.map(({ locationId }) => ({ userId: USER, locationId, grantedAt: new Date().toISOString(), grantedBy: 'bench' })));
      });
      const recordsOf = async (day: string, previous: Map<string, Record<string, unknown> & { locationId: string; reportDate: string }>) => {
        const records = [];
        for (const home of homes) {
          const after = await returnItem(home.locationId, day);
          records.push(returnStreamRecord(after!, previous.get(home.locationId), { sequence: (sequence += 1), table: ours.returns }));
        }
        return records;
      };
      const runBatches = async (records: DynamoDBStreamEvent['Records']) => {
        for (let i = 0; i < records.length; i += batchSize) {
          const event: DynamoDBStreamEvent = { Records: records.slice(i, i + batchSize) };
          for (const [functionId, handler] of [['aggregator', aggregator], ['savedSearchAlerts', alerts]] as const) {
            const result = await within(functionId, () => handler(event, lambdaContext(functionId, 60_000)));
            if (result?.batchItemFailures?.length) throw new Error(`${functionId} failed ${result.batchItemFailures.length} records of a batch`);
          }
        }
      };
      // The day before yesterday (not measured), then, a second later, yesterday's: each a new day.
      for (const home of homes) await put(home.locationId, twoDaysAgo, body)();
      await runBatches(await recordsOf(twoDaysAgo, new Map()));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      accounting = { part: 'request', targets: new Map(), requests: { request: [], stream: [] } };
      for (const home of homes) await put(home.locationId, yesterday, body)();
      accounting.part = 'stream';
      await runBatches(await recordsOf(yesterday, new Map()));
      const perSave = (figures: CapacityFigures): CapacityFigures => ({ local: figures.local / saves, standard: figures.standard / saves, billed: figures.billed / saves, billedIndexesDoubled: figures.billedIndexesDoubled / saves });
      const byPart: Record<SavePart, CapacityFigures> = { request: zero(), stream: zero() };
      for (const { part, figures } of accounting.targets.values()) add(byPart[part], figures);
      const total = zero();
      add(total, byPart.request);
      add(total, byPart.stream);
      batched.push({
        batchSize,
        saves,
        councils,
        request: perSave(byPart.request),
        stream: perSave(byPart.stream),
        total: perSave(total),
        byTarget: [...accounting.targets.values()].map(({ target, part, figures }) => ({ target, part, billed: figures.billed / saves })),
      });
      accounting = undefined;
    }

    // What a save writes, by size.
    const get = async (table: TableId, key: Record<string, string>) =>
      (await client.send(new GetItemCommand({ TableName: ours[table], Key: Object.fromEntries(Object.entries(key).map(([name, value]) => [name, { S: value }])), ConsistentRead: true }))).Item;
    const sized: Record<string, number> = {};
    const sizeOf = async (label: string, table: TableId, key: Record<string, string>) => {
      const item = await get(table, key);
      if (item) sized[label] = itemBytes(item);
    };
    await sizeOf('locations (a home with vacancies, after its saves)', 'locations', keys.location(withVacancies.locationId));
    await sizeOf('returns', 'returns', keys.dailyReturn(withVacancies.locationId, today));
    await sizeOf('aggregateLedger', 'aggregateLedger', keys.ledger(withVacancies.locationId, today));
    await sizeOf('vacancyIndex manifest', 'vacancyIndex', keys.vacancyManifest(withVacancies.locationId));

    const billedOf = (kind: SaveKind) => rows.find((row) => row.kind === kind)?.total.billed ?? 0;
    const typical = (Object.keys(MIX) as SaveKind[]).reduce((sum, kind) => sum + MIX[kind] * billedOf(kind), 0);
    return {
      target: SAVE_COST_TARGET,
      transactionFactor: TRANSACTION_FACTOR,
      itemBytes: sized,
      rows,
      typical: { mix: MIX, billed: typical, verdict: typical <= SAVE_COST_TARGET.billedWruPerSave ? 'meets' : 'misses' },
      batched,
      twinFailures,
    };
  } finally {
    dynamoClient.middlewareStack.remove(MIDDLEWARE);
    dynamoClient.middlewareStack.remove(WIRE_MIDDLEWARE);
    for (const name of [...Object.values(ours), ...Object.values(twin)]) await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    client.destroy();
  }
}

export function saveCostMarkdown(results: SaveCostResults): string {
  const kinds = results.rows.map((row) => row.kind);
  const targets = [...new Set(results.rows.flatMap((row) => row.targets.map(({ part, target }) => `${part}|${target}`)))].sort((a, b) => {
    const [partA, targetA] = a.split('|');
    const [partB, targetB] = b.split('|');
    return partA === partB ? targetA!.localeCompare(targetB!) : partA === 'request' ? -1 : 1;
  });
  const figure = (row: SaveCostRow, key: string) => row.targets.find(({ part, target }) => `${part}|${target}` === key)?.figures;
  const lines = [
    `## Write units per save (target ≤ ${results.target.billedWruPerSave} WRU billed, tables and indexes together)`,
    '',
    `Each save, then its stream record through the aggregator and the saved-search consumer (a batch of one). Per table and index: what DynamoDB Local reported for the requests sent / what AWS bills (each item's units alone, a transaction's table writes × ${results.transactionFactor}, index writes × 1).`,
    '',
    `| part | table / index | ${kinds.map((kind) => `${kind}: Local / billed`).join(' | ')} |`,
    `|---|---|${kinds.map(() => '---|').join('')}`,
  ];
  for (const key of targets) {
    const [part, target] = key.split('|');
    lines.push(`| ${part} | ${target} | ${results.rows.map((row) => {
      const found = figure(row, key);
      return found ? `${cell(found.local, 0)} / ${cell(found.billed, 0)}` : '';
    }).join(' | ')} |`);
  }
  for (const part of ['request', 'stream'] as const) {
    lines.push(`| **${part}** | | ${results.rows.map((row) => `${cell(row.byPart[part].local, 0)} / **${cell(row.byPart[part].billed, 0)}**`).join(' | ')} |`);
  }
  lines.push(`| **total** | | ${results.rows.map((row) => `${cell(row.total.local, 0)} / **${cell(row.total.billed, 0)}** (${row.verdict})`).join(' | ')} |`);
  lines.push(`| *if a transaction's index writes were doubled too* | | ${results.rows.map((row) => cell(row.total.billedIndexesDoubled, 0)).join(' | ')} |`);
  lines.push(
    '',
    `A typical save (${Object.entries(results.typical.mix).filter(([, share]) => share > 0).map(([kind, share]) => `${Math.round(share * 1000) / 10}% ${kind}`).join(', ')}): **${cell(results.typical.billed, 1)} WRU billed** (${results.typical.verdict}).`,
    '',
    `With a batching window (new-day PUTs with vacancies, the records through the aggregator together), billed WRU per save: ${results.batched
      .map((batch) => `batches of ${batch.batchSize} (${batch.saves} homes over ${batch.councils} councils): request ${cell(batch.request.billed, 1)} + stream ${cell(batch.stream.billed, 1)} = **${cell(batch.total.billed, 1)}**`)
      .join('; ')} (a batch of one: ${cell(results.rows.find((row) => row.kind === 'newDay')?.total.billed, 0)}).`,
    '',
    `Item sizes (bytes, DynamoDB's rules): ${Object.entries(results.itemBytes).map(([label, bytes]) => `${label} ${bytes}`).join('; ')}.${results.twinFailures.length ? ` Twin writes refused: ${results.twinFailures.length} (${results.twinFailures[0]}).` : ''}`,
  );
  return lines.join('\n');
}
