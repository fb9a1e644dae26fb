import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ExportRequest } from '#shared/model/schemas/exports';
import type { StoredReturn } from '#shared/model/schemas/return';
import { BENCH_TABLE_PREFIX, progress } from './environment';
import type { BareReadReport, ExportJobChildReport } from './export-job-child';
import { TICKS_PER_SECOND } from './memory';
import { cell, loadAverage, mebibytes, parseProcStat, ratio, round, rssFromProcStatus, verdict } from './stats';

/**
 * Export jobs (issue 18): `POST /v1/exports` → the export worker streams the rows into S3 → a link.
 * For each export: the worker (`runExportJob`) alone in a child process (its memory, its time, its CPU),
 * every page of the same Queries read bare in this process, and the time from the POST to a link
 * through the local gateway (the worker then runs in this process behind the local Lambda Invoke
 * endpoint, as `npm start` runs it).
 */

/** The issue's targets: the worker's peak RSS flat and at most this, whatever the size; its time against a bare paginated Query of the same items. */
export const EXPORT_JOB_TARGET = { peakRssMb: 256, ratio: 1.3 } as const;

export interface ExportJobRow {
  /** What was exported, e.g. "returns, England, 31 days". */
  export: string;
  kind: 'returns' | 'aggregates';
  level: ExportRequest['level'];
  from: string;
  to: string;
  days: number;
  format: 'csv';
  compression: 'none' | 'gzip';
  /**
   * The Limit of each Query page: `asShipped` is the request builder's own (none for the byDay Query,
   * 1000 for byLevel); `whatIf` is a Limit the bench gave every byDay Query that had none (the worker's
   * and the bare read's alike), to show what one would change on DynamoDB Local.
   */
  queryLimit: { limit: number | null; source: 'asShipped' | 'whatIf' };
  rows: number;
  bytes: number;
  /** The worker in a child process: `runExportJob` from start to the job marked ready. */
  worker?: {
    ms: number;
    rowsPerSecond: number;
    cpuMs: number;
    /** DynamoDB Local's CPU while the worker ran (java, from /proc). */
    dynamodbLocalCpuMs: number;
    rssAtStartMb: number;
    heapUsedAtStartMb: number;
    /** process.resourceUsage().maxRSS. */
    peakRssMb: number;
    peakRssSampledMb: number;
    peakHeapUsedMb: number;
    peakExternalMb: number;
    peakHeapTotalMb: number;
    dynamodbCalls: ExportJobChildReport['dynamodbCalls'];
  };
  /**
   * Every page of the same Queries, counting the items and nothing else, in a child process like the
   * worker's: read before the worker ran and again after it (`runsMs`), so load that comes and goes on
   * the machine falls on both; `ms`, `cpuMs` (the child's) and `dynamodbLocalCpuMs` are the means of the
   * two. Shared by the rows of one export.
   */
  bare?: { ms: number; runsMs: number[]; items: number; pages: number; attempts: number; rowsPerSecond: number; cpuMs: number; dynamodbLocalCpuMs: number };
  /** worker ms ÷ bare ms (the mean of the two reads). */
  ratio?: number;
  /**
   * The same on CPU, which load from other work moves less than wall time: (worker CPU + DynamoDB
   * Local's meanwhile) ÷ (the bare child's CPU + DynamoDB Local's meanwhile).
   */
  cpuRatio?: number;
  /** POST /v1/exports → polled GET /v1/exports/{id} every 250 ms → a url; then the file downloaded through it. */
  link?: { seconds: number; polls: number; downloadedBytes: number; sizeMatches: boolean; linesInFile: number; rowsMatch: boolean; downloadSeconds: number };
  /** When a part of the row failed: what, and the error. */
  errors?: string[];
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  rssVerdict?: 'meets' | 'misses';
  ratioVerdict?: 'meets' | 'misses';
}

export interface ExportJobResults {
  at: string;
  locations: number;
  returnDays: number;
  councils: number;
  aggregateDays: number;
  /** Share of council-days with no stored aggregate (the export writes them as zero rows). */
  missingAggregateShare: number;
  returnItems: number;
  aggregateItems: number;
  /** Mean size of a return item as JSON (the attribute values, unmarshalled). */
  returnItemBytes: number;
  seedSeconds: { returns: number; aggregates: number; locations: number };
  /** DynamoDB Local (in memory): its RSS once seeded, and the highest seen while the exports ran. */
  dynamodbLocalRssMb: { seeded: number; max: number };
  /** The returns table was made without its stream (nothing here reads it; DynamoDB Local keeps every record in memory). */
  returnsStream: false;
  /**
   * The worker child's RSS once its code is loaded, before any row (median of 3 processes that load and
   * exit): as measured (the esbuild bundle under plain node, as Lambda loads it) and under tsx's loader.
   */
  childStartRssMb: { bundle: number; tsx: number };
  target: typeof EXPORT_JOB_TARGET;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  rows: ExportJobRow[];
}

