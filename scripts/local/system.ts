import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { exportWorkerFunction } from '#shared/model/async-functions';
import { aggregatorFunction, cqcSyncFunction, reminderFunction, savedSearchAlertsFunction } from '#shared/model/functions';
import type { CqcLocation } from '#shared/model/directory/cqc';
import { LOCAL_CQC_API_KEY_FILE, type SettingName } from '#shared/model/settings';
import type { TableId } from '#shared/model/tables';
import { runWithEnvironment } from '#shared/runtime/settings';
import type { ReminderRunReport } from '#shared/services/reminders/run';
import { demoLocations } from '../seed/demo-data';
import { demoUsers, type DemoUser } from '../seed/demo-users';
import { startDynamoLocal, useLocalAwsEnvironment, type RunningDynamo } from './dynamodb-local';
import { localCqcApiKey, startCqcApiLocal, type CqcApiLocal } from './cqc-api-local';
import { parseLocalFaults } from './fault-rules';
import { crashPartWayThrough } from './faults';
import { createGateway, REPO_ROOT } from './gateway';
import { createLocalIssuer, exportIssuerSettings, type LocalIssuer } from './issuer';
import { startLambdaLocal, type LambdaLocal } from './lambda-local';
import { functionEnvironment, loadHandler, runFunction } from './lambda-runtime';
import { localEndpoints, type LocalUser } from './local-endpoints';
import { killAfterCut } from './outage-cut';
import { usePowertoolsLocalDefaults } from './local-settings';
import { ensureTables, exportTableNames, localTableNames } from './local-tables';
import { startSchedule } from './schedule';
import { startLocalS3, type LocalS3 } from './s3-local';
import { startLocalSes, type LocalSes } from './ses-local';
import { startStreamPoller, type StreamPoller } from './stream-poller';

/**
 * The one way to stand the system up on this machine. `npm start`, the tests' global setup and their
 * gateways, the benchmarks, the load test and the fuzzing each ask for the parts they need; every part
 * is built here, the same way, so a setting or a table option is made in one place.
 */
export interface LocalSystemOptions {
  /**
   * DynamoDB Local: started here (in memory, or kept in `dataDir`), or one already running (the test
   * run's, shared by its workers) at `endpoint`.
   */
  dynamodb?: { dataDir?: string; port?: number } | { endpoint: string };
  /** Table names are `<prefix>-<id>`; each harness has its own. */
  tablePrefix?: string;
  /** Create the tables that are missing (default); false when whoever started DynamoDB Local made them. */
  createTables?: boolean;
  /**
   * The HTTP gateway with the authorizer, the routes' handlers, the web pages and the local endpoints;
   * `maxInFlight` bounds the API requests in flight at once (429 beyond it; gateway.ts), none if undefined.
   */
  gateway?: { port: number; users?: DemoUser[]; keysDir?: string; logRequests?: boolean; maxInFlight?: number };
  /** The returns stream feeding the aggregator, as Lambda's event source mapping does. */
  aggregator?: { deadLetterFile: string; checkpointFile?: string };
  /** The returns stream feeding the saved-search emails (its own poller, as its own mapping in AWS; needs `ses`). */
  savedSearchAlerts?: { deadLetterFile: string; checkpointFile?: string };
  /** The local SES endpoint (needed by reminders). */
  ses?: boolean;
  /**
   * The S3-compatible server holding the exports bucket (`s3-local.ts`): started here (its objects in a
   * temporary folder, or kept in `dataDir`), or one already running (the test run's) at `endpoint`.
   * `bucket` defaults to LOCAL_EXPORTS_BUCKET.
   */
  s3?: { dataDir?: string; bucket?: string } | { endpoint: string; bucket?: string };
  /**
   * Lambda's asynchronous Invoke API on a loopback port (`lambda-local.ts`), running the export worker in
   * this process when the exports route invokes it; an event it gives up on lands in `deadLetterFile`, as
   * it would in the dead-letter queue in AWS. `retryDelayMs` is the wait before the first retry (default
   * 1 s, doubling). Needs `s3`.
   */
  exportWorker?: { deadLetterFile: string; retryDelayMs?: number };
  /**
   * The stand-in for the CQC Syndication API on a free loopback port (`cqc-api-local.ts`), whose key is
   * kept in `keyFile`; the CQC sync is pointed at it. Off unless asked (`npm start` asks).
   */
  cqcApi?: { keyFile: string; records?: readonly CqcLocation[]; changedAt?: Date };
  /** The reminder job on its hourly cadence (needs `ses` and `gateway`), and the daily CQC sync (with `cqcApi`). */
  schedule?: boolean;
  /** The demo data (`npm start`). */
  seed?: boolean;
  /** Values for the settings functions declare, where the defaults below do not fit. */
  settings?: Partial<Record<SettingName, string>>;
  log?: (line: string) => void;
}

