import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { BatchGetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/model/access/identity';
import { matchRoute } from '#shared/model/routes';
import { CARE_HOME_CATEGORIES } from '#shared/model/schemas/location';
import type { DailyReturnInput, StoredReturn } from '#shared/model/schemas/return';
import type { ReturnCopies } from '#shared/model/returns/return-copies';
import type { TableId } from '#shared/model/tables';
import { toApiGatewayEvent, toAuthorizerEvent, type IncomingRequest } from '../local/api-event';
import { lambdaContext } from '../local/lambda-context';
import { REPO_ROOT } from '../local/lambda-runtime';
import { BENCH_TABLE_PREFIX, type BenchEnvironment } from './environment';
import { progress } from './environment';
import { TICKS_PER_SECOND } from './memory';
import { cell, loadAverage, parseProcStat, summarise, verdict, type Summary } from './stats';

/**
 * The targets for a provider's PUT or confirm (issue 20), as multiples of the p50 of the same
 * requests made bare: a BatchGetItem of the caller's membership and the location, then a
 * TransactWriteItems of the same items the write stores.
 */
export const SUBMIT_TARGET = { gatewayVsBare: 1.6, inProcessVsBare: 1.3 } as const;

export type Mode = 'gateway' | 'inProcess' | 'bareReadWrite' | 'barePut' | 'bareTransact';
const MODES: Mode[] = ['gateway', 'inProcess', 'bareReadWrite', 'barePut', 'bareTransact'];
/** A PUT of a new day (201), a PUT correcting it (200), a confirm of a new day repeating the day before (201). */
type Write = 'first' | 'correction' | 'confirm';
const WRITES: Write[] = ['first', 'correction', 'confirm'];
const OURS: Mode[] = ['gateway', 'inProcess'];

export interface SubmitRow {
  mode: Mode;
  write: Write;
  label: string;
  kind: 'ours' | 'baseline' | 'reference';
  /** HTTP status every run answered (bare writes: none). */
  status?: number;
  latencyMs: Summary;
  /** DynamoDB requests per run (ours: as made while it ran, the gateway's with the authorizer's, which for a return write makes none; the bare ones make what they name). */
  dynamodbRequestsPerRun: number;
  /** CPU per run of this process (the client and, for the gateway and handler, the server side too). */
  nodeCpuMsPerRun: number;
  /** CPU per run of DynamoDB Local (java), from /proc: clock ticks summed over the runs, so a mean. */
  dynamodbLocalCpuMsPerRun: number;
  /** p50 ÷ the baseline's p50 (the bare BatchGetItem + TransactWriteItems of the same write). */
  ratioToBaseline: number;
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
  confirmsPerMode: number;
  itemBytes: number;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  rows: SubmitRow[];
  /** Where the time of a first write goes, per request (medians and means over the measured runs). */
  breakdown: { inProcess: BreakdownRow[]; gateway: BreakdownRow[] };
  /** The same for a confirm. */
  confirmBreakdown: { inProcess: BreakdownRow[]; gateway: BreakdownRow[] };
}

function labelOf(mode: Mode, write: Write): { label: string; kind: SubmitRow['kind'] } {
  const request = write === 'confirm' ? 'POST …/confirm' : 'PUT';
  const handler = write === 'confirm' ? 'confirmReturn' : 'putReturn';
  switch (mode) {
    case 'gateway':
      return { label: `a provider's ${request} through the local gateway (HTTP, authorizer, handler)`, kind: 'ours' };
    case 'inProcess':
      return { label: `the ${handler} handler in-process, a provider (API Gateway v2 event)`, kind: 'ours' };
    case 'bareReadWrite':
      return { label: '*baseline: bare BatchGetItem (user + membership + location), then bare TransactWriteItems of the same 3 items*', kind: 'baseline' };
    case 'barePut':
      return { label: '*reference: bare conditional PutItem of the return item alone*', kind: 'reference' };
    case 'bareTransact':
      return { label: '*reference: bare TransactWriteItems of the same 3 items alone*', kind: 'reference' };
  }
}

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
 * A provider submitting a daily return (DESIGN §5: the example body, to fresh location-days so each first
 * write is a 201, and a share of corrections, 200) and confirming one ("nothing has changed": a new day
 * repeating the day before, 201), several ways on one DynamoDB Local: through the local gateway over
 * loopback HTTP with a token from the local issuer; the same handlers in-process, given the API Gateway
 * v2 event the gateway builds; and bare SDK requests of the same items with the handler's own client (the
 * shared singleton, same settings): the baseline is what the write needs at the least, the membership and
 * the location read in one BatchGetItem and the transaction of the same three items (the return, its
 * version record, the location's update with the copies of its newest returns, guarded by its write
 * count). Modes take turns run by run, so load on the machine falls on all of them alike. Every DynamoDB
 * call the handlers make is timed on the way through the shared client, to show where the time goes.
 */