export interface ExportJobOptions {
  locations?: number;
  returnDays?: number;
  aggregateDays?: number;
  councils?: number;
  /** The Limit the bench gives byDay Queries that carry none, for the whole range of returns; null: as shipped. */
  dayQueryLimit?: number | null;
  /** Write a V8 CPU profile of each worker child here (`--cpu-prof`). */
  cpuProfileDir?: string;
}

const NATIONAL_USER = 'bench-national';
const WRITERS = 4;
const MB = 2 ** 20;

/** A cheap deterministic hash of two integers (the figures of location l on day d). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x6d2b79f5, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

const NOTES = [
  'Two rooms closed for redecoration until Friday',
  'Awaiting DoLS assessment for one resident, admission pending',
  'Agency cover booked for nights; "short notice" requests hard to fill',
  'Lift out of service, first floor rooms not admittable',
  '=SUM(A1:A9) pasted from the spreadsheet by mistake',
  'Manager on leave, deputy (J. Smith) completing returns, call 01632 960 000',
  'Boiler repaired; all rooms back in use',
];

/** ~300 councils (codes over the four council prefixes, each in one of the nine regions), some names with commas as ONS writes them. */
function councilsOf(count: number): Array<{ code: string; name: string; region: string }> {
  const prefixes = ['E06', 'E10', 'E08', 'E09'];
  return Array.from({ length: count }, (_, index) => ({
    code: `${prefixes[index % prefixes.length]}${String(index + 1).padStart(6, '0')}`,
    name: index % 10 === 3 ? `Bench Borough ${index}, City of` : `Bench Council ${index}`,
    region: `E1200000${(index % 9) + 1}`,
  }));
}

/**
 * The export-jobs benchmark: its own local system (DynamoDB Local in memory, the S3 server, the gateway
 * and the local Lambda Invoke endpoint running the worker), seeded directly.
 */