export interface LocalSystem {
  dynamodbEndpoint: string;
  tables: Record<TableId, string>;
  /** With a gateway: its URL, the demo users it knows, and the issuer it trusts. */
  url: string | undefined;
  users: DemoUser[];
  issuer: LocalIssuer | undefined;
  ses: LocalSes | undefined;
  /** With `s3`: the S3-compatible server's endpoint and the exports bucket on it. */
  s3: { endpoint: string; bucket: string } | undefined;
  /**
   * With `exportWorker`: `idle` resolves when no export worker invocation is running or waiting for a
   * retry (with `timeoutMs`, rejects after it naming them); given-up events are in `deadLetterFile`.
   */
  exportWorker: { idle(timeoutMs?: number): Promise<void>; deadLetterFile: string } | undefined;
  aggregator: StreamPoller | undefined;
  savedSearchAlerts: StreamPoller | undefined;
  /** DynamoDB Local's process when this system started it (fault injection kills and restarts it). */
  dynamodb: { pid(): number | undefined; kill(signal?: NodeJS.Signals): Promise<void>; restart(): Promise<void> } | undefined;
  /** Run the reminder job once as if the clock read `at` (needs `ses`). */
  runReminders(at: Date): Promise<ReminderRunReport>;
  /** With `cqcApi`: the stand-in CQC API. */
  cqcApi: CqcApiLocal | undefined;
  /** Run the CQC sync function once, as its schedule would (with `cqcApi`, or CQC_API_* set). */
  runCqcSync(event?: { since?: string; at?: string }): Promise<unknown>;
  stop(): Promise<void>;
}

