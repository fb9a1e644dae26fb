import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { aggregatorFunction } from '../../shared/routes';
import { loadHandler, runFunction } from './lambda-runtime';
import { startStreamPoller, type StreamPoller } from './stream-poller';
import type { TableId } from '../../shared/tables';
import { demoLocations } from '../seed/demo-data';
import { demoUsers, type DemoUser } from '../seed/demo-users';
import { startDynamoLocal, useLocalAwsEnvironment, type RunningDynamo } from './dynamodb-local';
import { parseLocalFaults } from '../../shared/runtime/faults';
import { crashPartWayThrough } from './faults';
import { createGateway, REPO_ROOT } from './gateway';
import { createLocalIssuer, exportIssuerSettings, type LocalIssuer } from './issuer';
import { localEndpoints, type LocalServices } from './local-endpoints';
import { startSchedule } from './schedule';
import { startLocalSes, type LocalSes } from './ses-local';
import { schedules } from '../../shared/schedules';
import type { ReminderRunReport } from '../../shared/reminders/run';
import { usePowertoolsLocalDefaults } from './local-settings';
import { ensureTables, exportTableNames, localTableNames } from './local-tables';

export interface LocalStackOptions {
  port: number;
  /** LOCAL_DATA_DIR: the dead-letter file always; data, keys and stream checkpoints unless inMemory. */
  dataDir: string;
  /** Keep nothing between runs: DynamoDB Local in memory, new keys, streams read from the start. */
  inMemory: boolean;
  seed: boolean;
  log?: (line: string) => void;
  logRequests?: boolean;
  tablePrefix?: string;
  /** Run the stream consumer in this process (default); false leaves it to another (the load test's crash fault). */
  aggregator?: boolean;
}

export interface LocalStack {
  url: string;
  dynamodbEndpoint: string;
  tables: Record<TableId, string>;
  users: DemoUser[];
  deadLetterFile: string;
  dynamodbPid: number | undefined;
  sesEndpoint: string;
  /** The stream consumer, when it runs in this process. */
  aggregator: StreamPoller | undefined;
  /** For fault injection (npm run load -- --faults kill): stop DynamoDB Local hard, and start it again on its port and data. */
  dynamodb: { kill(signal?: NodeJS.Signals): Promise<void>; restart(): Promise<void> };
  stop(): Promise<void>;
}

export interface RunningGateway {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The gateway on a loopback port, with the local-only endpoints, and the authorizer told to trust the
 * local issuer (its JWKS is served by this same gateway).
 */
export async function startLocalGateway(options: {
  port: number;
  users: DemoUser[];
  issuer: LocalIssuer;
  services?: LocalServices;
  log?: (line: string) => void;
}): Promise<RunningGateway> {
  const server = createGateway({
    localRoutes: localEndpoints(options.users, options.issuer, options.services),
    webDir: join(REPO_ROOT, 'web'),
    ...(options.log ? { log: options.log } : {}),
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
 * The whole system on one machine: DynamoDB Local, the tables from the shared definitions, demo data,
 * and the gateway running the deployed handlers. Used by `npm start` and by the tests.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const kept = (name: string) => (options.inMemory ? undefined : join(options.dataDir, name));
  usePowertoolsLocalDefaults();
  const dynamoDataDir = kept('dynamodb');
  let dynamo: RunningDynamo = await startDynamoLocal(dynamoDataDir ? { dataDir: dynamoDataDir } : {});
  let aggregator: StreamPoller | undefined;
  let ses: LocalSes | undefined;
  try {
    useLocalAwsEnvironment(dynamo.endpoint);
    const tables = localTableNames(options.tablePrefix);
    exportTableNames(tables);
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
    const created = await ensureTables(client, tables);
    client.destroy();
    if (created.length > 0) log(`created tables: ${created.join(', ')}`);

    // Started before the seed, so the demo returns flow into the aggregates as real ones would.
    const deadLetterFile = join(options.dataDir, 'aggregator-dead-letters.jsonl');
    if (options.aggregator !== false) aggregator = await startAggregator(dynamo.endpoint, tables, deadLetterFile, kept('aggregator-checkpoints.json'), log);

    if (options.seed) {
      // Imported only now: repositories read their table names from the environment when loaded.
      const { seedDemo } = await import('../seed/seed-demo');
      const summary = await seedDemo({ log });
      if (!summary.skipped) log(`demo data: ${summary.locations} locations, ${summary.returns} daily returns (${summary.versions} versions)`);
    }

    ses = await startLocalSes();
    process.env.SES_ENDPOINT = ses.endpoint;
    // A reserved example domain: nothing the local stack sends can reach a real inbox.
    process.env.REMINDER_FROM_ADDRESS ??= 'capacity-tracker@reminders.example';
    const runReminders = (at: Date) => runFunction(schedules.reminders.handler, schedules.reminders.id, { at: at.toISOString() }, 15 * 60_000);

    const users = demoUsers(demoLocations());
    const issuer = await createLocalIssuer(kept('keys'));
    const gateway = await startLocalGateway({ port: options.port, users, issuer, services: { ses, runReminders }, ...(options.logRequests ? { log } : {}) });
    // Update links in reminder emails open the web form this gateway serves.
    process.env.WEB_BASE_URL ??= gateway.url;
    const schedule = startSchedule(
      schedules.reminders,
      async () => {
        const report = (await runReminders(new Date())) as ReminderRunReport;
        log(`reminders: ${report.quietHours ? 'quiet hours, nothing sent' : `${report.staleLocations} stale, ${report.sent.length} sent, ${report.alreadySent} already sent`}`);
      },
      log,
    );
    return {
      url: gateway.url,
      dynamodbEndpoint: dynamo.endpoint,
      tables,
      users,
      deadLetterFile,
      get dynamodbPid() {
        return dynamo.process.pid;
      },
      sesEndpoint: ses.endpoint,
      aggregator,
      dynamodb: {
        kill: (signal = 'SIGKILL') =>
          new Promise<void>((resolve) => {
            if (dynamo.process.exitCode !== null || dynamo.process.signalCode !== null) return resolve();
            dynamo.process.once('exit', () => resolve());
            dynamo.process.kill(signal);
          }),
        restart: async () => {
          const { port } = dynamo;
          // The port can stay taken for a moment after a kill.
          for (let attempt = 1; ; attempt += 1) {
            try {
              dynamo = await startDynamoLocal({ ...(dynamoDataDir ? { dataDir: dynamoDataDir } : {}), port });
              return;
            } catch (error) {
              if (attempt >= 5) throw error;
              await new Promise((resolve) => setTimeout(resolve, 500));
            }
          }
        },
      },
      stop: async () => {
        schedule.stop();
        await gateway.close();
        await aggregator?.stop();
        await ses?.stop();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await aggregator?.stop();
    await ses?.stop();
    await dynamo.stop();
    throw error;
  }
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
  const { batchSize, maximumRetryAttempts, bisectBatchOnError } = aggregatorFunction.stream;
  const run = (event: DynamoDBStreamEvent, context: Context) => handler(event, context) as Promise<DynamoDBBatchResponse | void>;
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
    deadLetterFile,
    ...(checkpointFile ? { checkpointFile } : {}),
    log: (line) => log(`aggregator: ${line}`),
  });
}

function deadLetters(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}
