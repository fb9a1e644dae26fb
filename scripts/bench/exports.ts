import { gunzipSync } from 'node:zlib';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/model/access/identity';
import { matchRoute } from '#shared/model/routes';
import { CARE_HOME_CATEGORIES } from '#shared/model/schemas/location';
import type { StoredReturn } from '#shared/model/schemas/return';
import { createTableInput, tables as definitions } from '#shared/model/tables';
import { toApiGatewayEvent } from '../local/api-event';
import { lambdaContext } from '../local/lambda-context';
import type { BenchEnvironment } from './environment';
import { progress } from './environment';
import { cell, loadAverage, mebibytes, summarise, type Summary } from './stats';

/** What Lambda lets a function answer API Gateway with (the whole JSON-encoded result). */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

export interface ExportRow {
  export: string;
  /** What the client asked for with Accept-Encoding. */
  encoding: 'gzip' | 'identity';
  /** The answer: 200, or 406 to a client that will not take gzip when the CSV is over what a response carries. */
  status: number;
  /** The CSV's (for a 406, as the gzip answer carried it). */
  rows: number;
  /** The CSV itself, UTF-8. */
  csvBytes: number;
  /** What went over the wire: the gzip bytes when compressed, else the CSV. */
  bodyBytes: number;
  /** The handler's JSON-encoded result as Lambda would return it (base64 body when gzipped). */
  lambdaPayloadBytes: number;
  withinLambdaLimit: boolean;
  handlerMs: Summary;
  /** The same items read bare: every page of the same Query, nothing else. */
  bareMs: Summary;
  bareItems: number;
  ratioP50: number;
}

export interface ExportResults {
  locations: number;
  aggregateAuthorities: number;
  aggregateDays: number;
  runs: number;
  seedSeconds: { locations: number; aggregates: number };
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  rows: ExportRow[];
}

const LOCATIONS = 30_000;
const AUTHORITIES = 300;
const NATIONAL: AuthorizerContext = { kind: 'user', userId: 'bench-national', role: 'national', areas: '' };

/** ~300 local authority codes over the four prefixes, each in one of the nine regions. */
function authorities(): Array<{ area: string; region: string }> {
  const prefixes = ['E06', 'E10', 'E08', 'E09'];
  return Array.from({ length: AUTHORITIES }, (_, index) => ({
    area: `${prefixes[index % prefixes.length]}${String(index + 1).padStart(6, '0')}`,
    region: `E1200000${(index % 9) + 1}`,
  }));
}

/** Run `work` over `items` in chunks, `parallel` chunks at a time, reporting how many are done. */
async function inParallel<T>(items: readonly T[], chunk: number, parallel: number, work: (part: T[]) => Promise<void>, onDone: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const part = items.slice(next, next + chunk);
        next += chunk;
        await work(part);
        done += part.length;
        onDone(done);
      }
    }),
  );
}

/**
 * The two national exports, through their handlers in-process (the API Gateway v2 event the gateway
 * builds, a national caller): `GET /v1/exports/locations.csv` over 30,000 locations, each with the
 * latest-return copy the aggregator keeps on it, and `GET /v1/exports/aggregates.csv` for a year of
 * daily aggregates of ~300 local authorities, seeded directly as the aggregator lays them out. Beside
 * each, a bare paginated read of the same items (same request builder, same page size; for the locations,
 * each page of the keys-only listing index and then its items by BatchGetItem) on the same DynamoDB
 * Local; with and without gzip.
 */
