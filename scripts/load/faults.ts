import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../local/lambda-runtime';
import { CRASH_LINE_PREFIX, type CrashReport } from '../local/faults';
import type { LocalSystem } from '../local/system';
import type { Journal } from './journal';
import type { CrashFault, KillFault } from './options';
import { sleep } from './provider';
import type { Check } from './verify';
import type { LoadTarget } from './target';

export interface KillRecord {
  atSeconds: number;
  downSeconds: number;
  /** From the restart to DynamoDB Local answering again. */
  restartSeconds: number;
}

/**
 * `--faults kill`: DynamoDB Local (on disk) is killed with SIGKILL at evenly spread moments of the run,
 * left down, and started again on the same port and data folder. Meanwhile the gateway should answer
 * 503 problem+json at once; the in-process stream poller backs off and goes on from where it was.
 */
export async function killDynamoDuringRun(stack: LocalSystem, fault: KillFault, startedAt: number, seconds: number, journal: Journal, log: (line: string) => void): Promise<KillRecord[]> {
  const records: KillRecord[] = [];
  for (let i = 1; i <= fault.times; i += 1) {
    const at = startedAt + (seconds * 1000 * i) / (fault.times + 1);
    await sleep(Math.max(0, at - Date.now()));
    const outage: Journal['outages'][number] = { startedAt: Date.now() };
    journal.outages.push(outage);
    await stack.dynamodb!.kill('SIGKILL');
    log(`fault: DynamoDB Local killed (SIGKILL) at ${((outage.startedAt - startedAt) / 1000).toFixed(1)} s`);
    await sleep(fault.downSeconds * 1000);
    const restarting = Date.now();
    await stack.dynamodb!.restart();
    outage.endedAt = Date.now();
    const record = { atSeconds: (outage.startedAt - startedAt) / 1000, downSeconds: (outage.endedAt - outage.startedAt) / 1000, restartSeconds: (outage.endedAt - restarting) / 1000 };
    records.push(record);
    log(`fault: DynamoDB Local restarted on the same port and data (down ${record.downSeconds.toFixed(1)} s, of which ${record.restartSeconds.toFixed(1)} s starting)`);
  }
  return records;
}

export interface CrashRecord extends CrashReport {
  atSeconds: number;
  /** The poller's checkpoint when the process died: the batch starts after it, so it will come again. */
  checkpoint: string | undefined;
}

/** The furthest sequence number the checkpoint file records (DynamoDB Local numbers records across shards in one series). */
function checkpointOf(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { shards?: Record<string, { sequenceNumber?: string }> };
    const numbers = Object.values(parsed.shards ?? {}).flatMap((shard) => (shard.sequenceNumber ? [BigInt(shard.sequenceNumber)] : []));
    return numbers.length ? numbers.reduce((a, b) => (a > b ? a : b)).toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `--faults crash`: the stream consumer runs in a process of its own (aggregator-process.ts) with
 * LOCAL_FAULTS=crash:<n>, so it dies (SIGKILL) part-way through a batch after applying n records; it is
 * started again at once, resuming from its checkpoint file, which gives it the batch again, records
 * already applied included. After `times` crashes it runs without the fault.
 */
export class AggregatorHost {
  readonly crashes: CrashRecord[] = [];
  readonly unexpectedExits: string[] = [];
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly checkpointFile: string;
  private readonly logFile: string;
  private startedAt = Date.now();

  constructor(
    private readonly target: LoadTarget,
    private readonly crash: CrashFault,
    private readonly throttle: number | undefined,
    private readonly log: (line: string) => void,
  ) {
    this.checkpointFile = join(target.runDir, 'aggregator-checkpoints.json');
    this.logFile = join(target.runDir, 'aggregator-process.log');
  }

  pid(): number | undefined {
    return this.child?.pid;
  }

  async start(startedAt = Date.now()): Promise<void> {
    this.startedAt = startedAt;
    await this.spawnLife();
  }

  private spawnLife(): Promise<void> {
    const crashing = this.crashes.length < this.crash.times;
    const faults = [...(this.throttle ? [`throttle:${this.throttle}`] : []), ...(crashing ? [`crash:${this.crash.afterRecords}`] : [])].join(',');
    // Node itself with tsx's loader (not the tsx wrapper), so the signal and the RSS are this process's own.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/load/aggregator-process.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: this.target.dynamodbEndpoint,
        LOAD_TABLES: JSON.stringify(this.target.tables),
        LOAD_CHECKPOINT_FILE: this.checkpointFile,
        LOAD_DEAD_LETTER_FILE: this.target.deadLetterFile,
        LOCAL_FAULTS: faults,
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let crashLine: CrashReport | undefined;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      appendFileSync(this.logFile, text);
      stderr += text;
      const at = stderr.indexOf(CRASH_LINE_PREFIX);
      if (at >= 0 && !crashLine) {
        const line = stderr.slice(at + CRASH_LINE_PREFIX.length).split('\n')[0]!;
        try {
          crashLine = JSON.parse(line) as CrashReport;
        } catch {
          // not all of the line has arrived yet
        }
      }
      if (stderr.length > 100_000) stderr = stderr.slice(-10_000);
    });
    const ready = new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        appendFileSync(this.logFile, chunk.toString());
        if (out.includes('ready\n')) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`the aggregator process exited (${signal ?? code}) before it was ready; see ${this.logFile}`)));
    });
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if ((signal === 'SIGKILL' || code === 137) && crashLine) {
        const record: CrashRecord = { ...crashLine, atSeconds: (Date.now() - this.startedAt) / 1000, checkpoint: checkpointOf(this.checkpointFile) };
        this.crashes.push(record);
        this.log(
          `fault: the aggregator process crashed (SIGKILL) at ${record.atSeconds.toFixed(1)} s after applying ${record.applied} of a batch of ${record.batchSize}; checkpoint ${record.checkpoint ?? 'none'}, batch from ${record.firstSequenceNumber}; restarting it`,
        );
      } else {
        this.unexpectedExits.push(`exited with ${signal ?? code}`);
        this.log(`the aggregator process exited unexpectedly (${signal ?? code}); see ${this.logFile}; restarting it`);
      }
      // Not a hot loop if it keeps failing to start.
      setTimeout(() => {
        if (this.stopping) return;
        this.spawnLife().catch((error: unknown) => {
          if (!this.stopping) this.unexpectedExits.push(String(error));
        });
      }, crashLine ? 0 : 1_000);
    });
    return ready;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** The crash really left applied records behind the checkpoint, so the restart delivered them again. */
  checks(): Check[] {
    const redelivered = this.crashes.filter((crash) => crash.checkpoint === undefined || BigInt(crash.checkpoint) < BigInt(crash.firstSequenceNumber));
    return [
      {
        name: `the aggregator's process crashed part-way through a batch ${this.crash.times} time(s), and each restart redelivered records already applied`,
        ok: this.crashes.length === this.crash.times && redelivered.length === this.crashes.length && this.unexpectedExits.length === 0,
        detail:
          `${this.crashes.length} crash(es): ${this.crashes.map((crash) => `${crash.applied} of ${crash.batchSize} applied, checkpoint ${crash.checkpoint ?? 'none'} before the batch (${crash.firstSequenceNumber})`).join('; ') || 'none happened'}` +
          (this.unexpectedExits.length ? `; unexpected exits: ${this.unexpectedExits.join(', ')}` : ''),
      },
    ];
  }
}