export async function benchExportJobs(options: ExportJobOptions = {}): Promise<ExportJobResults> {
  const locations = options.locations ?? 30_000;
  const returnDays = options.returnDays ?? 31;
  const aggregateDays = options.aggregateDays ?? 365;
  const councilCount = options.councils ?? 300;
  const dayQueryLimit = options.dayQueryLimit === undefined ? 1000 : options.dayQueryLimit;
  const startLoad = loadAverage();
  const at = new Date().toISOString();
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

  const workDir = mkdtempSync(join(tmpdir(), 'ct-bench-jobs-'));
  const { startLocalSystem } = await import('../local/system');
  // The shared DynamoDB client is made once per process, with the DYNAMODB_ENDPOINT of the moment: when an
  // earlier section of this run loaded it, this DynamoDB Local takes that (now free) port.
  const earlier = process.env.DYNAMODB_ENDPOINT ? Number(new URL(process.env.DYNAMODB_ENDPOINT).port) : undefined;
  let system: Awaited<ReturnType<typeof startLocalSystem>> | undefined;
  for (let attempt = 1; !system; attempt += 1) {
    try {
      system = await startLocalSystem({
        ...(earlier ? { dynamodb: { port: earlier } } : {}),
        tablePrefix: BENCH_TABLE_PREFIX,
        s3: {},
        exportWorker: { deadLetterFile: join(workDir, 'export-worker-dead-letters.jsonl') },
        gateway: { port: 0 },
      });
    } catch (error) {
      if (!earlier || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  const javaPid = system.dynamodb?.pid();
  const javaRss = () => (javaPid ? (rssFromProcStatus(readText(`/proc/${javaPid}/status`)) ?? 0) / MB : 0);
  const javaCpuMs = () => {
    const stat = javaPid ? parseProcStat(readText(`/proc/${javaPid}/stat`)) : undefined;
    return stat ? (stat.cpuTicks * 1000) / TICKS_PER_SECOND : 0;
  };
  let javaRssMax = 0;
  const javaSampler = setInterval(() => (javaRssMax = Math.max(javaRssMax, javaRss())), 1_000);

  try {
    // Imported once the system has pointed the shared clients at its DynamoDB Local and S3 server.
    const { dynamo } = await import('#shared/runtime/dynamodb');
    // The worker logs each run at INFO. The shared logger was made when index.ts loaded, before
    // POWERTOOLS_LOG_LEVEL was set, and each invocation goes back to the level it was made with.
    ((await import('#shared/runtime/powertools')).logger as unknown as { setInitialLogLevel(level: string): void }).setInitialLogLevel('ERROR');
    const { createTableInput, tables: definitions } = await import('#shared/model/tables');
    const { toReturnItem } = await import('#shared/model/returns/return-item');
    const { toLocationItem } = await import('#shared/repositories/locations');
    const { putAreas } = await import('#shared/repositories/areas');
    const { dayReturnsRequest } = await import('#shared/repositories/returns-by-day');
    const { putExportJob, getExportJob } = await import('#shared/repositories/export-jobs');
    const { EXPORT_RETENTION_DAYS } = await import('#shared/model/schemas/exports');
    const { areaKeyOf } = await import('#shared/model/aggregates/areas');
    const { METRICS } = await import('#shared/model/aggregates/metrics');
    const { keys } = await import('#shared/model/keys');
    const { addDays, londonDay, toInstant } = await import('#shared/model/returns/report-date');
    const { RETURN_SCHEMA_VERSION } = await import('#shared/model/schemas/return');
    const { CARE_HOME_CATEGORIES } = await import('#shared/model/schemas/location');
    const { exportWorkerFunction } = await import('#shared/model/async-functions');
    const { functionEnvironment, REPO_ROOT } = await import('../local/lambda-runtime');
    const tables = system.tables;

    // The returns table without its stream: nothing in this bench reads it, and DynamoDB Local keeps every
    // record (a whole new image each) in memory: about 5 KB and a quarter more of its CPU per item written.
    const client = new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({ endpoint: system.dynamodbEndpoint });
    await client.send(new DeleteTableCommand({ TableName: tables.returns }));
    const { StreamSpecification: _stream, ...returnsTable } = createTableInput(definitions.returns, tables.returns);
    await client.send(new CreateTableCommand(returnsTable));
    const described = await client.send(new DescribeTableCommand({ TableName: tables.returns }));
    if (described.Table?.StreamSpecification?.StreamEnabled) throw new Error('the returns table was made with a stream');
    client.destroy();

    const today = londonDay(new Date());
    const returnsFrom = addDays(today, -(returnDays - 1));
    const aggregatesFrom = addDays(today, -(aggregateDays - 1));
    const councils = councilsOf(councilCount);
    const councilOf = (location: number) => councils[location % councils.length]!;
    const locationId = (location: number) => `1-1${String(location).padStart(9, '0')}`;
    const homeName = (location: number) => (location % 40 === 7 ? `The Beeches, ${location}` : `Bench Home ${location}`);

    /** Put `total` items made by `make`, 25 to a BatchWriteItem, WRITERS requests at a time, resending what is left unprocessed. */
    async function writeAll(table: string, total: number, make: (index: number) => Record<string, unknown>, label: string): Promise<number> {
      const started = performance.now();
      const show = progress(label, total);
      let next = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (next < total) {
            const first = next;
            const last = Math.min(total, first + 25);
            next = last;
            let requests: Array<Record<string, unknown>> | undefined = [];
            for (let index = first; index < last; index += 1) requests.push({ PutRequest: { Item: make(index) } });
            for (let attempt = 0; requests && requests.length > 0; attempt += 1) {
              if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
              const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
              requests = result.UnprocessedItems?.[table] as Array<Record<string, unknown>> | undefined;
            }
            done += last - first;
            show(done);
          }
        }),
      );
      return (performance.now() - started) / 1000;
    }

    // Councils, with names (the aggregates export reads them for its areaName column).
    await putAreas(councils.map((council) => ({ level: 'localAuthority' as const, code: council.code, name: council.name, parent: council.region })));

    // The directory: every location active (a day with no aggregate counts a council's active locations).
    const locationSeconds = await writeAll(
      tables.locations,
      locations,
      (location) => {
        const council = councilOf(location);
        return toLocationItem({
          locationId: locationId(location),
          providerId: `1-2${String(Math.floor(location / 3)).padStart(9, '0')}`,
          name: homeName(location),
          type: 'careHome',
          categories: [...CARE_HOME_CATEGORIES],
          registeredBeds: 70,
          localAuthority: council.code,
          region: council.region,
          active: true,
          lastUpdated: `${today}T09:00:00Z`,
        }) as unknown as Record<string, unknown>;
      },
      `  loading ${locations} locations`,
    );

    // Every location's return for every day, as the write path stores them (toReturnItem: placeKey for byDay).
    const returnItemOf = (index: number) => {
      const day = Math.floor(index / locations);
      const location = index % locations;
      const reportDate = addDays(returnsFrom, day);
      const council = councilOf(location);
      const h = mix(location, day);
      const admissions = h % 13 === 0 ? { status: 'restricted' as const, reason: 'outbreak' as const } : h % 29 === 0 ? { status: 'closed' as const, reason: 'staffing' as const } : { status: 'open' as const };
      const notAdmittable = (h >>> 4) % 6 === 0 ? 1 : 0;
      const corrected = (h >>> 8) % 10 === 0;
      const submitted = Date.parse(`${reportDate}T07:30:00Z`) + ((h >>> 3) % (10 * 3600)) * 1000;
      const stored: StoredReturn = {
        vacancies: Object.fromEntries(
          CARE_HOME_CATEGORIES.map((category, c) => [category, { male: ((h >>> c) & 3) === 0 ? 1 : 0, female: ((h >>> (c + 6)) & 7) === 0 ? 1 : 0, any: ((h >>> (c + 12)) & 3) === 1 ? (h >>> 20) % 3 : 0 }]),
        ),
        beds: { occupied: 20 + (h % 45), vacantReserved: (h >>> 5) % 3, vacantNotAdmittable: notAdmittable, ...(notAdmittable ? { notAdmittableReason: 'refurbishment' as const } : {}) },
        admissions,
        outbreak: { active: admissions.reason === 'outbreak', residentsConfirmed: admissions.reason === 'outbreak' ? 1 + (h % 4) : 0, residentsSuspected: admissions.reason === 'outbreak' ? h % 3 : 0, staffConfirmed: 0 },
        workforce: { staffEmployed: 35 + (h % 30), staffAbsent: (h >>> 6) % 6, staffAbsentCovid: admissions.reason === 'outbreak' ? 1 : 0, agencyStaffShifts: (h >>> 9) % 5 },
        ppe: { gloves: 30, aprons: 28, fluidResistantMasks: 14 + (h % 7), ffp3Masks: (h >>> 11) % 8, eyeProtection: 21, handHygiene: 60 },
        visiting: admissions.status === 'open' ? 'open' : 'restricted',
        ...((h >>> 14) % 6 === 0 ? { notes: NOTES[(h >>> 17) % NOTES.length]! } : {}),
        locationId: locationId(location),
        reportDate,
        version: corrected ? 2 : 1,
        submittedAt: toInstant(new Date(submitted + (corrected ? 25 * 60_000 : 0))),
        firstSubmittedAt: toInstant(new Date(submitted)),
        submittedBy: `user-${location % 5000}`,
        warnings: (h >>> 19) % 9 === 0 ? [{ code: 'absentAboveEmployed', path: 'workforce.staffAbsent', message: 'more staff absent than employed' }] : [],
        schemaVersion: RETURN_SCHEMA_VERSION,
        ...(day > 0 && (h >>> 22) % 5 === 0 ? { confirmedFrom: { reportDate: addDays(reportDate, -1), version: 1 } } : {}),
      } as StoredReturn;
      return toReturnItem(stored, { localAuthority: council.code, region: council.region, name: homeName(location), type: 'careHome' }) as unknown as Record<string, unknown>;
    };
    const returnItems = locations * returnDays;
    const returnItemBytes = Math.round(Array.from({ length: 200 }, (_, i) => Buffer.byteLength(JSON.stringify(returnItemOf(i * 151)))).reduce((a, b) => a + b, 0) / 200);
    const returnSeconds = await writeAll(tables.returns, returnItems, returnItemOf, `  loading ${returnItems} returns (${locations} locations × ${returnDays} days)`);

    // A year of every council's daily aggregates, as the aggregator lays them out; about 1 in 20 council-days
    // missing (nobody reported), which the export writes as zero rows.
    const missing = (council: number, day: number) => mix(council + 7, day + 1_000) % 20 === 0;
    const aggregateKeys: Array<[number, number]> = [];
    for (let day = 0; day < aggregateDays; day += 1) {
      for (let council = 0; council < councils.length; council += 1) if (!missing(council, day)) aggregateKeys.push([council, day]);
    }
    const perCouncil = Math.ceil(locations / councils.length);
    const aggregateSeconds = await writeAll(
      tables.aggregates,
      aggregateKeys.length,
      (index) => {
        const [c, day] = aggregateKeys[index]!;
        const { code, region } = councils[c]!;
        const date = addDays(aggregatesFrom, day);
        const reporting = Math.max(0, perCouncil - (mix(c, day) % 12));
        const metrics = Object.fromEntries(METRICS.map((metric, m) => [metric, metric === 'locationsReporting' ? reporting : (c * 13 + day * 5 + m * 17) % (m % 3 === 0 ? 5000 : 60)]));
        return { ...keys.aggregate(areaKeyOf({ level: 'localAuthority', area: code }), date), level: 'localAuthority', area: code, dateArea: keys.dateArea(date, code), region, locationsExpected: perCouncil, ...metrics };
      },
      `  loading ${aggregateKeys.length} daily aggregates (${aggregateDays} days × ${councils.length} councils, ${councils.length * aggregateDays - aggregateKeys.length} council-days missing)`,
    );
    const seededRss = javaRss();

    // Each byDay Query that carries no Limit gets `whatIf` while it is set (the worker in this process, behind the gateway).
    let whatIf: number | undefined;
    let limitsAdded = 0;
    const send = dynamo.send.bind(dynamo) as (command: unknown, sendOptions?: unknown) => Promise<unknown>;
    (dynamo as unknown as { send: typeof send }).send = (command, sendOptions) => {
      const input = (command as { input: { IndexName?: string; Limit?: number } }).input;
      if (whatIf && input.IndexName === 'byDay' && input.Limit === undefined) {
        input.Limit = whatIf;
        limitsAdded += 1;
      }
      return send(command, sendOptions);
    };

    /** A job item as POST /v1/exports stores it for a national user, for the child to run. */
    async function newJob(request: ExportRequest & { compression: 'none' | 'gzip' }): Promise<string> {
      const exportId = randomUUID();
      const now = new Date();
      await putExportJob({
        exportId,
        kind: request.kind,
        level: request.level,
        from: request.from,
        to: request.to,
        format: request.format,
        compression: request.compression,
        ownerId: NATIONAL_USER,
        ownerRole: 'national',
        ownerAreas: [],
        status: 'pending',
        createdAt: toInstant(now),
        expiresAtEpoch: Math.floor(now.getTime() / 1000) + EXPORT_RETENTION_DAYS * 86_400,
      });
      return exportId;
    }

    // The worker child as Lambda loads the worker: bundled with the functions' own esbuild options, run by plain node.
    const { build } = await import('esbuild');
    const { esbuildOptionsFor } = await import('#infra/constructs/bundling');
    const bundleDir = join(workDir, 'export-job-child');
    // Profiled, the bundle is left unminified, so that the profile names the functions.
    await build({ ...esbuildOptionsFor(join(REPO_ROOT, 'scripts', 'bench', 'export-job-child.ts'), bundleDir), ...(options.cpuProfileDir ? { minify: false } : {}) });
    const childArgs = (runner: 'bundle' | 'tsx') =>
      runner === 'bundle' ? ['--enable-source-maps', join(bundleDir, 'index.mjs')] : ['--import', 'tsx', join('scripts', 'bench', 'export-job-child.ts')];
    const childEnvironment = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_REGION: process.env.AWS_REGION,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
      S3_ENDPOINT: process.env.S3_ENDPOINT,
      POWERTOOLS_SERVICE_NAME: 'capacity-tracker',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      // What the CDK app gives the function: its tables' names and EXPORTS_BUCKET.
      ...functionEnvironment(exportWorkerFunction),
      ...extra,
    });
    /** The child's RSS with its code loaded and nothing run: the median of three. */
    async function startRss(runner: 'bundle' | 'tsx'): Promise<number> {
      const figures: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const child = spawn(process.execPath, childArgs(runner), { cwd: REPO_ROOT, env: childEnvironment({ BENCH_LOAD_ONLY: '1' }), stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        if (code !== 0) throw new Error(`the worker child (${runner}, load only) exited with ${code}`);
        figures.push((JSON.parse(stdout.trim().split('\n').at(-1)!) as { rssAtStartMb: number }).rssAtStartMb);
      }
      return figures.sort((a, b) => a - b)[1]!;
    }
    const childStartRssMb = { bundle: await startRss('bundle'), tsx: await startRss('tsx') };

    /**
     * The bare read, in a child process like the worker's (the bundle under plain node): every page of the
     * export's Queries, counting the items. (Read in this process, which also holds the gateway, the S3
     * server and tsx's loader, the same pages took up to half as long again.)
     */
    async function bareRead(request: Omit<ExportRequest, 'format' | 'compression'>, limit: number | undefined, label: string): Promise<BareReadReport & { dynamodbLocalCpuMs: number }> {
      console.error(`    bare: every page of the same Queries (a child process), ${label}`);
      const cpuBefore = javaCpuMs();
      const child = spawn(process.execPath, childArgs('bundle'), {
        cwd: REPO_ROOT,
        env: childEnvironment({ BENCH_BARE: JSON.stringify({ kind: request.kind, level: request.level, from: request.from, to: request.to }), ...(limit ? { BENCH_DAY_QUERY_LIMIT: String(limit) } : {}) }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) throw new Error(`the bare child exited with ${code}: ${stderr.slice(-2_000)}`);
      return { ...(JSON.parse(line) as BareReadReport), dynamodbLocalCpuMs: javaCpuMs() - cpuBefore };
    }

    /** runExportJob in a child process of its own; this process shows the job's progress meanwhile. */
    async function workerInChild(request: ExportRequest & { compression: 'none' | 'gzip' }, expectedRows: number, limit: number | undefined, label: string): Promise<{ report: ExportJobChildReport; dynamodbLocalCpuMs: number }> {
      const exportId = await newJob(request);
      const env = childEnvironment({ BENCH_EXPORT_ID: exportId, ...(limit ? { BENCH_DAY_QUERY_LIMIT: String(limit) } : {}) });
      const args = [...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []), ...childArgs('bundle')];
      const cpuBefore = javaCpuMs();
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
      const show = progress(`    worker (child process): ${label}`, expectedRows);
      const watching = setInterval(() => {
        void getExportJob(exportId).then((job) => job?.rows && show(Math.min(job.rows, expectedRows - 1)), () => undefined);
      }, 2_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearInterval(watching);
      const dynamodbLocalCpuMs = javaCpuMs() - cpuBefore;
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) throw new Error(`the worker child exited with ${code}: ${stderr.slice(-2_000) || stdout.slice(-2_000)}`);
      const report = JSON.parse(line) as ExportJobChildReport;
      show(expectedRows);
      if (report.status !== 'ready') throw new Error(`the worker child left the job ${report.status}`);
      return { report, dynamodbLocalCpuMs };
    }

    // A national user signed in with an authenticator app (the local issuer's default), as national accounts must be.
    const token = await system.issuer!.sign({ sub: NATIONAL_USER, role: 'national' });
    /** POST → poll every 250 ms → url; then GET the url, counting bytes and lines. */
    async function timeToLink(request: ExportRequest & { compression: 'none' | 'gzip' }, limit: number | undefined, label: string, expectedRows: number): Promise<NonNullable<ExportJobRow['link']> & { rows: number; bytes: number }> {
      whatIf = limit;
      limitsAdded = 0;
      try {
        const started = performance.now();
        const created = await fetch(`${system!.url}/v1/exports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(request) });
        const createdBody = (await created.json()) as { exportId?: string };
        if (created.status !== 202 || !createdBody.exportId) throw new Error(`POST /v1/exports answered ${created.status}: ${JSON.stringify(createdBody)}`);
        const show = progress(`    POST /v1/exports → link (gateway, worker in this process): ${label}`, expectedRows);
        let polls = 0;
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          const answer = await fetch(`${system!.url}/v1/exports/${createdBody.exportId}`, { headers: { authorization: `Bearer ${token}` } });
          const job = (await answer.json()) as { status?: string; url?: string; rows?: number; bytes?: number; error?: string };
          polls += 1;
          if (answer.status !== 200) throw new Error(`GET /v1/exports/${createdBody.exportId} answered ${answer.status}: ${JSON.stringify(job)}`);
          if (job.status === 'failed') throw new Error(`the export failed: ${job.error}`);
          if (job.url) {
            const seconds = (performance.now() - started) / 1000;
            show(expectedRows);
            await system!.exportWorker!.idle(60_000);
            const downloadStarted = performance.now();
            const file = await download(job.url, request.compression === 'gzip');
            if (limit && request.kind === 'returns' && limitsAdded === 0) throw new Error('the what-if Limit was given to no Query');
            return {
              seconds,
              polls,
              downloadedBytes: file.bytes,
              sizeMatches: file.bytes === job.bytes,
              linesInFile: file.lines,
              rowsMatch: file.lines === (job.rows ?? 0) + 1,
              downloadSeconds: (performance.now() - downloadStarted) / 1000,
              rows: job.rows ?? 0,
              bytes: job.bytes ?? 0,
            };
          }
          if (job.rows) show(Math.min(job.rows, expectedRows - 1));
          if (performance.now() - started > 20 * 60_000) throw new Error(`no link after 20 minutes (status ${job.status}, ${job.rows ?? 0} rows)`);
        }
      } finally {
        whatIf = undefined;
      }
    }

    const subjects: Array<{
      name: string;
      request: ExportRequest & { compression: 'none' | 'gzip' };
      limit: number | undefined;
      queryLimit: ExportJobRow['queryLimit'];
      expectedRows: number;
    }> = [];
    const aggregatesRequest = { kind: 'aggregates' as const, level: 'localAuthority' as const, from: aggregatesFrom, to: today, format: 'csv' as const };
    const aggregateRows = councils.length * aggregateDays;
    const byLevel = { limit: 1000, source: 'asShipped' as const };
    subjects.push({ name: `aggregates, every council, ${aggregateDays} days`, request: { ...aggregatesRequest, compression: 'none' }, limit: undefined, queryLimit: byLevel, expectedRows: aggregateRows });
    subjects.push({ name: `aggregates, every council, ${aggregateDays} days`, request: { ...aggregatesRequest, compression: 'gzip' }, limit: undefined, queryLimit: byLevel, expectedRows: aggregateRows });
    // The byDay request builder's own Limit, if it has one by now.
    const shippedDayLimit = dayReturnsRequest(today, '', undefined, tables.returns).Limit ?? null;
    const rangeLimit = shippedDayLimit ?? dayQueryLimit;
    subjects.push({
      name: `returns, England, ${returnDays} days`,
      request: { kind: 'returns', level: 'england', from: returnsFrom, to: today, format: 'csv', compression: 'none' },
      limit: shippedDayLimit === null && dayQueryLimit !== null ? dayQueryLimit : undefined,
      queryLimit: { limit: rangeLimit, source: shippedDayLimit === null && dayQueryLimit !== null ? 'whatIf' : 'asShipped' },
      expectedRows: returnItems,
    });
    if (shippedDayLimit === null && dayQueryLimit !== null) {
      subjects.push({
        name: 'returns, England, 1 day',
        request: { kind: 'returns', level: 'england', from: today, to: today, format: 'csv', compression: 'none' },
        limit: undefined,
        queryLimit: { limit: null, source: 'asShipped' },
        expectedRows: locations,
      });
    }

    const rows: ExportJobRow[] = [];
    const bares = new Map<string, ExportJobRow['bare']>();
    for (const subject of subjects) {
      const label = `${subject.name}, CSV${subject.request.compression === 'gzip' ? ' gzip' : ''}`;
      console.error(`  ${label}${subject.queryLimit.source === 'whatIf' ? ` (what-if: Limit ${subject.limit} on the byDay Queries)` : ''}:`);
      const row: ExportJobRow = {
        export: subject.name,
        kind: subject.request.kind as 'returns' | 'aggregates',
        level: subject.request.level,
        from: subject.request.from,
        to: subject.request.to,
        days: daysFrom(subject.request.from, subject.request.to, addDays).length,
        format: 'csv',
        compression: subject.request.compression,
        queryLimit: subject.queryLimit,
        rows: 0,
        bytes: 0,
        loadAverage: { start: loadAverage(), end: loadAverage() },
      };
      const errors: string[] = [];
      const attempt = async (part: string, run: () => Promise<void>) => {
        try {
          await run();
        } catch (error) {
          errors.push(`${part}: ${error instanceof Error ? error.message : String(error)}`);
          console.error(`\n    ${part} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
      // One bare read per export: the gzip file's rows are the same Queries'.
      const bareKey = `${subject.request.kind}:${subject.request.from}:${subject.request.to}:${subject.limit ?? ''}`;
      const firstOfExport = !bares.has(bareKey);
      let before: Awaited<ReturnType<typeof bareRead>> | undefined;
      if (firstOfExport) await attempt('bare read', async () => void (before = await bareRead(subject.request, subject.limit, 'before the worker')));
      await attempt('worker', async () => {
        const { report, dynamodbLocalCpuMs } = await workerInChild(subject.request, subject.expectedRows, subject.limit, label);
        if (subject.limit && report.limitsAdded === 0) throw new Error('the what-if Limit was given to no Query');
        row.rows = report.rows;
        row.bytes = report.bytes;
        row.worker = {
          ms: report.ms,
          rowsPerSecond: report.rows / (report.ms / 1000),
          cpuMs: report.cpuMs,
          dynamodbLocalCpuMs,
          rssAtStartMb: report.rssAtStartMb,
          heapUsedAtStartMb: report.heapUsedAtStartMb,
          peakRssMb: report.peakRssMb,
          peakRssSampledMb: report.peakRssSampledMb,
          peakHeapUsedMb: report.peakHeapUsedMb,
          peakExternalMb: report.peakExternalMb,
          peakHeapTotalMb: report.peakHeapTotalMb,
          dynamodbCalls: report.dynamodbCalls,
        };
      });
      if (firstOfExport) {
        // Read again after the worker: the ratio is against the mean of the two.
        await attempt('bare read (again)', async () => {
          const after = await bareRead(subject.request, subject.limit, 'after the worker');
          if (!before) return;
          if (after.items !== before.items) throw new Error(`the bare reads found ${before.items} and ${after.items} items`);
          const ms = (before.ms + after.ms) / 2;
          bares.set(bareKey, {
            ms,
            runsMs: [before.ms, after.ms],
            items: before.items,
            pages: before.pages,
            attempts: Math.max(before.attempts, after.attempts),
            rowsPerSecond: before.items / (ms / 1000),
            cpuMs: (before.cpuMs + after.cpuMs) / 2,
            dynamodbLocalCpuMs: (before.dynamodbLocalCpuMs + after.dynamodbLocalCpuMs) / 2,
          });
        });
      }
      row.bare = bares.get(bareKey);
      await attempt('time to the link', async () => {
        const { rows: linkRows, bytes: linkBytes, ...link } = await timeToLink(subject.request, subject.limit, label, subject.expectedRows);
        row.link = link;
        if (!row.worker) {
          row.rows = linkRows;
          row.bytes = linkBytes;
        }
        if (!link.sizeMatches) errors.push(`the file downloaded is ${link.downloadedBytes} bytes, the job says ${linkBytes}`);
        if (!link.rowsMatch) errors.push(`the file has ${link.linesInFile} lines, the job says ${linkRows} rows and a header`);
      });
      if (row.worker) {
        row.rssVerdict = verdict(row.worker.peakRssMb, EXPORT_JOB_TARGET.peakRssMb);
        if (row.bare) {
          row.ratio = ratio(row.worker.ms, row.bare.ms);
          row.cpuRatio = ratio(row.worker.cpuMs + row.worker.dynamodbLocalCpuMs, row.bare.cpuMs + row.bare.dynamodbLocalCpuMs);
          row.ratioVerdict = verdict(row.ratio, EXPORT_JOB_TARGET.ratio);
        }
      }
      if (errors.length > 0) row.errors = errors;
      row.loadAverage.end = loadAverage();
      rows.push(row);
    }

    return {
      at,
      locations,
      returnDays,
      councils: councils.length,
      aggregateDays,
      missingAggregateShare: round(1 - aggregateKeys.length / aggregateRows, 4),
      returnItems,
      aggregateItems: aggregateKeys.length,
      returnItemBytes,
      seedSeconds: { returns: returnSeconds, aggregates: aggregateSeconds, locations: locationSeconds },
      dynamodbLocalRssMb: { seeded: seededRss, max: Math.max(javaRssMax, javaRss()) },
      returnsStream: false,
      childStartRssMb,
      target: EXPORT_JOB_TARGET,
      loadAverage: { start: startLoad, end: loadAverage() },
      rows,
    };
  } finally {
    clearInterval(javaSampler);
    await system.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function daysFrom(from: string, to: string, addDays: (day: string, days: number) => string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** GET a presigned link (plain http to the local S3 server, so nothing is decoded on the way), counting bytes and the file's lines. */
function download(url: string, gzip: boolean): Promise<{ bytes: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'GET' }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`GET of the link answered ${response.statusCode}`));
        return;
      }
      let bytes = 0;
      let lines = 0;
      const countLines = (chunk: Buffer) => {
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
      };
      const gunzip = gzip ? createGunzip() : undefined;
      gunzip?.on('data', countLines);
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (gunzip) gunzip.write(chunk);
        else countLines(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        if (!gunzip) return resolve({ bytes, lines });
        gunzip.once('end', () => resolve({ bytes, lines }));
        gunzip.once('error', reject);
        gunzip.end();
      });
    });
    request.on('error', reject);
    request.end();
  });
}