export async function benchExports(environment: BenchEnvironment, options: { runs?: number; days?: number } = {}): Promise<ExportResults> {
  const runs = options.runs ?? 5;
  const days = options.days ?? 366;
  const start = loadAverage();
  const { batchPut } = await import('#shared/repositories/batch-write');
  const { listLocationsRequest, toLocationItem } = await import('#shared/repositories/locations');
  const { levelAggregatesRequest } = await import('#shared/repositories/aggregates');
  const { areaKeyOf } = await import('#shared/model/aggregates/areas');
  const { METRICS } = await import('#shared/model/aggregates/metrics');
  const { keys } = await import('#shared/model/keys');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const { addDays, londonDay } = await import('#shared/model/returns/report-date');
  const { RETURN_SCHEMA_VERSION } = await import('#shared/model/schemas/return');
  type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
  const exportLocations = ((await import('#functions/exports/locations')) as { handler: Handler }).handler;
  const exportAggregates = ((await import('#functions/exports/aggregates')) as { handler: Handler }).handler;

  // Tables of their own contents: exactly these locations and aggregates, whatever ran before.
  for (const id of ['locations', 'aggregates'] as const) {
    await environment.client.send(new DeleteTableCommand({ TableName: environment.tables[id] }));
    await environment.client.send(new CreateTableCommand(createTableInput(definitions[id], environment.tables[id])));
  }

  const today = londonDay(new Date());
  const areas = authorities();
  let seedStarted = performance.now();
  const locationItems = Array.from({ length: LOCATIONS }, (_, index) => {
    const { area, region } = areas[index % areas.length]!;
    const locationId = `1-3${String(index).padStart(8, '0')}`;
    // One in twenty has never reported; one in nine carries a warning.
    const reported = index % 20 !== 0;
    const submittedAt = new Date(Date.now() - ((index * 7919) % (30 * 3_600_000))).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const latest: StoredReturn | undefined = reported
      ? {
          vacancies: Object.fromEntries(CARE_HOME_CATEGORIES.map((category, c) => [category, { male: (index + c) % 2, female: (index + c) % 3, any: (index * c) % 4 }])),
          beds: { occupied: 20 + (index % 40), vacantReserved: index % 3, vacantNotAdmittable: index % 5 === 0 ? 1 : 0, ...(index % 5 === 0 ? { notAdmittableReason: 'staffing' as const } : {}) },
          admissions: index % 13 === 0 ? { status: 'restricted', reason: 'outbreak' } : { status: 'open' },
          outbreak: { active: index % 13 === 0, residentsConfirmed: index % 13 === 0 ? 2 : 0, residentsSuspected: 0, staffConfirmed: 0 },
          workforce: { staffEmployed: 40 + (index % 30), staffAbsent: index % 6, staffAbsentCovid: index % 13 === 0 ? 1 : 0, agencyStaffShifts: index % 4 },
          ppe: { gloves: 30, aprons: 28, fluidResistantMasks: 14, ffp3Masks: index % 8, eyeProtection: 21, handHygiene: 60 },
          visiting: 'open',
          locationId,
          reportDate: today,
          version: 1 + (index % 3 === 0 ? 1 : 0),
          submittedAt,
          submittedBy: `user-${index % 500}`,
          warnings: index % 9 === 0 ? [{ code: 'absentAboveEmployed', path: 'workforce.staffAbsent', message: 'more staff absent than employed' }] : [],
          schemaVersion: RETURN_SCHEMA_VERSION,
        }
      : undefined;
    return {
      ...toLocationItem({
        locationId,
        providerId: `1-2${String(Math.floor(index / 4)).padStart(8, '0')}`,
        name: index % 50 === 0 ? `=Bench "Home", ${index}` : `Bench Home ${index}`,
        type: 'careHome',
        categories: [...CARE_HOME_CATEGORIES],
        registeredBeds: 70,
        localAuthority: area,
        region,
        active: true,
        lastUpdated: latest ? submittedAt : null,
      }),
      ...(latest ? { latestReturn: latest } : {}),
    };
  });
  await inParallel(locationItems, 250, 4, (part) => batchPut(environment.tables.locations, part as unknown as Record<string, unknown>[]), progress(`  loading ${LOCATIONS} locations with their latest returns`, LOCATIONS));
  const locationSeconds = (performance.now() - seedStarted) / 1000;

  seedStarted = performance.now();
  const from = addDays(today, -(days - 1));
  const aggregateItems: Record<string, unknown>[] = [];
  for (let day = 0; day < days; day += 1) {
    const date = addDays(from, day);
    for (const [index, { area, region }] of areas.entries()) {
      const reporting = 60 + ((index * 31 + day * 7) % 40);
      const metrics = Object.fromEntries(METRICS.map((metric, m) => [metric, metric === 'locationsReporting' ? reporting : (index * 13 + day * 5 + m * 17) % (m % 3 === 0 ? 5000 : 60)]));
      aggregateItems.push({
        ...keys.aggregate(areaKeyOf({ level: 'localAuthority', area }), date),
        level: 'localAuthority',
        area,
        dateArea: keys.dateArea(date, area),
        region,
        locationsExpected: 100,
        ...metrics,
      });
    }
  }
  await inParallel(aggregateItems, 500, 4, (part) => batchPut(environment.tables.aggregates, part), progress(`  loading ${aggregateItems.length} daily aggregates (${days} days × ${AUTHORITIES} authorities)`, aggregateItems.length));
  const aggregateSeconds = (performance.now() - seedStarted) / 1000;

  const eventFor = (url: string, gzip: boolean) => {
    const match = matchRoute('GET', url.split('?')[0]!);
    if (match.kind !== 'matched') throw new Error(`no route for ${url}`);
    return toApiGatewayEvent(
      {
        method: 'GET',
        url,
        headers: { host: 'localhost', authorization: 'Bearer bench', 'user-agent': 'capacity-tracker-bench', ...(gzip ? { 'accept-encoding': 'gzip, deflate, br' } : {}) },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
      },
      { routeKey: `${match.route.method} ${match.route.path}`, pathParameters: match.pathParameters },
      NATIONAL,
    );
  };
  const bareRead = async (first: QueryCommandInput): Promise<number> => {
    let items = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(new QueryCommand({ ...first, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      items += page.Items?.length ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };
  // The listing index holds keys only (issue 20): each page of keys, then its items, 100 to a BatchGetItem, side by side.
  const bareListing = async (first: QueryCommandInput): Promise<number> => {
    let items = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(new QueryCommand({ ...first, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      const ids = (page.Items ?? []).map((entry) => ({ locationId: entry.locationId }));
      const chunks = Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => ids.slice(i * 100, (i + 1) * 100));
      const found = await Promise.all(chunks.map((Keys) => dynamo.send(new BatchGetCommand({ RequestItems: { [first.TableName!]: { Keys } } }))));
      items += found.reduce((sum, result) => sum + (result.Responses?.[first.TableName!]?.length ?? 0), 0);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  const subjects = [
    {
      name: `locations.csv (${LOCATIONS.toLocaleString('en-GB')} locations)`,
      url: '/v1/exports/locations.csv',
      handler: exportLocations,
      functionName: 'exportLocations',
      bare: () => bareListing(listLocationsRequest({ limit: 1000 }, environment.tables.locations)),
    },
    {
      name: `aggregates.csv (localAuthority, ${days} days)`,
      url: `/v1/exports/aggregates.csv?level=localAuthority&from=${from}&to=${today}`,
      handler: exportAggregates,
      functionName: 'exportAggregates',
      bare: () => bareRead(levelAggregatesRequest('localAuthority', from, today, 1000, undefined, environment.tables.aggregates)),
    },
  ];

  const rows: ExportRow[] = [];
  for (const subject of subjects) {
    const handlerTimes = { gzip: [] as number[], identity: [] as number[] };
    const bareTimes: number[] = [];
    const last: Partial<Record<'gzip' | 'identity', APIGatewayProxyStructuredResultV2>> = {};
    let bareItems = 0;
    const show = progress(`  ${subject.name}: ${runs} runs each of the handler (gzip and not) and the bare read`, runs);
    for (let run = 0; run < runs; run += 1) {
      for (const encoding of run % 2 === 0 ? (['gzip', 'identity'] as const) : (['identity', 'gzip'] as const)) {
        const started = performance.now();
        const response = await subject.handler(eventFor(subject.url, encoding === 'gzip'), lambdaContext(subject.functionName, 29_000));
        handlerTimes[encoding].push(performance.now() - started);
        // Uncompressed, an export over Lambda's response limit is refused, saying to ask for gzip.
        const refused = encoding === 'identity' && response.statusCode === 406;
        if (response.statusCode !== 200 && !refused) throw new Error(`${subject.url} answered ${response.statusCode}: ${String(response.body).slice(0, 500)}`);
        last[encoding] = response;
      }
      const started = performance.now();
      bareItems = await subject.bare();
      bareTimes.push(performance.now() - started);
      show(run + 1);
    }
    const bare = summarise(bareTimes);
    for (const encoding of ['identity', 'gzip'] as const) {
      const response = last[encoding]!;
      const bodyOf = (answer: APIGatewayProxyStructuredResultV2) => (answer.isBase64Encoded ? Buffer.from(answer.body ?? '', 'base64') : Buffer.from(answer.body ?? '', 'utf8'));
      const bodyBytes = bodyOf(response);
      const withCsv = response.statusCode === 200 ? response : last.gzip!;
      const csv = withCsv.isBase64Encoded ? gunzipSync(bodyOf(withCsv)).toString('utf8') : (withCsv.body ?? '');
      const lambdaPayloadBytes = Buffer.byteLength(JSON.stringify(response));
      const handlerMs = summarise(handlerTimes[encoding]);
      rows.push({
        export: subject.name,
        encoding,
        status: response.statusCode ?? 200,
        rows: csv.split('\r\n').filter(Boolean).length - 1,
        csvBytes: Buffer.byteLength(csv),
        bodyBytes: bodyBytes.byteLength,
        lambdaPayloadBytes,
        withinLambdaLimit: lambdaPayloadBytes <= LAMBDA_RESPONSE_LIMIT_BYTES,
        handlerMs,
        bareMs: bare,
        bareItems,
        ratioP50: handlerMs.p50 / bare.p50,
      });
    }
  }
  return {
    locations: LOCATIONS,
    aggregateAuthorities: AUTHORITIES,
    aggregateDays: days,
    runs,
    seedSeconds: { locations: locationSeconds, aggregates: aggregateSeconds },
    loadAverage: { start, end: loadAverage() },
    rows,
  };
}

export function exportsMarkdown(results: ExportResults): string {
  const lines = [
    `## National exports (handler in-process, ${results.runs} runs each; load average ${results.loadAverage.start.join(' ')} → ${results.loadAverage.end.join(' ')})`,
    '',
    '| export | Accept-Encoding | status | rows | CSV (MB) | body (MB) | Lambda payload (MB) | ≤ 6 MB | handler p50 (ms) | handler max (ms) | bare paginated Query p50 (ms) | items read bare | p50 ÷ bare |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    lines.push(
      `| ${row.export} | ${row.encoding} | ${row.status} | ${row.rows} | ${cell(mebibytes(row.csvBytes), 2)} | ${cell(mebibytes(row.bodyBytes), 2)} | ${cell(mebibytes(row.lambdaPayloadBytes), 2)} | ${row.withinLambdaLimit ? 'yes' : 'no'} | ${cell(row.handlerMs.p50, 0)} | ${cell(row.handlerMs.max, 0)} | ${cell(row.bareMs.p50, 0)} | ${row.bareItems} | ${cell(row.ratioP50, 2)} |`,
    );
  }
  return lines.join('\n');
}
