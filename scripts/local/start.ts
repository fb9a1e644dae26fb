import './process-defaults';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { localSettings } from './local-settings';
import { readRunningStack, reapStaleStack, removeStackFile, writeStackFile } from './stack-file';
import { startLocalSystem } from './system';

/** When the CQC sample in ../shared/data/cqc was taken: what the local CQC API says its records changed at. */
const CQC_SAMPLE_TAKEN = new Date('2021-02-01T00:00:00Z');

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * One full garbage collection once the stack is up: starting leaves the seed's and the first handler
 * loads' garbage in the old generation, which V8 would otherwise keep (and keep resident) until the heap
 * grows enough for a collection of its own or it notices the process idling, a minute or two later.
 */
function collectStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function main(): Promise<void> {
  const settings = localSettings();
  const running = readRunningStack(settings.dataDir);
  if (running) {
    console.error(`Capacity Tracker is already running at ${running.gatewayUrl} (pid ${running.pid}, data in ${settings.dataDir}).`);
    console.error('Stop it with Ctrl-C in its terminal, or use another LOCAL_DATA_DIR and PORT to run a second one.');
    process.exit(1);
  }
  const reaped = reapStaleStack(settings.dataDir);
  if (reaped) console.log(`[local] stopped DynamoDB Local (pid ${reaped}) left running by an earlier run that did not shut down`);
  if (settings.port !== 0 && !(await portIsFree(settings.port))) {
    console.error(`Port ${settings.port} is taken by another program. Start on another port: PORT=3001 npm start`);
    process.exit(1);
  }

  const started = performance.now();
  const log = (line: string) => console.log(`[local] ${line}`);
  log(`starting DynamoDB Local (${settings.inMemory ? 'in memory' : `data in ${join(settings.dataDir, 'dynamodb')}`})`);
  const kept = (name: string) => (settings.inMemory ? undefined : join(settings.dataDir, name));
  const deadLetterFile = join(settings.dataDir, 'aggregator-dead-letters.jsonl');
  const exportDeadLetterFile = join(settings.dataDir, 'export-worker-dead-letters.jsonl');
  const s3DataDir = kept('s3');
  const checkpointFile = kept('aggregator-checkpoints.json');
  const keysDir = kept('keys');
  // Kept under the data folder even in memory: it is where `npm run sync:cqc` reads the key, like stack.json.
  const cqcApiKeyFile = join(settings.dataDir, 'cqc-api-key');
  const stack = await startLocalSystem({
    dynamodb: settings.inMemory ? {} : { dataDir: join(settings.dataDir, 'dynamodb') },
    gateway: { port: settings.port, logRequests: true, ...(keysDir ? { keysDir } : {}), ...(settings.maxInFlight !== undefined ? { maxInFlight: settings.maxInFlight } : {}) },
    aggregator: { deadLetterFile, ...(checkpointFile ? { checkpointFile } : {}) },
    savedSearchAlerts: { deadLetterFile: join(settings.dataDir, 'saved-search-alerts-dead-letters.jsonl'), ...(settings.inMemory ? {} : { checkpointFile: kept('saved-search-alerts-checkpoints.json')! }) },
    ses: true,
    // The exports bucket's files beside DynamoDB Local's data (a temporary folder when in memory).
    s3: s3DataDir ? { dataDir: s3DataDir } : {},
    exportWorker: { deadLetterFile: exportDeadLetterFile },
    // The sample's records changed when it was taken (February 2021), so the daily sync (the last day's
    // changes) leaves the demo directory alone; `npm run sync:cqc -- --since 2021-01-01` brings them in.
    cqcApi: { keyFile: cqcApiKeyFile, changedAt: CQC_SAMPLE_TAKEN },
    schedule: true,
    seed: true,
    log,
  });
  const dynamodbPid = stack.dynamodb?.pid();
  writeStackFile(settings.dataDir, {
    pid: process.pid,
    gatewayUrl: stack.url!,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    ...(dynamodbPid ? { dynamodbPid } : {}),
    tables: stack.tables,
    ...(stack.cqcApi ? { cqcApiUrl: stack.cqcApi.url, cqcApiKeyFile } : {}),
    inMemory: settings.inMemory,
    startedAt: new Date().toISOString(),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the gateway, the export worker, the local S3 server and DynamoDB Local`);
    await stack.stop();
    removeStackFile(settings.dataDir, process.pid);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  collectStartupGarbage();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`
Capacity Tracker is running (ready in ${seconds} s)

  API          ${stack.url}/v1/health
  OpenAPI      ${stack.url}/v1/openapi.json
  Web form     ${stack.url}/
  Demo users   ${stack.url}/local/users
  Aggregates   ${stack.url}/v1/aggregates?level=region   (fed by the returns stream; failed batches go to ${deadLetterFile})
  Sent email   ${stack.url}/local/emails   (the local SES endpoint at ${stack.ses?.endpoint}; reminders run hourly at :05, or: npm run remind)
  Exports      POST ${stack.url}/v1/exports   (the export worker runs in process when a job is made; events it gives up on go to ${exportDeadLetterFile})
  S3           ${stack.s3?.endpoint}   (the local S3 server, bucket ${stack.s3?.bucket}; ${s3DataDir ? `files in ${s3DataDir}` : 'in a temporary folder'})
  CQC API      ${stack.cqcApi?.url}   (a stand-in serving ${stack.cqcApi?.size()} records changed in February 2021; the sync runs daily at 04:30 UTC, or: npm run sync:cqc -- --since 2021-01-01)
  DynamoDB     ${stack.dynamodbEndpoint}

Sign in as a demo user, one per role (see /local/users), and call the API with the token:

  TOKEN=$(curl -s -X POST ${stack.url}/local/token -d '{"user":"admin"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -H "Authorization: Bearer $TOKEN" '${stack.url}/v1/locations?limit=3'

Ctrl-C stops everything.
`);
}

main().catch((error: unknown) => {
  console.error(`[local] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
