import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableId } from '#shared/model/tables';
import { attach, type AttachedSystem } from '../local/attach';
import { localSettings } from '../local/local-settings';
import type { LocalSystem } from '../local/system';
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
  stack?: LocalSystem;
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
  let running: AttachedSystem;
  try {
    running = attach();
  } catch (error) {
    throw new Error(`${(error as Error).message} Or run the load against a stack of its own: npm run load -- --self`);
  }
  const { dataDir } = running;
  assertLoopback(running.gatewayUrl, 'the gateway');
  assertLoopback(running.dynamodbEndpoint, 'DynamoDB');
  const runDir = mkdtempSync(join(tmpdir(), 'ct-load-'));
  return {
    mode: 'attached',
    description: running.description,
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
    // Read by scripts/local/fault-rules.ts when the first handler loads, which is after this.
    process.env.LOCAL_FAULTS = `throttle:${options.faults.throttle}`;
  }
  const { startLocalSystem } = await import('../local/system');
  const deadLetterFile = join(runDir, 'aggregator-dead-letters.jsonl');
  // The open loop sheds load as `npm start` does; the providers' closed loop (and the faults) runs unbounded unless asked.
  const maxInFlight = options.maxInFlight ?? (options.rate !== undefined ? localSettings().maxInFlight : undefined);
  const stack = await startLocalSystem({
    dynamodb: onDisk ? { dataDir: join(runDir, 'dynamodb') } : {},
    gateway: { port: 0, ...(onDisk ? { keysDir: join(runDir, 'keys') } : {}), ...(maxInFlight !== undefined ? { maxInFlight } : {}) },
    ...(options.faults.crash === undefined
      ? { aggregator: { deadLetterFile, ...(onDisk ? { checkpointFile: join(runDir, 'aggregator-checkpoints.json') } : {}) } }
      : {}),
    ses: true,
    log,
  });
  return {
    mode: 'self',
    description: `a stack of its own (${onDisk ? `DynamoDB Local on disk in ${runDir}` : 'DynamoDB Local in memory'}${options.faults.crash ? '; the aggregator in a child process' : ''}${maxInFlight !== undefined ? `; the gateway bounding requests in flight at ${maxInFlight}` : ''})`,
    gatewayUrl: stack.url!,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    tables: stack.tables,
    deadLetterFile,
    runDir,
    nodeProcesses: () => [],
    javaPid: () => stack.dynamodb?.pid(),
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
