import { readFileSync } from 'node:fs';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/model/access/identity';
import { matchRoute } from '#shared/model/routes';
import { CARE_HOME_CATEGORIES } from '#shared/model/schemas/location';
import type { DailyReturnInput, StoredReturn } from '#shared/model/schemas/return';
import type { TableId } from '#shared/model/tables';
import { toApiGatewayEvent, toAuthorizerEvent, type IncomingRequest } from '../local/api-event';
import { lambdaContext } from '../local/lambda-context';
import { REPO_ROOT } from '../local/lambda-runtime';
import { BENCH_TABLE_PREFIX, type BenchEnvironment } from './environment';
import { progress } from './environment';
import { TICKS_PER_SECOND } from './memory';
import { cell, loadAverage, parseProcStat, summarise, verdict, type Summary } from './stats';

/** The targets for a submission, as multiples of the bare conditional PutItem's p50. */
export const SUBMIT_TARGET = { gatewayVsPut: 1.5, inProcessVsPut: 1.2 } as const;

type Mode = 'gateway' | 'inProcess' | 'barePut' | 'bareTransact' | 'bareSequence' | 'bareParallel' | 'bareLean';
const MODES: Mode[] = ['gateway', 'inProcess', 'barePut', 'bareTransact', 'bareSequence', 'bareParallel', 'bareLean'];
type Write = 'first' | 'correction';

export interface SubmitRow {
  mode: Mode;
  write: Write;
  label: string;
  kind: 'ours' | 'baseline' | 'what-if';
  /** HTTP status every run answered (bare writes: none). */
  status?: number;
  latencyMs: Summary;
  /** CPU per run of this process (the client and, for the gateway and handler, the server side too). */
  nodeCpuMsPerRun: number;
  /** CPU per run of DynamoDB Local (java), from /proc: clock ticks summed over the runs, so a mean. */
  dynamodbLocalCpuMsPerRun: number;
  ratioToPut: number;
  ratioToTransact: number;
  target?: number;
  verdict?: 'meets' | 'misses';
}

export interface BreakdownRow {
  part: string;
  p50Ms: number;
  meanMs: number;
}

export interface SubmitResults {
  target: typeof SUBMIT_TARGET;
  firstWritesPerMode: number;
  correctionsPerMode: number;
  itemBytes: number;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  rows: SubmitRow[];
  /** Where the time of a first write goes, per request (medians and means over the measured runs). */
  breakdown: { inProcess: BreakdownRow[]; gateway: BreakdownRow[] };
}

const LABELS: Record<Mode, { label: string; kind: SubmitRow['kind'] }> = {
  gateway: { label: 'PUT through the local gateway (HTTP, authorizer, handler)', kind: 'ours' },
  inProcess: { label: 'the putReturn handler in-process (API Gateway v2 event)', kind: 'ours' },
  barePut: { label: '*baseline: bare conditional PutItem of the return item*', kind: 'baseline' },
  bareTransact: { label: '*baseline: bare TransactWriteItems of the same 3 items*', kind: 'baseline' },
  bareSequence: { label: '*what-if: the handler’s 5 DynamoDB calls, bare, one after another*', kind: 'what-if' },
  bareParallel: { label: '*what-if: its 4 reads bare in parallel, then the transaction*', kind: 'what-if' },
  bareLean: { label: '*what-if: one GetItem (the location, with its latest return), then the transaction*', kind: 'what-if' },
};

const AREAS: Array<[string, string]> = [
  ['E08000004', 'E12000002'], ['E06000027', 'E12000009'], ['E09000033', 'E12000007'], ['E08000025', 'E12000005'], ['E06000018', 'E12000004'],
];
const DAYS = 8;
const USER = 'bench-provider';

interface Call {
  label: string;
  ms: number;
}

/**
 * Submitting a daily return (DESIGN §5: the example body, to fresh location-days so each first write
 * is a 201, and a share of corrections, 200) three ways on one DynamoDB Local: through the local
 * gateway over loopback HTTP with a token from the local issuer; the same handler in-process, given the
 * API Gateway v2 event the gateway builds; and bare SDK writes of the same items with the handler's own
 * client (the shared singleton, same settings). Modes take turns run by run, so load on the machine
 * falls on all of them alike. Every DynamoDB call the handler makes is timed on the way through the
 * shared client, to show where the time goes.
 */