/** The section's table, as `npm run bench` prints it (the docs' is scripts/docs/generate.ts's). */
export function exportJobsMarkdown(results: ExportJobResults): string {
  const lines = [
    `## Export jobs (${results.locations} locations × ${results.returnDays} days of returns, ${results.councils} councils × ${results.aggregateDays} days of aggregates; load average ${results.loadAverage.start[0]} → ${results.loadAverage.end[0]})`,
    '',
    `Seeded in ${cell(results.seedSeconds.returns, 0)} s (returns), ${cell(results.seedSeconds.aggregates, 0)} s (aggregates), ${cell(results.seedSeconds.locations, 0)} s (locations); DynamoDB Local RSS ${cell(results.dynamodbLocalRssMb.seeded, 0)} MB seeded, ${cell(results.dynamodbLocalRssMb.max, 0)} MB at most. The worker child (esbuild bundle, plain node) is ${cell(results.childStartRssMb.bundle, 0)} MB once loaded (${cell(results.childStartRssMb.tsx, 0)} MB under tsx). Targets: peak RSS ≤ ${results.target.peakRssMb} MB, worker ≤ ${results.target.ratio}× the bare Queries.`,
    '',
    ...exportJobsTable(results),
  ];
  const failed = results.rows.filter((row) => row.errors?.length);
  for (const row of failed) lines.push('', `${row.export} (${row.compression}): ${row.errors!.join('; ')}`);
  return lines.join('\n');
}