export interface RunningGateway {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The exports bucket on the local S3 server, unless told otherwise. */
export const LOCAL_EXPORTS_BUCKET = 'capacity-tracker-exports-local';

/** Values of the settings the local stack gives, unless told otherwise: reserved example domains, never a real inbox. */
function defaultSettings(gatewayUrl: string | undefined): Partial<Record<SettingName, string>> {
  return {
    REMINDER_FROM_ADDRESS: 'capacity-tracker@reminders.example',
    WEB_BASE_URL: gatewayUrl ?? 'http://localhost:3000',
  };
}

export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const log = options.log ?? (() => undefined);
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const part of stops.reverse()) await part();
  };
  usePowertoolsLocalDefaults();
  try {
    let dynamo: RunningDynamo | undefined;
    const started = options.dynamodb && 'endpoint' in options.dynamodb ? undefined : (options.dynamodb ?? {});
    if (started) {
      dynamo = await startDynamoLocal(started);
      stops.push(() => dynamo?.stop());
    }
    const endpoint = dynamo?.endpoint ?? (options.dynamodb as { endpoint: string }).endpoint;
    useLocalAwsEnvironment(endpoint);
    const tables = localTableNames(options.tablePrefix);
    exportTableNames(tables);
    if (options.createTables !== false) {
      const client = new DynamoDBClient({ endpoint });
      const created = await ensureTables(client, tables);
      client.destroy();
      if (created.length > 0) log(`created tables: ${created.join(', ')}`);
    }

    // Started before the seed, so the demo returns flow into the aggregates as real ones would.
    let aggregator: StreamPoller | undefined;
    if (options.aggregator) {
      aggregator = await startAggregator(endpoint, tables, options.aggregator.deadLetterFile, options.aggregator.checkpointFile, log);
      stops.push(() => aggregator?.stop());
    }
    if (options.seed) {
      const { seedDemo } = await import('../seed/seed-demo');
      const summary = await seedDemo({ log });
      if (!summary.skipped) log(`demo data: ${summary.locations} locations, ${summary.returns} daily returns (${summary.versions} versions)`);
      // Returns kept from a version before exports have no place in the byDay index yet (npm run migrate:returns).
      const { migrateReturnPlaces } = await import('#shared/services/returns/migrate-places');
      const placed = await migrateReturnPlaces();
      if (placed.placed > 0) log(`placed ${placed.placed} kept daily returns in the byDay index, for exports`);
      // A vacancy index kept from a version before issue 20 has one entry per category (npm run migrate:vacancies).
      const { migrateVacancyEntries, oldLayoutLeft } = await import('#shared/services/vacancies/migrate-entries');
      if (await oldLayoutLeft()) log(`indexed ${(await migrateVacancyEntries()).reindexed} kept locations' vacancies again, one entry per area`);
    }

    let ses: LocalSes | undefined;
    if (options.ses) {
      ses = await startLocalSes();
      process.env.SES_ENDPOINT = ses.endpoint;
      stops.push(() => ses?.stop());
    }
    const runReminders = (at: Date) => runFunction(reminderFunction, { at: at.toISOString() }) as Promise<ReminderRunReport>;

    // The clients are made when a handler loads, pointed at S3_ENDPOINT and LAMBDA_ENDPOINT (as SES_ENDPOINT).
    let s3: { endpoint: string; bucket: string } | undefined;
    if (options.s3) {
      const bucket = options.s3.bucket ?? LOCAL_EXPORTS_BUCKET;
      let started: LocalS3 | undefined;
      if (!('endpoint' in options.s3)) {
        started = await startLocalS3({ ...(options.s3.dataDir ? { dataDir: options.s3.dataDir } : {}), buckets: [bucket] });
        stops.push(() => started?.stop());
      }
      s3 = { endpoint: started?.endpoint ?? (options.s3 as { endpoint: string }).endpoint, bucket };
      process.env.S3_ENDPOINT = s3.endpoint;
      process.env.EXPORTS_BUCKET = bucket;
    }
    let exportWorker: LambdaLocal | undefined;
    if (options.exportWorker) {
      if (!s3) throw new Error('the export worker writes to the exports bucket: give `s3` too');
      exportWorker = await startLambdaLocal({
        deadLetterFile: options.exportWorker.deadLetterFile,
        ...(options.exportWorker.retryDelayMs !== undefined ? { retryDelayMs: options.exportWorker.retryDelayMs } : {}),
        log: (line) => log(`export worker: ${line}`),
      });
      stops.push(() => exportWorker?.stop());
      process.env.LAMBDA_ENDPOINT = exportWorker.endpoint;
      process.env.EXPORT_WORKER_FUNCTION = exportWorkerFunction.id;
    }

    let cqcApi: CqcApiLocal | undefined;
    if (options.cqcApi) {
      const { keyFile, records, changedAt } = options.cqcApi;
      cqcApi = await startCqcApiLocal({ key: localCqcApiKey(keyFile), ...(records ? { records } : {}), ...(changedAt ? { changedAt } : {}) });
      stops.push(() => cqcApi?.stop());
      process.env.CQC_API_BASE_URL = cqcApi.url;
      process.env[LOCAL_CQC_API_KEY_FILE] = keyFile;
    }
    const runCqcSync = (event: { since?: string; at?: string } = {}) => runFunction(cqcSyncFunction, event);

    const users = options.gateway?.users ?? demoUsers(demoLocations());
    let issuer: LocalIssuer | undefined;
    let gateway: RunningGateway | undefined;
    if (options.gateway) {
      issuer = await createLocalIssuer(options.gateway.keysDir);
      gateway = await startGateway({
        port: options.gateway.port,
        users,
        issuer,
        ses,
        runReminders,
        ...(options.gateway.logRequests ? { log } : {}),
        ...(options.gateway.maxInFlight !== undefined ? { maxInFlight: options.gateway.maxInFlight } : {}),
      });
      stops.push(() => gateway?.close());
    }
    // The pool the functions' declared settings are taken from (each function sees only its own).
    for (const [name, value] of Object.entries(defaultSettings(gateway?.url))) process.env[name] ??= value;
    for (const [name, value] of Object.entries(options.settings ?? {})) process.env[name] = value;

    // After SES and the settings: the SES client is made when the handler loads, pointed at SES_ENDPOINT.
    let savedSearchAlerts: StreamPoller | undefined;
    if (options.savedSearchAlerts) {
      savedSearchAlerts = await startSavedSearchAlerts(endpoint, tables, options.savedSearchAlerts.deadLetterFile, options.savedSearchAlerts.checkpointFile, log);
      stops.push(() => savedSearchAlerts?.stop());
    }

    if (options.schedule) {
      const schedule = startSchedule(
        reminderFunction.trigger.schedule,
        async () => {
          const report = await runReminders(new Date());
          log(`reminders: ${report.quietHours ? 'quiet hours, nothing sent' : `${report.staleLocations} stale, ${report.sent.length} sent, ${report.alreadySent} already sent`}`);
        },
        log,
      );
      stops.push(() => schedule.stop());
    }
    if (options.schedule && cqcApi) {
      const schedule = startSchedule(
        cqcSyncFunction.trigger.schedule,
        async () => {
          const report = (await runCqcSync()) as { changes: number; added: number; changed: number; notFound: number; checkpointAfter: string | null } | 'timeout';
          if (report === 'timeout') throw new Error('ran out of time; the next run resumes from the checkpoint');
          log(`cqc sync: ${report.changes} changed in the register, ${report.added} added, ${report.changed} updated, ${report.notFound} not found; checkpoint ${report.checkpointAfter}`);
        },
        log,
      );
      stops.push(() => schedule.stop());
    }

    const dataDir = started && 'dataDir' in started ? started.dataDir : undefined;
    return {
      dynamodbEndpoint: endpoint,
      tables,
      url: gateway?.url,
      users,
      issuer,
      ses,
      s3,
      exportWorker: exportWorker ? { idle: (timeoutMs) => exportWorker!.idle(timeoutMs), deadLetterFile: options.exportWorker!.deadLetterFile } : undefined,
      aggregator,
      savedSearchAlerts,
      dynamodb: dynamo
        ? {
            pid: () => dynamo?.process.pid,
            // Through killAfterCut: a bare SIGKILL can take back a transaction DynamoDB Local acknowledged.
            kill: async (signal = 'SIGKILL') => {
              const { dynamoClient } = await import('#shared/runtime/dynamodb');
              await killAfterCut(dynamoClient, () =>
                new Promise<void>((resolve) => {
                  const child = dynamo!.process;
                  if (child.exitCode !== null || child.signalCode !== null) return resolve();
                  child.once('exit', () => resolve());
                  child.kill(signal);
                }),
              );
            },
            restart: async () => {
              const { port } = dynamo!;
              // The port can stay taken for a moment after a kill.
              for (let attempt = 1; ; attempt += 1) {
                try {
                  dynamo = await startDynamoLocal({ ...(dataDir ? { dataDir } : {}), port });
                  return;
                } catch (error) {
                  if (attempt >= 5) throw error;
                  await new Promise((resolve) => setTimeout(resolve, 500));
                }
              }
            },
          }
        : undefined,
      runReminders,
      cqcApi,
      runCqcSync,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The users table's users (read per request: a new user can sign in at once, a disabled one cannot). */
async function invitedUsers(): Promise<LocalUser[]> {
  const { listUsers } = await import('#shared/repositories/users');
  const found: LocalUser[] = [];
  let nextToken: string | undefined;
  do {
    const page = await listUsers({ limit: 100, ...(nextToken ? { nextToken } : {}) });
    found.push(...page.items.map((user) => ({ id: user.userId, role: user.role, areas: user.areas, email: user.email, status: user.status })));
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  return found;
}

/**
 * The gateway on a loopback port, with the local-only endpoints, and the authorizer told to trust the
 * local issuer (its JWKS is served by this same gateway).
 */
async function startGateway(options: {
  port: number;
  users: DemoUser[];
  issuer: LocalIssuer;
  ses: LocalSes | undefined;
  runReminders: (at: Date) => Promise<unknown>;
  log?: (line: string) => void;
  maxInFlight?: number;
}): Promise<RunningGateway> {
  const server = createGateway({
    localRoutes: localEndpoints(options.users, options.issuer, { invitedUsers, ...(options.ses ? { ses: options.ses, runReminders: options.runReminders } : {}) }),
    webDir: join(REPO_ROOT, 'web'),
    ...(options.log ? { log: options.log } : {}),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  exportIssuerSettings(options.issuer, `http://127.0.0.1:${port}`);
  return {
    server,
    url: `http://localhost:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The returns stream feeding the aggregator, with the settings of the Lambda event source mapping. A
 * batch given up on lands in the dead-letter file, as it would in the SQS queue in AWS.
 * `LOCAL_FAULTS=crash:<n>` makes this process die part-way through a batch (scripts/local/faults.ts).
 */
export async function startAggregator(
  endpoint: string,
  tables: Record<TableId, string>,
  deadLetterFile: string,
  checkpointFile: string | undefined,
  log: (line: string) => void,
): Promise<StreamPoller> {
  const earlier = deadLetters(deadLetterFile);
  if (earlier > 0) log(`aggregator: ${earlier} batch(es) from earlier runs are in ${deadLetterFile}`);
  const handler = await loadHandler(aggregatorFunction.handler);
  const { batchSize, maximumRetryAttempts, bisectBatchOnError, maximumRecordAgeSeconds } = aggregatorFunction.stream;
  const run = (event: DynamoDBStreamEvent, context: Context) =>
    runWithEnvironment(aggregatorFunction.id, functionEnvironment(aggregatorFunction), () => handler(event, context) as Promise<DynamoDBBatchResponse | void>);
  const { crashAfterRecords } = parseLocalFaults(process.env.LOCAL_FAULTS);
  if (crashAfterRecords) log(`aggregator: LOCAL_FAULTS: this process will be killed part-way through the batch of its record number ${crashAfterRecords}`);
  return startStreamPoller({
    endpoint,
    tableName: tables[aggregatorFunction.source],
    functionName: aggregatorFunction.id,
    handler: crashAfterRecords ? crashPartWayThrough(run, crashAfterRecords) : run,
    batchSize,
    maximumRetryAttempts,
    bisectBatchOnError,
    maximumRecordAgeSeconds,
    deadLetterFile,
    ...(checkpointFile ? { checkpointFile } : {}),
    log: (line) => log(`aggregator: ${line}`),
  });
}

/** The returns stream feeding the saved-search emails, with the settings of its own event source mapping. */
export async function startSavedSearchAlerts(
  endpoint: string,
  tables: Record<TableId, string>,
  deadLetterFile: string,
  checkpointFile: string | undefined,
  log: (line: string) => void,
  options: { startingPosition?: 'TRIM_HORIZON' | 'LATEST'; pollIntervalMs?: number } = {},
): Promise<StreamPoller> {
  const handler = await loadHandler(savedSearchAlertsFunction.handler);
  const { batchSize, maximumRetryAttempts, bisectBatchOnError, maximumRecordAgeSeconds } = savedSearchAlertsFunction.stream;
  return startStreamPoller({
    endpoint,
    tableName: tables[savedSearchAlertsFunction.source],
    functionName: savedSearchAlertsFunction.id,
    handler: (event: DynamoDBStreamEvent, context: Context) =>
      runWithEnvironment(savedSearchAlertsFunction.id, functionEnvironment(savedSearchAlertsFunction), () => handler(event, context) as Promise<DynamoDBBatchResponse | void>),
    batchSize,
    maximumRetryAttempts,
    bisectBatchOnError,
    maximumRecordAgeSeconds,
    deadLetterFile,
    ...(checkpointFile ? { checkpointFile } : {}),
    ...options,
    log: (line) => log(`saved-search alerts: ${line}`),
  });
}

function deadLetters(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}