export async function benchSubmit(environment: BenchEnvironment, options: { firstWrites?: number; warmUp?: number } = {}): Promise<SubmitResults> {
  const firstWrites = options.firstWrites ?? 400;
  const warmUp = options.warmUp ?? 25;
  const correctionEvery = 4;
  const start = loadAverage();

  const { startLocalSystem } = await import('../local/system');
  const system = await startLocalSystem({ dynamodb: { endpoint: environment.dynamodbEndpoint }, tablePrefix: BENCH_TABLE_PREFIX, createTables: false, gateway: { port: 0 } });
  const gateway = { url: system.url!, close: () => system.stop() };
  const issuer = system.issuer!;
  // Imported after the system has pointed the DynamoDB client (which takes DYNAMODB_ENDPOINT when it loads) at the bench's DynamoDB Local.
  const { putLocations } = await import('#shared/repositories/locations');
  const { putMemberships } = await import('#shared/repositories/memberships');
  const { latestReturnRequest } = await import('#shared/repositories/returns');
  const { toReturnItem } = await import('#shared/model/returns/return-item');
  const { writeReturnRequest } = await import('#shared/repositories/return-writes');
  const { keys } = await import('#shared/model/keys');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const { addDays, londonDay, toInstant } = await import('#shared/model/returns/report-date');
  const { RETURN_SCHEMA_VERSION, DailyReturnInput: DailyReturnSchema } = await import('#shared/model/schemas/return');
  const { handler } = (await import('#functions/returns/put')) as { handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2> };
  const { handler: authorizer } = (await import('#functions/authorizer')) as { handler: (event: unknown, context: unknown) => Promise<unknown> };

  const tableIdOf = new Map(Object.entries(environment.tables).map(([id, name]) => [name, id as TableId]));
  const body: DailyReturnInput = JSON.parse(readFileSync(`${REPO_ROOT}/examples/daily-return.json`, 'utf8')) as DailyReturnInput;
  const correctedBody: DailyReturnInput = { ...body, beds: { ...body.beds, occupied: body.beds.occupied + 1 } };
  const bodyText = JSON.stringify(body);
  const correctedText = JSON.stringify(correctedBody);
  const today = londonDay(new Date());
  const dates = Array.from({ length: DAYS }, (_, index) => addDays(today, index - (DAYS - 1)));

  // Each mode writes its own location-days: a location takes its days oldest first, so most first
  // writes have an earlier return for the swing warning to compare with, as a real morning's would.
  const total = warmUp + firstWrites;
  const locationsPerMode = Math.ceil(total / DAYS);
  const locationOf = (mode: Mode, index: number) => `1-7${MODES.indexOf(mode)}${String(Math.floor(index / DAYS)).padStart(7, '0')}`;
  const dayOf = (index: number) => dates[index % DAYS]!;
  const placeOf = (index: number) => {
    const [localAuthority, region] = AREAS[Math.floor(index / DAYS) % AREAS.length]!;
    return { localAuthority, region, name: `Bench Submit ${index}`, type: 'careHome' as const };
  };
  const show = progress('  loading bench locations and memberships', MODES.length);
  for (const [done, mode] of MODES.entries()) {
    const locations = Array.from({ length: locationsPerMode }, (_, location) => {
      const place = placeOf(location * DAYS);
      return {
        locationId: locationOf(mode, location * DAYS),
        providerId: '1-700000001',
        name: place.name,
        type: place.type,
        categories: [...CARE_HOME_CATEGORIES],
        registeredBeds: 60,
        localAuthority: place.localAuthority,
        region: place.region,
        active: true,
        lastUpdated: null,
      };
    });
    await putLocations(locations);
    await putMemberships(locations.map(({ locationId }) => ({ userId: USER, locationId, grantedAt: new Date().toISOString(), grantedBy: 'bench' })));
    show(done + 1);
  }

  const token = await issuer.sign({ sub: USER, role: 'provider' });
  const authorizerContext: AuthorizerContext = { kind: 'user', userId: USER, role: 'provider', areas: '' };

  // Every call through the shared document client is timed; only a handler's runs collect them.
  let collecting: Call[] | undefined;
  const originalSend = dynamo.send.bind(dynamo) as (command: unknown, options?: unknown) => Promise<unknown>;
  const labelOf = (command: { constructor: { name: string }; input: { TableName?: string; TransactItems?: unknown[]; ConsistentRead?: boolean } }) => {
    const operation = command.constructor.name.replace(/Command$/, '');
    const name = { Get: 'GetItem', Put: 'PutItem', Query: 'Query', TransactWrite: 'TransactWriteItems', Update: 'UpdateItem' }[operation] ?? operation;
    if (command.input.TransactItems) return `${name} (${command.input.TransactItems.length} items)`;
    const table = tableIdOf.get(command.input.TableName ?? '') ?? command.input.TableName;
    return `${name} ${table}${command.input.ConsistentRead ? ' (consistent)' : ''}`;
  };
  (dynamo as unknown as { send: typeof originalSend }).send = async (command, sendOptions) => {
    const started = performance.now();
    try {
      return await originalSend(command, sendOptions);
    } finally {
      collecting?.push({ label: labelOf(command as Parameters<typeof labelOf>[0]), ms: performance.now() - started });
    }
  };

  const storedFor = (mode: Mode, index: number, write: Write): StoredReturn => ({
    ...(write === 'first' ? body : correctedBody),
    locationId: locationOf(mode, index),
    reportDate: dayOf(index),
    version: write === 'first' ? 1 : 2,
    submittedAt: toInstant(new Date()),
    submittedBy: USER,
    warnings: [],
    schemaVersion: RETURN_SCHEMA_VERSION,
  });
  const itemBytes = Buffer.byteLength(JSON.stringify(toReturnItem(storedFor('barePut', 0, 'first'), placeOf(0))));

  const requestFor = (mode: Mode, index: number, write: Write): IncomingRequest => {
    const text = write === 'first' ? bodyText : correctedText;
    return {
      method: 'PUT',
      url: `/v1/locations/${locationOf(mode, index)}/returns/${dayOf(index)}`,
      headers: {
        host: new URL(gateway.url).host,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
        authorization: `Bearer ${token}`,
        'user-agent': 'capacity-tracker-bench',
      },
      body: Buffer.from(text),
      sourceIp: '127.0.0.1',
    };
  };
  const eventFor = (request: IncomingRequest, withAuthorizer = true) => {
    const match = matchRoute(request.method, request.url);
    if (match.kind !== 'matched') throw new Error(`no route for ${request.url}`);
    return toApiGatewayEvent(request, { routeKey: `${match.route.method} ${match.route.path}`, pathParameters: match.pathParameters }, withAuthorizer ? authorizerContext : undefined);
  };
  const expect = (write: Write) => (write === 'first' ? 201 : 200);

  // What the write path would have read of the location: nothing yet before the first write, that day after it.
  // A location takes its days oldest first, and a correction follows its own first write: before a first
  // write the newest day is the location's previous one (none for its first), before a correction its own.
  const guardFor = (index: number, write: Write) => {
    const newest = write === 'correction' ? dayOf(index) : index % DAYS > 0 ? dayOf(index - 1) : undefined;
    return { newestReportDate: newest, recorded: newest !== undefined };
  };
  const run: Record<Mode, (index: number, write: Write) => Promise<void>> = {
    gateway: async (index, write) => {
      const request = requestFor('gateway', index, write);
      // fetch sets host and content-length itself.
      const { authorization, 'content-type': contentType } = request.headers as Record<string, string>;
      const response = await fetch(gateway.url + request.url, { method: 'PUT', headers: { authorization: authorization!, 'content-type': contentType! }, body: request.body.toString('utf8') });
      const text = await response.text();
      if (response.status !== expect(write)) throw new Error(`gateway PUT answered ${response.status}: ${text}`);
    },
    inProcess: async (index, write) => {
      const response = await handler(eventFor(requestFor('inProcess', index, write)), lambdaContext('putReturn', 29_000));
      if (response.statusCode !== expect(write)) throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
    },
    barePut: async (index, write) => {
      const stored = storedFor('barePut', index, write);
      await dynamo.send(
        new PutCommand({
          TableName: environment.tables.returns,
          Item: toReturnItem(stored, placeOf(index)),
          ...(write === 'first'
            ? { ConditionExpression: 'attribute_not_exists(locationId)' }
            : { ConditionExpression: 'version = :replaces', ExpressionAttributeValues: { ':replaces': 1 } }),
        }),
      );
    },
    bareTransact: async (index, write) => {
      const stored = storedFor('bareTransact', index, write);
      await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, placeOf(index), write === 'first' ? undefined : 1, guardFor(index, write), environment.tables)));
    },
    bareSequence: async (index, write) => {
      const locationId = locationOf('bareSequence', index);
      const reportDate = dayOf(index);
      await dynamo.send(new GetCommand({ TableName: environment.tables.memberships, Key: keys.membership(USER, locationId) }));
      await dynamo.send(new GetCommand({ TableName: environment.tables.locations, Key: keys.location(locationId) }));
      await dynamo.send(new QueryCommand(latestReturnRequest(locationId, { before: reportDate }, environment.tables.returns)));
      await dynamo.send(new GetCommand({ TableName: environment.tables.returns, Key: keys.dailyReturn(locationId, reportDate), ConsistentRead: true }));
      const stored = storedFor('bareSequence', index, write);
      await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, placeOf(index), write === 'first' ? undefined : 1, guardFor(index, write), environment.tables)));
    },
    bareParallel: async (index, write) => {
      const locationId = locationOf('bareParallel', index);
      const reportDate = dayOf(index);
      await Promise.all([
        dynamo.send(new GetCommand({ TableName: environment.tables.memberships, Key: keys.membership(USER, locationId) })),
        dynamo.send(new GetCommand({ TableName: environment.tables.locations, Key: keys.location(locationId) })),
        dynamo.send(new QueryCommand(latestReturnRequest(locationId, { before: reportDate }, environment.tables.returns))),
        dynamo.send(new GetCommand({ TableName: environment.tables.returns, Key: keys.dailyReturn(locationId, reportDate), ConsistentRead: true })),
      ]);
      const stored = storedFor('bareParallel', index, write);
      await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, placeOf(index), write === 'first' ? undefined : 1, guardFor(index, write), environment.tables)));
    },
    bareLean: async (index, write) => {
      const locationId = locationOf('bareLean', index);
      await dynamo.send(new GetCommand({ TableName: environment.tables.locations, Key: keys.location(locationId) }));
      const stored = storedFor('bareLean', index, write);
      await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, placeOf(index), write === 'first' ? undefined : 1, guardFor(index, write), environment.tables)));
    },
  };

  const times = new Map<string, number[]>();
  const record = (mode: Mode, write: Write, ms: number) => times.set(`${mode}:${write}`, [...(times.get(`${mode}:${write}`) ?? []), ms]);
  const perRequest: Record<'gateway' | 'inProcess', Array<{ total: number; calls: Call[] }>> = { gateway: [], inProcess: [] };

  // CPU per run: this process's (client, gateway and handler alike, all in it) and DynamoDB Local's.
  const javaPid = environment.dynamodbPid;
  const javaTicks = () => {
    try {
      return parseProcStat(readFileSync(`/proc/${javaPid}/stat`, 'utf8'))?.cpuTicks ?? Number.NaN;
    } catch {
      return Number.NaN;
    }
  };
  const cpu = new Map<string, { nodeMs: number; javaTicks: number; runs: number }>();
  const timeOne = async (mode: Mode, index: number, write: Write, measured: boolean) => {
    collecting = mode === 'gateway' || mode === 'inProcess' ? [] : undefined;
    const javaBefore = javaTicks();
    const nodeBefore = process.cpuUsage();
    const started = performance.now();
    await run[mode](index, write);
    const elapsed = performance.now() - started;
    const nodeUsed = process.cpuUsage(nodeBefore);
    const javaUsed = javaTicks() - javaBefore;
    const calls = collecting ?? [];
    collecting = undefined;
    if (!measured) return;
    record(mode, write, elapsed);
    const spent = cpu.get(`${mode}:${write}`) ?? { nodeMs: 0, javaTicks: 0, runs: 0 };
    cpu.set(`${mode}:${write}`, { nodeMs: spent.nodeMs + (nodeUsed.user + nodeUsed.system) / 1000, javaTicks: spent.javaTicks + javaUsed, runs: spent.runs + 1 });
    if ((mode === 'gateway' || mode === 'inProcess') && write === 'first') perRequest[mode].push({ total: elapsed, calls });
  };

  const showRuns = progress(`  submitting (${MODES.length} ways, ${firstWrites} first writes + ${Math.floor(firstWrites / correctionEvery)} corrections each)`, total);
  try {
    for (let index = 0; index < total; index += 1) {
      const measured = index >= warmUp;
      // Rotate who goes first, so no mode always runs straight after another's write.
      const order = [...MODES.slice(index % MODES.length), ...MODES.slice(0, index % MODES.length)];
      for (const mode of order) {
        await timeOne(mode, index, 'first', measured);
        if (index % correctionEvery === correctionEvery - 1) await timeOne(mode, index, 'correction', measured);
      }
      showRuns(index + 1);
    }

    // The parts that make no DynamoDB call, timed on their own: the authorizer (RS256 verify against the
    // cached key set) and the zod parse of the body.
    const authorizerTimes: number[] = [];
    const parseTimes: number[] = [];
    const authorizerEvent = toAuthorizerEvent(eventFor(requestFor('gateway', 0, 'first'), false));
    for (let i = 0; i < 300; i += 1) {
      let started = performance.now();
      await authorizer(authorizerEvent, lambdaContext('authorizer', 10_000));
      authorizerTimes.push(performance.now() - started);
      started = performance.now();
      DailyReturnSchema.parse(JSON.parse(bodyText));
      parseTimes.push(performance.now() - started);
    }

    const put = summarise(times.get('barePut:first') ?? []);
    const transact = summarise(times.get('bareTransact:first') ?? []);
    const putCorrection = summarise(times.get('barePut:correction') ?? []);
    const transactCorrection = summarise(times.get('bareTransact:correction') ?? []);
    const rows: SubmitRow[] = [];
    for (const write of ['first', 'correction'] as const) {
      const putP50 = write === 'first' ? put.p50 : putCorrection.p50;
      const transactP50 = write === 'first' ? transact.p50 : transactCorrection.p50;
      for (const mode of MODES) {
        const latencyMs = summarise(times.get(`${mode}:${write}`) ?? []);
        const target = mode === 'gateway' ? SUBMIT_TARGET.gatewayVsPut : mode === 'inProcess' ? SUBMIT_TARGET.inProcessVsPut : undefined;
        const ratioToPut = latencyMs.p50 / putP50;
        const spent = cpu.get(`${mode}:${write}`);
        rows.push({
          nodeCpuMsPerRun: spent ? spent.nodeMs / spent.runs : Number.NaN,
          dynamodbLocalCpuMsPerRun: spent ? (spent.javaTicks * (1000 / TICKS_PER_SECOND)) / spent.runs : Number.NaN,
          mode,
          write,
          ...LABELS[mode],
          ...(mode === 'gateway' || mode === 'inProcess' ? { status: expect(write) } : {}),
          latencyMs,
          ratioToPut,
          ratioToTransact: latencyMs.p50 / transactP50,
          ...(target !== undefined ? { target, verdict: verdict(ratioToPut, target) } : {}),
        });
      }
    }

    const breakdownOf = (runs: Array<{ total: number; calls: Call[] }>, extra: BreakdownRow[]): BreakdownRow[] => {
      const labels = [...new Set(runs.flatMap((one) => one.calls.map((call) => call.label)))];
      const perLabel = labels.map((label) => {
        const values = runs.map((one) => one.calls.filter((call) => call.label === label).reduce((sum, call) => sum + call.ms, 0));
        const summary = summarise(values);
        return { part: `DynamoDB: ${label}`, p50Ms: summary.p50, meanMs: summary.mean };
      });
      const dynamoTotals = summarise(runs.map((one) => one.calls.reduce((sum, call) => sum + call.ms, 0)));
      const rest = summarise(runs.map((one) => one.total - one.calls.reduce((sum, call) => sum + call.ms, 0)));
      const whole = summarise(runs.map((one) => one.total));
      return [
        { part: 'whole request', p50Ms: whole.p50, meanMs: whole.mean },
        ...perLabel,
        { part: 'DynamoDB calls together', p50Ms: dynamoTotals.p50, meanMs: dynamoTotals.mean },
        { part: 'everything else (whole − DynamoDB)', p50Ms: rest.p50, meanMs: rest.mean },
        ...extra,
      ];
    };
    const authorizerSummary = summarise(authorizerTimes);
    const parseSummary = summarise(parseTimes);
    const breakdown = {
      inProcess: breakdownOf(perRequest.inProcess, [{ part: '  of which: zod parse of the body (timed alone)', p50Ms: parseSummary.p50, meanMs: parseSummary.mean }]),
      gateway: breakdownOf(perRequest.gateway, [
        { part: '  of which: the authorizer (timed alone)', p50Ms: authorizerSummary.p50, meanMs: authorizerSummary.mean },
        { part: '  of which: zod parse of the body (timed alone)', p50Ms: parseSummary.p50, meanMs: parseSummary.mean },
      ]),
    };
    return {
      target: SUBMIT_TARGET,
      firstWritesPerMode: firstWrites,
      correctionsPerMode: times.get('barePut:correction')?.length ?? 0,
      itemBytes,
      loadAverage: { start, end: loadAverage() },
      rows,
      breakdown,
    };
  } finally {
    (dynamo as unknown as { send: typeof originalSend }).send = originalSend;
    await gateway.close();
  }
}