function exportJobsTable(results: ExportJobResults): string[] {
  const lines = [
    '| export | file | Query page Limit | rows | file (MB) | worker (s) | worker rows/s | bare Queries (s) | bare rows/s | worker ÷ bare | CPU ÷ bare CPU | RSS at start (MB) | peak RSS (MB) | peak heap (MB) | worker CPU (s) | DynamoDB Local CPU (s) | POST → link (s) | download = bytes | vs targets |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    const limit = row.queryLimit.limit === null ? 'none' : String(row.queryLimit.limit);
    lines.push(
      `| ${row.export} | ${row.compression === 'gzip' ? 'CSV, gzip' : 'CSV'} | ${limit}${row.queryLimit.source === 'whatIf' ? ' (what-if)' : ''} | ${row.rows} | ${cell(mebibytes(row.bytes), 1)} | ${cell(row.worker && row.worker.ms / 1000, 1)} | ${cell(row.worker?.rowsPerSecond, 0)} | ${cell(row.bare && row.bare.ms / 1000, 1)} | ${cell(row.bare?.rowsPerSecond, 0)} | ${cell(row.ratio, 2)} | ${cell(row.cpuRatio, 2)} | ${cell(row.worker?.rssAtStartMb, 0)} | ${cell(row.worker?.peakRssMb, 0)} | ${cell(row.worker?.peakHeapUsedMb, 0)} | ${cell(row.worker && row.worker.cpuMs / 1000, 1)} | ${cell(row.worker && row.worker.dynamodbLocalCpuMs / 1000, 1)} | ${cell(row.link?.seconds, 1)} | ${row.link ? (row.link.sizeMatches && row.link.rowsMatch ? 'yes' : 'no') : '–'} | ${[row.rssVerdict && `RSS ${row.rssVerdict}`, row.ratioVerdict && `time ${row.ratioVerdict}`].filter(Boolean).join(', ')} |`,
    );
  }
  return lines;
}
