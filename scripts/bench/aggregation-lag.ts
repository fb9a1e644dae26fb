import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { aggregatorFunction } from '#shared/model/functions';
import { CARE_HOME_CATEGORIES } from '#shared/model/schemas/location';
import { tables as definitions, TABLE_IDS, type TableId } from '#shared/model/tables';
import { REPO_ROOT } from '../local/lambda-runtime';
import { readRunningStack, type StackInfo } from '../local/stack-file';
import { startCommand } from '../local/start-command';
import { POLLER_IDLE_MS, startBareStreamReader } from '../load/visibility';
import { progress } from './environment';
import { sampleProcessTree, type MemoryReport, type StackProcessRole } from './memory';
import { compareSequenceNumbers, firstTimesCounted } from '../load/visibility';
import { cell, loadAverage, mebibytes, openLoopSchedule, summarise, verdict, type Summary } from './stats';

/** Taken when this module loads, before any benchmark points the process at its own DynamoDB Local. */
const LAUNCH_ENV = { ...process.env };

/** The issues' targets: aggregates visible within 1 s at p99 at 100 submissions a second; the stack's Node processes within 200 MB idle. */
export const LAG_TARGET = { p99Ms: 1000, atRate: 100, nodeRssBytes: 200 * 2 ** 20 } as const;
/** How long the stack's memory is sampled while it idles (after the warm-up, with nothing sent). */
const IDLE_SAMPLE_MS = 10_000;

/** How often the bench looks for newly visible submissions (each look is one BatchGetItem of at most 100 keys). */
const VISIBILITY_POLL_MS = 20;

export interface LagPhase {
  ratePerSecond: number;
  durationMs: number;
  reportDate: string;
  sent: number;
  created: number;
  failed: number;
  /** How many answers of each HTTP status (0: no answer). */
  statuses: Record<string, number>;
  /** The most PUTs sent and not yet answered at once. */
  mostInFlight: number;
  /** How late the sends went out against their schedule (the client keeping up), ms. */
  sendLatenessMs: Summary;
  /** Request sent → 201 received. */
  putMs: Summary;
  /** 201 received → the England aggregate of its day counts it (see firstTimesCounted). */
  visibleMs: Summary;
  /** Request sent → the England aggregate counts it: what the submitter waits, end to end. */
  visibleFromSentMs: Summary;
  /** Submissions through to the aggregates per second: how many, over first send to last counted. */
  throughputPerSecond: number;
  /** CPU this benchmark's own process (the load generator, the looks, the bare stream reader) used in the phase. */
  clientCpuMs: number;
  /** Baseline: 201 received → a bare GetRecords loop (the poller's batch size and idle wait) read its record. */
  streamMs: Summary;
  visible: number;
  /** Of the 201s, how many have their ledger entry at the end (the order-free check). */
  inLedger: number;
  /** Submissions whose write reached the stream (a PUT that timed out at the gateway may still have been written). */
  seenInStream: number;
  /** The England aggregate's locationsReporting for the day, after minus before: should equal `created`. */
  englandReportingDelta: number;
  ratioP50: number;
  ratioP99: number;
  verdict?: 'meets' | 'misses';
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  memory: MemoryReport;
}

export interface LagResults {
  target: typeof LAG_TARGET;
  visibilityPollMs: number;
  pollerIdleMs: number;
  streamShards: number;
  idleMemory: MemoryReport;
  phases: LagPhase[];
}