export function submitMarkdown(results: SubmitResults): string {
  const lines = [
    `## Submitting a daily return (${results.firstWritesPerMode} first writes and ${results.correctionsPerMode} corrections each way; load average ${results.loadAverage.start.join(' ')} → ${results.loadAverage.end.join(' ')})`,
    '',
    `Return item ${(results.itemBytes / 1024).toFixed(1)} KB. Targets: gateway p50 ≤ ${results.target.gatewayVsPut}× and in-process p50 ≤ ${results.target.inProcessVsPut}× the bare PutItem.`,
    '',
    '| write | what | status | p50 (ms) | p99 (ms) | p50 ÷ bare PutItem | p50 ÷ bare TransactWriteItems | vs target | node CPU per run (ms) | DynamoDB Local CPU per run (ms) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    const against = row.target !== undefined ? `${row.verdict} (≤ ${row.target}×)` : '';
    lines.push(
      `| ${row.write === 'first' ? 'first (201)' : 'correction (200)'} | ${row.label} | ${row.status ?? ''} | ${cell(row.latencyMs.p50, 2)} | ${cell(row.latencyMs.p99, 2)} | ${cell(row.ratioToPut, 2)} | ${cell(row.ratioToTransact, 2)} | ${against} | ${cell(row.nodeCpuMsPerRun, 2)} | ${cell(row.dynamodbLocalCpuMsPerRun, 1)} |`,
    );
  }
  for (const [name, rows] of [['in-process handler', results.breakdown.inProcess], ['gateway', results.breakdown.gateway]] as const) {
    lines.push('', `Where a first write's time goes (${name}, per request):`, '', '| part | p50 (ms) | mean (ms) |', '|---|---|---|');
    for (const row of rows) lines.push(`| ${row.part} | ${cell(row.p50Ms, 2)} | ${cell(row.meanMs, 2)} |`);
  }
  return lines.join('\n');
}
