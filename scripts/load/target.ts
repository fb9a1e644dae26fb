import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableId } from '../../shared/tables';
import { useLocalAwsEnvironment } from '../local/dynamodb-local';
import { localSettings } from '../local/local-settings';
import { exportTableNames } from '../local/local-tables';
import { readRunningStack } from '../local/stack-file';
import type { LocalStack } from '../local/stack';
import type { StreamPollerStats } from '../local/stream-poller';
import type { LoadOptions } from './options';

/** What the load runs against: `npm start`'s stack, or one it started itself. */
export interface LoadTarget {
  mode: 'attached' | 'self';
  description: string;
  gatewayUrl: string;
  dynamodbEndpoint: string;
  tables: Record<TableId, string>;
  /** The aggregator's dead-letter file (JSON Lines). */
  deadLetterFile: string;
  /** Where this run keeps its logs and, with --self, the stack's data. */
  runDir: string;
  /** The Node processes serving the stack (the harness's own is sampled apart), for the RSS figures. */
  nodeProcesses(): Array<{ label: string; pid: number }>;
  javaPid(): number | undefined;
  /** --self: the stack itself, for faults and for draining its in-process stream poller. */
  stack?: LocalStack;
  pollerStats?(): StreamPollerStats;
  log(line: string): void;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The load test sends tens of thousands of writes: only ever to this machine. */
export function assertLoopback(url: string, what: string): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(`${what} ${url} is not a URL`);
  }
  if (!LOOPBACK.has(host)) throw new Error(`Refusing to load ${what} ${url}: the load test only runs against a stack on this machine (loopback).`);
}

/**
 * The stack `npm start` is running, found through its stack.json under LOCAL_DATA_DIR (as `npm run seed`
 * finds it); this process then reads and checks its tables directly.
 */
export function attachTarget(): LoadTarget {
  const { dataDir } = localSettings();
  const running = readRunningStack(dataDir);
  if (!running) throw new Error(`No local stack is running for ${dataDir}. Start one with \`npm start\`, or run the load against a stack of its own: npm run load -- --self`);
  assertLoopback(running.gatewayUrl, 'the gateway');
  assertLoopback(running.dynamodbEndpoint, 'DynamoDB');
  useLocalAwsEnvironment(running.dynamodbEndpoint);
  exportTableNames(running.tables);
  const runDir = mkdtempSync(join(tmpdir(), 'ct-load-'));
  return {
    mode: 'attached',
    description: `the local stack at ${running.gatewayUrl} (npm start, pid ${running.pid}, ${running.inMemory ? 'in memory' : `data in ${dataDir}`})`,
    gatewayUrl: running.gatewayUrl,
    dynamodbEndpoint: running.dynamodbEndpoint,
    tables: running.tables,
    deadLetterFile: join(dataDir, 'aggregator-dead-letters.jsonl'),
    runDir,
    nodeProcesses: () => [{ label: 'npm start (gateway, handlers, stream poller)', pid: running.pid }],
    javaPid: () => running.dynamodbPid,
    log: (line) => appendFileSync(join(runDir, 'load.log'), `${line}\n`),
    stop: async () => undefined,
  };
}

/**
 * A stack of its own, as `npm start` builds it but without demo data: in memory, or on disk in a
 * temporary folder when DynamoDB Local is to be killed and restarted (in memory it would lose everything).
 * With the crash fault the stream consumer runs in a process of its own (faults.ts), not in this one.
 */
export async function startSelfTarget(options: LoadOptions): Promise<LoadTarget> {
  const runDir = mkdtempSync(join(tmpdir(), 'ct-load-'));
  const onDisk = options.faults.kill !== undefined;
  const logFile = join(runDir, 'stack.log');
  const log = (line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'ERROR';
  if (options.faults.throttle) {
    // Read by shared/runtime/dynamodb.ts when the handlers load, which is after this.
    process.env.LOCAL_FAULTS = `throttle:${options.faults.throttle}`;
  }
  const { startLocalStack } = await import('../local/stack');
  const stack = await startLocalStack({
    port: 0,
    dataDir: runDir,
    inMemory: !onDisk,
    seed: false,
    log,
    aggregator: options.faults.crash === undefined,
  });
  return {
    mode: 'self',
    description: `a stack of its own (${onDisk ? `DynamoDB Local on disk in ${runDir}` : 'DynamoDB Local in memory'}${options.faults.crash ? '; the aggregator in a child process' : ''})`,
    gatewayUrl: stack.url,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    tables: stack.tables,
    deadLetterFile: stack.deadLetterFile,
    runDir,
    nodeProcesses: () => [],
    javaPid: () => stack.dynamodbPid,
    stack,
    ...(stack.aggregator ? { pollerStats: () => stack.aggregator!.stats() } : {}),
    log,
    stop: async () => {
      await stack.stop();
      // The logs stay (they are small); DynamoDB Local's data goes unless asked to keep it.
      if (!options.keep) rmSync(join(runDir, 'dynamodb'), { recursive: true, force: true });
    },
  };
}