const AREAS = Array.from({ length: 40 }, (_, index) => ({
  localAuthority: `${['E06', 'E10', 'E08', 'E09'][index % 4]}${String(900 + index).padStart(6, '0')}`,
  region: `E1200000${(index % 9) + 1}`,
}));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RunningStack {
  child: ChildProcess;
  info: StackInfo;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * `npm start` as a child process, as a developer runs it (package.json's start script: the esbuild build
 * of scripts/local/start.ts under plain node, built first if stale; npm's own process left out), in memory
 * on a free port with a data folder of its own: DynamoDB Local, the gateway (with its bound on requests in
 * flight; `env` may set LOCAL_MAX_IN_FLIGHT), the stream poller with the real aggregator, the schedule,
 * the demo seed. Found through the stack file it writes, as other scripts find it.
 */
export async function startStack(env: NodeJS.ProcessEnv = {}): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'capacity-bench-stack-'));
  const childEnv: NodeJS.ProcessEnv = { ...LAUNCH_ENV, PORT: '0', LOCAL_IN_MEMORY: '1', LOCAL_DATA_DIR: dataDir, ...env };
  delete childEnv.NODE_OPTIONS;
  // BENCH_STACK_LOG=<file> keeps what the stack prints (a line per request, with its time) for a look afterwards.
  const log = process.env.BENCH_STACK_LOG ? openSync(process.env.BENCH_STACK_LOG, 'w') : 'ignore';
  const { command, args } = startCommand();
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', log, 'pipe'],
  });
  if (typeof log === 'number') closeSync(log);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    // If the stack could not stop its own DynamoDB Local, stop that one process (ours) by its pid.
    const info = readRunningStackFile(dataDir);
    if (info?.dynamodbPid) {
      try {
        process.kill(info.dynamodbPid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    const info = readRunningStack(dataDir);
    if (info) return { child, info, dataDir, stop };
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`npm start (${[command, ...args].join(' ')}) exited before it was ready:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start was not ready within 180 s:\n${stderr}`);
    }
    await sleep(250);
  }
}

/**
 * The stack's process tree for the memory sampler: the child itself is the stack's one Node process
 * (no wrapper since `npm start` runs plain node), DynamoDB Local's Java below it, nothing else (any
 * other process found is shown apart, as `other`).
 */
export function stackProcesses(stack: RunningStack): { rootPid: number; roleOf: (pid: number, comm: string) => StackProcessRole } {
  const { info } = stack;
  return {
    rootPid: stack.child.pid!,
    roleOf: (pid, comm) => (pid === info.pid ? 'stack' : pid === info.dynamodbPid || comm === 'java' ? 'dynamodbLocal' : 'other'),
  };
}

/** The stack file even once its process has gone (readRunningStack ignores a dead one). */
function readRunningStackFile(dataDir: string): StackInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
  } catch {
    return undefined;
  }
}