/** `only`: run just these modes (to profile one; the ratios of the others are then NaN). */
export async function benchSubmit(environment: BenchEnvironment, options: { firstWrites?: number; warmUp?: number; only?: readonly Mode[] } = {}): Promise<SubmitResults> {
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
  const { putUsers } = await import('#shared/repositories/users');
  const { toReturnItem } = await import('#shared/model/returns/return-item');
  const { copiesAfter } = await import('#shared/model/returns/return-copies');
  const { writeReturnRequest } = await import('#shared/repositories/return-writes');
  const { keys } = await import('#shared/model/keys');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const { addDays, londonDay, toInstant } = await import('#shared/model/returns/report-date');
  const { RETURN_SCHEMA_VERSION, DailyReturnInput: DailyReturnSchema } = await import('#shared/model/schemas/return');
  const { handler: putHandler } = (await import('#functions/returns/put')) as { handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2> };
  const { handler: confirmHandler } = (await import('#functions/returns/confirm')) as { handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2> };
  const { handler: authorizer } = (await import('#functions/authorizer')) as { handler: (event: unknown, context: unknown) => Promise<unknown> };

  const tableIdOf = new Map(Object.entries(environment.tables).map(([id, name]) => [name, id as TableId]));
  const body: DailyReturnInput = JSON.parse(readFileSync(`${REPO_ROOT}/examples/daily-return.json`, 'utf8')) as DailyReturnInput;
  const correctedBody: DailyReturnInput = { ...body, beds: { ...body.beds, occupied: body.beds.occupied + 1 } };
  const bodyText = JSON.stringify(body);
  const correctedText = JSON.stringify(correctedBody);
  const confirmText = '{}';
  const today = londonDay(new Date());
  const dates = Array.from({ length: DAYS }, (_, index) => addDays(today, index - (DAYS - 1)));

  // Each mode writes its own location-days, PUTs and confirms on locations of their own: a location takes
  // its days oldest first, so most first writes have an earlier return for the swing warning to compare
  // with, as a real morning's would. A confirm location's first day is written before the runs (a confirm
  // needs a return to repeat); its runs confirm the days after it, each repeating the one before.
  const total = warmUp + firstWrites;
  const locationsPerMode = Math.ceil(total / DAYS);
  const locationOf = (mode: Mode, index: number, write: Write) => `1-${write === 'confirm' ? 8 : 7}${MODES.indexOf(mode)}${String(Math.floor(index / DAYS)).padStart(7, '0')}`;
  const dayOf = (index: number) => dates[index % DAYS]!;
  const placeOf = (index: number) => {
    const [localAuthority, region] = AREAS[Math.floor(index / DAYS) % AREAS.length]!;
    return { localAuthority, region, name: `Bench Submit ${index}`, type: 'careHome' as const };
  };
  const confirms = (index: number) => index % DAYS > 0;

  // What the bare modes know of each of their locations, as the handler would read it: the write count
  // and the copies of its two newest returns (so their transaction carries the same items the handler's does).
  const known = new Map<string, { returnWrites: number; copies: ReturnCopies; newest: string | undefined }>();
  const guardOf = (locationId: string) => {
    const state = known.get(locationId) ?? { returnWrites: 0, copies: {}, newest: undefined };
    return { newestReportDate: state.newest, recorded: state.newest !== undefined, returnWrites: state.returnWrites, copies: state.copies };
  };
  const wrote = (stored: StoredReturn) => {
    const state = known.get(stored.locationId) ?? { returnWrites: 0, copies: {}, newest: undefined };
    known.set(stored.locationId, {
      returnWrites: state.returnWrites + 1,
      copies: copiesAfter(state.copies, [stored]),
      newest: state.newest === undefined || stored.reportDate > state.newest ? stored.reportDate : state.newest,
    });
  };

  const storedFor = (mode: Mode, index: number, write: Write): StoredReturn => {
    const at = toInstant(new Date());
    return {
      ...(write === 'correction' ? correctedBody : body),
      locationId: locationOf(mode, index, write),
      reportDate: dayOf(index),
      version: write === 'correction' ? 2 : 1,
      submittedAt: at,
      firstSubmittedAt: at,
      submittedBy: USER,
      warnings: [],
      schemaVersion: RETURN_SCHEMA_VERSION,
      ...(write === 'confirm' ? { confirmedFrom: { reportDate: dayOf(index - 1), version: 1 } } : {}),
    };
  };
  const itemBytes = Buffer.byteLength(JSON.stringify(toReturnItem(storedFor('barePut', 0, 'first'), placeOf(0))));
  /** The bare transaction of a write: the items the handler's stores, guarded as the handler's is. */
  const transact = async (stored: StoredReturn, index: number, replacesVersion: number | undefined) => {
    await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, placeOf(index), replacesVersion, guardOf(stored.locationId), environment.tables)));
    wrote(stored);
  };
  const bareTransaction = (mode: Mode, index: number, write: Write) => transact(storedFor(mode, index, write), index, write === 'correction' ? 1 : undefined);

  // The caller as the users table holds them: the write reads the record with the membership and the location.
  await putUsers([{ userId: USER, email: `${USER}@bench.example`, role: 'provider', areas: [], status: 'active', createdAt: new Date().toISOString(), createdBy: 'bench' }]);
  const show = progress('  loading bench locations and memberships', MODES.length * 2);
  let loaded = 0;
  for (const mode of MODES) {
    for (const write of ['first', 'confirm'] as const) {
      const locations = Array.from({ length: locationsPerMode }, (_, location) => {
        const place = placeOf(location * DAYS);
        return {
          locationId: locationOf(mode, location * DAYS, write),
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
      // A confirm location's first day, as a PUT stores it (the copies on the location item too).
      if (write === 'confirm') {
        for (let location = 0; location < locationsPerMode; location += 1) {
          const index = location * DAYS;
          await transact({ ...storedFor(mode, index, 'first'), locationId: locationOf(mode, index, 'confirm') }, index, undefined);
        }
      }
      show((loaded += 1));
    }
  }

  const token = await issuer.sign({ sub: USER, role: 'provider' });
  // What the authorizer hands a return write (it leaves the users table to the route): the token's claims.
  const authorizerContext: AuthorizerContext = { kind: 'tokenUser', userId: USER, role: 'provider', areas: '', mfa: 'false' };

  // Every call through the shared document client is timed; only a handler's runs collect them.
  let collecting: Call[] | undefined;
  const originalSend = dynamo.send.bind(dynamo) as (command: unknown, options?: unknown) => Promise<unknown>;
  const callLabel = (command: { constructor: { name: string }; input: { TableName?: string; TransactItems?: unknown[]; RequestItems?: Record<string, unknown>; ConsistentRead?: boolean } }) => {
    const operation = command.constructor.name.replace(/Command$/, '');
    const name = { Get: 'GetItem', Put: 'PutItem', Query: 'Query', TransactWrite: 'TransactWriteItems', Update: 'UpdateItem', BatchGet: 'BatchGetItem' }[operation] ?? operation;
    if (command.input.TransactItems) return `${name} (${command.input.TransactItems.length} items)`;
    if (command.input.RequestItems) return `${name} ${Object.keys(command.input.RequestItems).map((table) => tableIdOf.get(table) ?? table).join(' + ')}`;
    const table = tableIdOf.get(command.input.TableName ?? '') ?? command.input.TableName;
    return `${name} ${table}${command.input.ConsistentRead ? ' (consistent)' : ''}`;
  };
  (dynamo as unknown as { send: typeof originalSend }).send = async (command, sendOptions) => {
    const started = performance.now();
    try {
      return await originalSend(command, sendOptions);
    } finally {
      collecting?.push({ label: callLabel(command as Parameters<typeof callLabel>[0]), ms: performance.now() - started });
    }
  };

  const requestFor = (mode: Mode, index: number, write: Write): IncomingRequest => {
    const text = write === 'confirm' ? confirmText : write === 'first' ? bodyText : correctedText;
    const path = `/v1/locations/${locationOf(mode, index, write)}/returns/${dayOf(index)}`;
    return {
      method: write === 'confirm' ? 'POST' : 'PUT',
      url: write === 'confirm' ? `${path}/confirm` : path,
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
  const expect = (write: Write) => (write === 'correction' ? 200 : 201);

  /** The bare read: the caller's user record and membership, and the location (consistent, as the write reads it), one BatchGetItem. */
  const bareRead = async (locationId: string) => {
    await dynamo.send(
      new BatchGetCommand({
        RequestItems: {
          [environment.tables.users]: { Keys: [keys.user(USER)] },
          [environment.tables.memberships]: { Keys: [keys.membership(USER, locationId)] },
          [environment.tables.locations]: { Keys: [keys.location(locationId)], ConsistentRead: true },
        },
      }),
    );
  };
  // The gateway's client: plain node:http on one kept-alive connection, the lightest a client in this same
  // process can be (its CPU is taken from the gateway and the handler it measures; fetch took as much or more).
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const send = (url: string, request: IncomingRequest) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = httpRequest(url, { method: request.method, headers: request.headers as Record<string, string>, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  const run: Record<Mode, (index: number, write: Write) => Promise<void>> = {
    gateway: async (index, write) => {
      const request = requestFor('gateway', index, write);
      const response = await send(gateway.url + request.url, request);
      if (response.status !== expect(write)) throw new Error(`gateway ${request.method} answered ${response.status}: ${response.text}`);
    },
    inProcess: async (index, write) => {
      const handler = write === 'confirm' ? confirmHandler : putHandler;
      const response = await handler(eventFor(requestFor('inProcess', index, write)), lambdaContext(write === 'confirm' ? 'confirmReturn' : 'putReturn', 29_000));
      if (response.statusCode !== expect(write)) throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
    },
    bareReadWrite: async (index, write) => {
      await bareRead(locationOf('bareReadWrite', index, write));
      await bareTransaction('bareReadWrite', index, write);
    },
    barePut: async (index, write) => {
      const stored = storedFor('barePut', index, write);
      await dynamo.send(
        new PutCommand({
          TableName: environment.tables.returns,
          Item: toReturnItem(stored, placeOf(index)),
          ...(write === 'correction'
            ? { ConditionExpression: 'version = :replaces', ExpressionAttributeValues: { ':replaces': 1 } }
            : { ConditionExpression: 'attribute_not_exists(locationId)' }),
        }),
      );
    },
    bareTransact: (index, write) => bareTransaction('bareTransact', index, write),
  };
  const times = new Map<string, number[]>();
  const record = (mode: Mode, write: Write, ms: number) => times.set(`${mode}:${write}`, [...(times.get(`${mode}:${write}`) ?? []), ms]);
  type Ours = 'gateway' | 'inProcess';
  const perRequest: Record<'first' | 'confirm', Record<Ours, Array<{ total: number; calls: Call[] }>>> = { first: { gateway: [], inProcess: [] }, confirm: { gateway: [], inProcess: [] } };
  const requestCounts = new Map<string, number[]>();

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
    collecting = OURS.includes(mode) ? [] : undefined;
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
    if (OURS.includes(mode)) {
      requestCounts.set(`${mode}:${write}`, [...(requestCounts.get(`${mode}:${write}`) ?? []), calls.length]);
      if (write !== 'correction') perRequest[write][mode as Ours].push({ total: elapsed, calls });
    }
  };

  const measuredConfirms = Array.from({ length: total }, (_, index) => index).filter((index) => index >= warmUp && confirms(index)).length;
  const showRuns = progress(`  submitting (${MODES.length} ways, ${firstWrites} first writes + ${Math.floor(firstWrites / correctionEvery)} corrections + ${measuredConfirms} confirms each)`, total);
  try {
    for (let index = 0; index < total; index += 1) {
      const measured = index >= warmUp;
      // Rotate who goes first, so no mode always runs straight after another's write.
      const order = [...MODES.slice(index % MODES.length), ...MODES.slice(0, index % MODES.length)];
      for (const mode of order) {
        if (options.only && !options.only.includes(mode)) continue;
        await timeOne(mode, index, 'first', measured);
        if (index % correctionEvery === correctionEvery - 1) await timeOne(mode, index, 'correction', measured);
        if (confirms(index)) await timeOne(mode, index, 'confirm', measured);
      }
      showRuns(index + 1);
    }

    // Parts of a request timed on their own: the authorizer (RS256 verify against the cached key set; for a
    // return write it reads nothing, leaving the users table to the route), the HTTP round trip through the gateway to a route that
    // reads nothing (GET /v1/health: loopback HTTP both ways, the gateway's routing and event, no
    // authorizer), and the zod parse of the body.
    const authorizerTimes: number[] = [];
    const healthTimes: number[] = [];
    const parseTimes: number[] = [];
    const authorizerEvent = toAuthorizerEvent(eventFor(requestFor('gateway', 0, 'first'), false));
    const health: IncomingRequest = { method: 'GET', url: '/v1/health', headers: { host: new URL(gateway.url).host, 'user-agent': 'capacity-tracker-bench' }, body: Buffer.alloc(0), sourceIp: '127.0.0.1' };
    for (let i = 0; i < 300; i += 1) {
      let started = performance.now();
      await authorizer(authorizerEvent, lambdaContext('authorizer', 10_000));
      authorizerTimes.push(performance.now() - started);
      started = performance.now();
      const answered = await send(gateway.url + health.url, health);
      if (answered.status !== 200) throw new Error(`GET /v1/health answered ${answered.status}: ${answered.text}`);
      healthTimes.push(performance.now() - started);
      started = performance.now();
      DailyReturnSchema.parse(JSON.parse(bodyText));
      parseTimes.push(performance.now() - started);
    }

    const p50Of = (mode: Mode, write: Write) => summarise(times.get(`${mode}:${write}`) ?? []).p50;
    const rows: SubmitRow[] = [];
    for (const write of WRITES) {
      const baseline = p50Of('bareReadWrite', write);
      for (const mode of MODES) {
        const latencyMs = summarise(times.get(`${mode}:${write}`) ?? []);
        const target = mode === 'gateway' ? SUBMIT_TARGET.gatewayVsBare : mode === 'inProcess' ? SUBMIT_TARGET.inProcessVsBare : undefined;
        const ratioToBaseline = latencyMs.p50 / baseline;
        const spent = cpu.get(`${mode}:${write}`);
        const counts = requestCounts.get(`${mode}:${write}`) ?? [];
        rows.push({
          mode,
          write,
          ...labelOf(mode, write),
          ...(OURS.includes(mode) ? { status: expect(write) } : {}),
          latencyMs,
          dynamodbRequestsPerRun: OURS.includes(mode) ? counts.reduce((sum, count) => sum + count, 0) / counts.length : mode === 'bareReadWrite' ? 2 : 1,
          nodeCpuMsPerRun: spent ? spent.nodeMs / spent.runs : Number.NaN,
          dynamodbLocalCpuMsPerRun: spent ? (spent.javaTicks * (1000 / TICKS_PER_SECOND)) / spent.runs : Number.NaN,
          ratioToBaseline,
          ratioToPut: latencyMs.p50 / p50Of('barePut', write),
          ratioToTransact: latencyMs.p50 / p50Of('bareTransact', write),
          ...(target !== undefined ? { target, verdict: verdict(ratioToBaseline, target) } : {}),
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
    const alone = (part: string, values: number[]) => {
      const summary = summarise(values);
      return { part, p50Ms: summary.p50, meanMs: summary.mean };
    };
    const parse = alone('  of which: zod parse of the body (timed alone)', parseTimes);
    const authorize = alone('  of which: the authorizer, checking the token alone (timed alone)', authorizerTimes);
    const http = alone('  of which: HTTP through the gateway to a route that reads nothing (GET /v1/health, timed alone)', healthTimes);
    return {
      target: SUBMIT_TARGET,
      firstWritesPerMode: firstWrites,
      correctionsPerMode: times.get('barePut:correction')?.length ?? 0,
      confirmsPerMode: times.get('barePut:confirm')?.length ?? 0,
      itemBytes,
      loadAverage: { start, end: loadAverage() },
      rows,
      breakdown: { inProcess: breakdownOf(perRequest.first.inProcess, [parse]), gateway: breakdownOf(perRequest.first.gateway, [authorize, http, parse]) },
      confirmBreakdown: { inProcess: breakdownOf(perRequest.confirm.inProcess, []), gateway: breakdownOf(perRequest.confirm.gateway, [authorize, http]) },
    };
  } finally {
    (dynamo as unknown as { send: typeof originalSend }).send = originalSend;
    agent.destroy();
    await gateway.close();
  }
}

const WRITE_NAMES: Record<Write, string> = { first: 'PUT, new day (201)', correction: 'PUT, correction (200)', confirm: 'confirm, new day (201)' };

export function submitMarkdown(results: SubmitResults): string {
  const lines = [
    `## A provider submitting and confirming a daily return (${results.firstWritesPerMode} first writes, ${results.correctionsPerMode} corrections and ${results.confirmsPerMode} confirms each way; load average ${results.loadAverage.start.join(' ')} → ${results.loadAverage.end.join(' ')})`,
    '',
    `Return item ${(results.itemBytes / 1024).toFixed(1)} KB. Targets: in-process p50 ≤ ${results.target.inProcessVsBare}× and gateway p50 ≤ ${results.target.gatewayVsBare}× the baseline (a bare BatchGetItem of the membership and the location, then a bare TransactWriteItems of the same items).`,
    '',
    '| write | what | status | DynamoDB requests per run | p50 (ms) | p99 (ms) | p50 ÷ baseline | vs target | p50 ÷ bare PutItem | p50 ÷ bare TransactWriteItems | node CPU per run (ms) | DynamoDB Local CPU per run (ms) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    const against = row.target !== undefined ? `${row.verdict} (≤ ${row.target}×)` : '';
    lines.push(
      `| ${WRITE_NAMES[row.write]} | ${row.label} | ${row.status ?? ''} | ${cell(row.dynamodbRequestsPerRun, 2)} | ${cell(row.latencyMs.p50, 2)} | ${cell(row.latencyMs.p99, 2)} | ${cell(row.ratioToBaseline, 2)} | ${against} | ${cell(row.ratioToPut, 2)} | ${cell(row.ratioToTransact, 2)} | ${cell(row.nodeCpuMsPerRun, 2)} | ${cell(row.dynamodbLocalCpuMsPerRun, 1)} |`,
    );
  }
  for (const [name, rows] of [
    ["a first write's (in-process handler)", results.breakdown.inProcess],
    ["a first write's (gateway)", results.breakdown.gateway],
    ["a confirm's (in-process handler)", results.confirmBreakdown.inProcess],
    ["a confirm's (gateway)", results.confirmBreakdown.gateway],
  ] as const) {
    lines.push('', `Where ${name} time goes, per request:`, '', '| part | p50 (ms) | mean (ms) |', '|---|---|---|');
    for (const row of rows) lines.push(`| ${row.part} | ${cell(row.p50Ms, 2)} | ${cell(row.meanMs, 2)} |`);
  }
  return lines.join('\n');
}