async function countItems(client: DynamoDBClient, table: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, never> | undefined;
  do {
    // The bench's own check that the stream is drained; no request path scans.
    const page = await client.send(new ScanCommand({ TableName: table, Select: 'COUNT', ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return count;
}

/** Every current return has its ledger entry: the aggregator has caught up with everything written so far. */
async function waitUntilAggregated(client: DynamoDBClient, tables: Record<TableId, string>, label: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let returns = 0;
  let ledger = 0;
  while (Date.now() < deadline) {
    [returns, ledger] = await Promise.all([countItems(client, tables.returns), countItems(client, tables.aggregateLedger)]);
    process.stderr.write(`\r  ${label}: ${ledger}/${returns} location-days aggregated   `);
    if (returns > 0 && ledger >= returns) {
      process.stderr.write('\n');
      return;
    }
    await sleep(500);
  }
  throw new Error(`the aggregator did not catch up within ${timeoutMs / 1000} s (${ledger} of ${returns} location-days)`);
}

interface Submission {
  locationId: string;
  reportDate: string;
  scheduledAt: number;
  sentAt?: number;
  ackAt?: number;
  status?: number;
  visibleAt?: number;
  streamAt?: number;
  sequenceNumber?: string;
}

/**
 * PUT to visible in the aggregates, with the local stream poller running the real aggregator exactly as
 * `npm start` does (it is `npm start`, as a child process): open-loop submissions at each rate, each
 * to a fresh location-day, through the gateway with an admin token from the local issuer. Wall clocks
 * on the writer's side only (DynamoDB Local truncates ApproximateCreationDateTime to the minute). Beside
 * it, in the same run and under the same load, the stream's own delivery lag read by a bare GetRecords
 * loop. The resident set size of the stack's processes is sampled throughout.
 */
export async function benchAggregationLag(options: { rates?: number[]; durationMs?: number; warmUpMs?: number } = {}): Promise<LagResults> {
  const rates = options.rates ?? [20, 100];
  const durationMs = options.durationMs ?? 20_000;
  const warmUpMs = options.warmUpMs ?? 3_000;

  process.stderr.write('  starting npm start (in memory, free port) as a child process...\n');
  const stack = await startStack();
  const { info } = stack;
  try {
    // toLocationItem's module reads table names at load: give it the stack's if nothing has set them.
    for (const id of TABLE_IDS) process.env[definitions[id].envVar] ??= info.tables[id];
    const { toLocationItem } = await import('#shared/repositories/locations');
    const { addDays, londonDay } = await import('#shared/model/returns/report-date');

    const client = new DynamoDBClient({ endpoint: info.dynamodbEndpoint, region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 4 });
    const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const { rootPid, roleOf } = stackProcesses(stack);

    const tokenResponse = await fetch(`${info.gatewayUrl}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'admin' }) });
    if (!tokenResponse.ok) throw new Error(`POST /local/token answered ${tokenResponse.status}`);
    const { token } = (await tokenResponse.json()) as { token: string };
    const body = JSON.stringify({
      vacancies: Object.fromEntries(CARE_HOME_CATEGORIES.map((category) => [category, { male: 0, female: 1, any: 0 }])),
      beds: { occupied: 41, vacantReserved: 1, vacantNotAdmittable: 0 },
      admissions: { status: 'open' },
      outbreak: { active: false, residentsConfirmed: 0, residentsSuspected: 0, staffConfirmed: 0 },
      workforce: { staffEmployed: 52, staffAbsent: 2, staffAbsentCovid: 0, agencyStaffShifts: 3 },
      ppe: { gloves: 30, aprons: 30, fluidResistantMasks: 14, ffp3Masks: 7, eyeProtection: 21, handHygiene: 60 },
      visiting: 'open',
    });

    // One fresh location per submission: every PUT is the first for its location-day (a 201).
    const today = londonDay(new Date());
    const phasesPlanned = [{ rate: 20, durationMs: warmUpMs, reportDate: addDays(today, -2), warmUp: true }, ...rates.map((rate, index) => ({ rate, durationMs, reportDate: addDays(today, -(rates.length - 1 - index)), warmUp: false }))];
    const needed = phasesPlanned.reduce((sum, phase) => sum + openLoopSchedule(phase.rate, phase.durationMs).length, 0);
    const locationIds = Array.from({ length: needed }, (_, index) => `1-8${String(index).padStart(8, '0')}`);
    const show = progress(`  loading ${needed} bench locations into the stack's DynamoDB Local`, needed);
    for (let start = 0; start < needed; start += 25) {
      const batch = locationIds.slice(start, start + 25).map((locationId, offset) => {
        const area = AREAS[(start + offset) % AREAS.length]!;
        return toLocationItem({ locationId, providerId: '1-800000001', name: `Bench Lag ${start + offset}`, type: 'careHome', categories: [...CARE_HOME_CATEGORIES], registeredBeds: 60, ...area, active: true, lastUpdated: null });
      });
      let requests: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests && requests.length > 0) {
        const result = await documents.send(new BatchWriteCommand({ RequestItems: { [info.tables.locations]: requests } }));
        requests = result.UnprocessedItems?.[info.tables.locations] as Record<string, unknown>[] | undefined;
      }
      show(Math.min(needed, start + 25));
    }
    await waitUntilAggregated(client, info.tables, 'the demo seed going through the aggregator');

    const { Table } = await client.send(new DescribeTableCommand({ TableName: info.tables.returns }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) throw new Error('the returns table has no stream');

    let nextLocation = 0;
    const englandReporting = async (reportDate: string) => {
      const { Item } = await documents.send(new GetCommand({ TableName: info.tables.aggregates, Key: keys.aggregate('england#E92000001', reportDate) }));
      return Number(Item?.locationsReporting ?? 0);
    };

    const runPhase = async (rate: number, phaseMs: number, reportDate: string, label: string) => {
      const schedule = openLoopSchedule(rate, phaseMs);
      const submissions: Submission[] = schedule.map((offset) => ({ locationId: locationIds[nextLocation++]!, reportDate, scheduledAt: offset }));
      const byKey = new Map(submissions.map((submission) => [`${submission.locationId}#${submission.reportDate}#1`, submission]));
      const before = await englandReporting(reportDate);
      const startLoad = loadAverage();

      const reader = startBareStreamReader(info.dynamodbEndpoint, streamArn, (key, at, sequenceNumber) => {
        const submission = byKey.get(key);
        if (submission && submission.streamAt === undefined) Object.assign(submission, { streamAt: at, sequenceNumber });
      });
      await reader.ready;
      const memory = sampleProcessTree(rootPid, roleOf, 250);
      const clientCpu = process.cpuUsage();

      // The England aggregate of the phase's day counts every location reporting that day, and nothing
      // else writes that day meanwhile: one GetItem per look, however many are pending, so the looking
      // does not load DynamoDB Local more as the backlog grows.
      const counts: Array<{ at: number; count: number }> = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const count = (await englandReporting(reportDate)) - before;
          counts.push({ at: performance.now(), count });
          await sleep(VISIBILITY_POLL_MS);
        }
      })();

      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      let waiting = 0;
      let mostWaiting = 0;
      const showSends = progress(`  ${label}: ${rate}/s for ${phaseMs / 1000} s`, submissions.length);
      for (const [index, submission] of submissions.entries()) {
        const wait = started + submission.scheduledAt - performance.now();
        if (wait > 1) await sleep(wait);
        submission.sentAt = performance.now();
        mostWaiting = Math.max(mostWaiting, ++waiting);
        inFlight.push(
          fetch(`${info.gatewayUrl}/v1/locations/${submission.locationId}/returns/${submission.reportDate}`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          })
            .then(async (response) => {
              await response.arrayBuffer();
              submission.ackAt = performance.now();
              submission.status = response.status;
            })
            .catch(() => {
              submission.ackAt = performance.now();
              submission.status = 0;
            })
            .finally(() => {
              waiting -= 1;
            }),
        );
        showSends(index + 1);
      }
      await Promise.all(inFlight);
      const created = submissions.filter((submission) => submission.status === 201);
      // Wait until every write has reached the stream and been counted. A PUT the gateway gave up on
      // (503 after API Gateway's 29 s) may still have been written by its handler, so the writes are
      // what is counted, not the 201s; settled once nothing new has reached the stream for 2 s.
      const settleBy = Date.now() + 180_000;
      let lastSeen = -1;
      let quietSince = Date.now();
      for (;;) {
        const seen = submissions.filter((submission) => submission.streamAt !== undefined).length;
        if (seen !== lastSeen) [lastSeen, quietSince] = [seen, Date.now()];
        const settled = created.every((submission) => submission.streamAt !== undefined) && (counts.at(-1)?.count ?? 0) >= seen && Date.now() - quietSince >= 2_000;
        if (settled || Date.now() > settleBy) break;
        await sleep(50);
      }
      watching = false;
      await watcher;
      const memoryReport = memory.stop();
      const clientUsage = process.cpuUsage(clientCpu);
      await reader.stop();
      const after = await englandReporting(reportDate);

      // The aggregator applies records in stream order (one shard; a batch's groups in order), so the
      // k-th record in the stream is in the count from the first look that counted k.
      const inStreamOrder = submissions.filter((submission) => submission.streamAt !== undefined).sort((a, b) => compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
      const visibleAt = firstTimesCounted(counts, inStreamOrder.length);
      inStreamOrder.forEach((submission, index) => {
        const at = visibleAt[index];
        // Counted before its 201 reached the client: visible by the time the submitter heard back.
        if (at !== undefined) submission.visibleAt = Math.max(at, submission.ackAt ?? at);
      });
      // And a check that does not rely on the order: every one of them has its ledger entry now.
      let inLedger = 0;
      for (let start = 0; start < created.length; start += 100) {
        const result = await documents.send(
          new BatchGetCommand({ RequestItems: { [info.tables.aggregateLedger]: { Keys: created.slice(start, start + 100).map((submission) => keys.ledger(submission.locationId, submission.reportDate)), ProjectionExpression: 'locationId' } } }),
        );
        inLedger += result.Responses?.[info.tables.aggregateLedger]?.length ?? 0;
      }

      const visibleMs = summarise(created.flatMap((submission) => (submission.visibleAt !== undefined ? [submission.visibleAt - submission.ackAt!] : [])));
      const streamMs = summarise(created.flatMap((submission) => (submission.streamAt !== undefined ? [submission.streamAt - submission.ackAt!] : [])));
      return {
        phase: {
          ratePerSecond: rate,
          durationMs: phaseMs,
          reportDate,
          sent: submissions.length,
          created: created.length,
          failed: submissions.length - created.length,
          statuses: Object.fromEntries([...new Set(submissions.map((submission) => submission.status ?? 0))].sort().map((status) => [String(status), submissions.filter((submission) => (submission.status ?? 0) === status).length])),
          mostInFlight: mostWaiting,
          sendLatenessMs: summarise(submissions.map((submission) => submission.sentAt! - started - submission.scheduledAt)),
          putMs: summarise(created.map((submission) => submission.ackAt! - submission.sentAt!)),
          visibleMs,
          visibleFromSentMs: summarise(created.flatMap((submission) => (submission.visibleAt !== undefined ? [submission.visibleAt - submission.sentAt!] : []))),
          streamMs,
          clientCpuMs: (clientUsage.user + clientUsage.system) / 1000,
          throughputPerSecond: created.length / ((Math.max(...created.map((submission) => submission.visibleAt ?? Number.NaN)) - started) / 1000),
          visible: created.filter((submission) => submission.visibleAt !== undefined).length,
          inLedger,
          seenInStream: submissions.filter((submission) => submission.streamAt !== undefined).length,
          englandReportingDelta: after - before,
          ratioP50: visibleMs.p50 / streamMs.p50,
          ratioP99: visibleMs.p99 / streamMs.p99,
          ...(rate === LAG_TARGET.atRate ? { verdict: verdict(visibleMs.p99, LAG_TARGET.p99Ms) } : {}),
          loadAverage: { start: startLoad, end: loadAverage() },
          memory: memoryReport,
        } satisfies LagPhase,
        shards: reader.shards(),
      };
    };

    // Warm-up: the handlers load on first use (as a cold Lambda would), the authorizer fetches the key set.
    await runPhase(20, warmUpMs, phasesPlanned[0]!.reportDate, 'warm-up (not counted)');
    await waitUntilAggregated(client, info.tables, 'warm-up aggregated');
    process.stderr.write(`  idle: sampling memory for ${IDLE_SAMPLE_MS / 1000} s\n`);
    const idle = sampleProcessTree(rootPid, roleOf, 250);
    await sleep(IDLE_SAMPLE_MS);
    const idleMemory = idle.stop();

    const phases: LagPhase[] = [];
    let streamShards = 0;
    for (const planned of phasesPlanned.slice(1)) {
      const { phase, shards } = await runPhase(planned.rate, planned.durationMs, planned.reportDate, 'submitting');
      streamShards = Math.max(streamShards, shards);
      phases.push(phase);
      process.stderr.write(
        `  ${planned.rate}/s: ${phase.created}/${phase.sent} created, visible p50 ${phase.visibleMs.p50.toFixed(0)} ms p99 ${phase.visibleMs.p99.toFixed(0)} ms; stream p50 ${phase.streamMs.p50.toFixed(0)} ms p99 ${phase.streamMs.p99.toFixed(0)} ms\n`,
      );
      await waitUntilAggregated(client, info.tables, 'between phases');
      await sleep(2_000);
    }
    documents.destroy();
    client.destroy();
    return { target: LAG_TARGET, visibilityPollMs: VISIBILITY_POLL_MS, pollerIdleMs: POLLER_IDLE_MS, streamShards, idleMemory, phases };
  } finally {
    await stack.stop();
  }
}

const mb = (bytes: number) => cell(mebibytes(bytes), 0);

export function lagMarkdown(results: LagResults): string {
  const lines = [
    `## Aggregation lag: PUT to visible in the aggregates (\`npm start\` as a child process; open-loop; visibility looked for every ${results.visibilityPollMs} ms)`,
    '',
    `Target: p99 ≤ ${results.target.p99Ms} ms at ${results.target.atRate}/s. Baseline: the stream's own delivery, read by a bare GetRecords loop (batch ${aggregatorFunction.stream.batchSize}, ${results.pollerIdleMs} ms wait when empty, as the poller) in the same run. Times from the 201 arriving at the client.`,
    '',
    '| rate | sent | 201 | written (in stream) | 201s counted / in ledger | England Δ | PUT p50 / p99 (ms) | visible p50 (ms) | visible p99 (ms) | stream p50 (ms) | stream p99 (ms) | p50 ÷ stream | p99 ÷ stream | sent → visible p99 (ms) | vs target | load average |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const phase of results.phases) {
    lines.push(
      `| ${phase.ratePerSecond}/s × ${phase.durationMs / 1000} s | ${phase.sent} | ${phase.created} | ${phase.seenInStream} | ${phase.visible} / ${phase.inLedger} | ${phase.englandReportingDelta} | ${cell(phase.putMs.p50, 0)} / ${cell(phase.putMs.p99, 0)} | ${cell(phase.visibleMs.p50, 0)} | ${cell(phase.visibleMs.p99, 0)} | ${cell(phase.streamMs.p50, 0)} | ${cell(phase.streamMs.p99, 0)} | ${cell(phase.ratioP50, 2)} | ${cell(phase.ratioP99, 2)} | ${cell(phase.visibleFromSentMs.p99, 0)} | ${phase.verdict ? `${phase.verdict} (p99 ≤ ${results.target.p99Ms} ms)` : ''} | ${phase.loadAverage.start[0]} → ${phase.loadAverage.end[0]} |`,
    );
  }
  lines.push(
    '',
    'CPU while each rate ran (from the first send until the last submission was counted; 2 cores in all):',
    '',
    '| rate | wall (s) | through to the aggregates (/s) | stack node (cores) | DynamoDB Local java (cores) | this benchmark (cores) | stack node CPU per submission (ms) | java CPU per submission (ms) |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const phase of results.phases) {
    const wall = phase.memory.wallMs;
    const cpuOf = (role: StackProcessRole) => phase.memory.processes.filter((process) => process.role === role).reduce((sum, process) => sum + process.cpuMs, 0);
    lines.push(
      `| ${phase.ratePerSecond}/s | ${cell(wall / 1000, 1)} | ${cell(phase.throughputPerSecond, 1)} | ${cell(cpuOf('stack') / wall, 2)} | ${cell(cpuOf('dynamodbLocal') / wall, 2)} | ${cell(phase.clientCpuMs / wall, 2)} | ${cell(cpuOf('stack') / phase.created, 1)} | ${cell(cpuOf('dynamodbLocal') / phase.created, 1)} |`,
    );
  }
  lines.push(
    '',
    `## Memory of the local stack (resident set size, sampled every ${results.idleMemory.intervalMs} ms; target: the Node processes ≤ ${mebibytes(results.target.nodeRssBytes)} MB idle)`,
    '',
    '| process | idle p50 (MB) | while at 20/s max (MB) | while at 100/s p50 (MB) | while at 100/s max (MB) | vs target |',
    '|---|---|---|---|---|---|',
  );
  const roles: Array<[StackProcessRole, string]> = [
    ['stack', 'the stack (node scripts/local/launch.mjs, the esbuild build of start.ts: gateway, handlers, poller, aggregator)'],
    ['dynamodbLocal', 'DynamoDB Local (java, child of the stack; not under the target)'],
  ];
  const find = (report: MemoryReport, role: StackProcessRole) => report.processes.find((process) => process.role === role)?.rssBytes;
  const slow = results.phases.find((phase) => phase.ratePerSecond !== LAG_TARGET.atRate);
  const fast = results.phases.find((phase) => phase.ratePerSecond === LAG_TARGET.atRate);
  for (const [role, label] of roles) {
    if (!results.idleMemory.processes.some((process) => process.role === role)) continue;
    const at100 = fast ? find(fast.memory, role) : undefined;
    lines.push(
      `| ${label} | ${mb(find(results.idleMemory, role)?.p50 ?? Number.NaN)} | ${mb((slow ? find(slow.memory, role)?.max : undefined) ?? Number.NaN)} | ${mb(at100?.p50 ?? Number.NaN)} | ${mb(at100?.max ?? Number.NaN)} | |`,
    );
  }
  for (const other of fast?.memory.processes.filter((process) => process.role === 'other') ?? []) {
    lines.push(`| another process of the tree (${other.comm}, pid ${other.pid}) | | | ${mb(other.rssBytes.p50)} | ${mb(other.rssBytes.max)} | |`);
  }
  const idleTotal = results.idleMemory.nodeTotalBytes.p50;
  lines.push(
    `| **Node processes together** | ${mb(idleTotal)} | ${mb(slow?.memory.nodeTotalBytes.max ?? Number.NaN)} | ${mb(fast?.memory.nodeTotalBytes.p50 ?? Number.NaN)} | ${mb(fast?.memory.nodeTotalBytes.max ?? Number.NaN)} | ${verdict(idleTotal, results.target.nodeRssBytes)} (idle ≤ ${mebibytes(results.target.nodeRssBytes)} MB) |`,
  );
  return lines.join('\n');
}
