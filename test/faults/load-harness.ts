import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, expect } from 'vitest';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import { addThrottling } from '#scripts/local/fault-rules';
import type { StreamPollerStats } from '#scripts/local/stream-poller';
import { AggregatorHost, type CrashRecord, type KillRecord } from '#scripts/load/faults';
import { faultChecks, type ThrottlingFigures } from '#scripts/load/fault-checks';
import { Journal, type Outage } from '#scripts/load/journal';
import type { LoadOptions } from '#scripts/load/options';
import { SimulatedProvider } from '#scripts/load/provider';
import { deadLettersSince, redriveDeadLetters, type RedriveReport } from '#scripts/load/redrive';
import { loadLocation, locationsOf, providerUserId, seedLoad } from '#scripts/load/seed';
import { startSelfTarget, type LoadTarget } from '#scripts/load/target';
import { baselineVersions, checkingClient, deadLetterCount, verifyRun, waitForAggregator, type Check, type VerifyFigures } from '#scripts/load/verify';
import { seededRandom, sleep, until } from '#test/helpers/wait';

/**
 * The fault tests run `npm run load`'s parts (its simulated providers, journal, seeding, fault hosts and
 * checks) at a reduced size, each against a stack of its own (DynamoDB Local on a free port, the gateway,
 * the stream poller), so a killed DynamoDB Local or an injected throttle touches nothing else. What they
 * assert are the harness's invariants: counts, and equality with a recomputation from the stored
 * returns; never timings.
 *
 * Unlike `npm run load`, nothing here depends on how fast the machine is: each provider makes a fixed
 * number of writes (not "as many as fit in N seconds"), its choices and the throttling's are seeded, and
 * every fault is started and ended by what has happened (so many writes acknowledged, a 503 answered),
 * never by the clock. A slow machine makes a run longer, not different.
 */
export interface FaultRunOptions {
  providers: number;
  /** Writes each provider makes, one at a time (each with its own retries); the run's size. */
  writesPerProvider: number;
  locations: number;
  seed: number;
  /** How long a provider keeps retrying one write (with its Idempotency-Key) before it counts its answer as lost. */
  retrySeconds: number;
  /** Deadline for the aggregator to catch up afterwards: only a failing run waits this long. */
  catchUpSeconds: number;
  faults: {
    /**
     * A seeded `share` of the handlers' DynamoDB call attempts throttled; and, so that the "failed even
     * after the SDK's retries" path is certainly taken, the first return write after `exhaustAfterCalls`
     * handler calls is throttled on every attempt.
     */
    throttle?: { share: number; exhaustAfterCalls: number };
    /**
     * DynamoDB Local SIGKILLed once `afterAcknowledged` writes have been acknowledged (the providers then
     * have writes in flight), and started again on its port and data only once a request sent while it
     * was down has been answered 503, and at least `minDownSeconds` after the kill. The providers keep
     * writing until it is back, whatever is left of their writes.
     */
    kill?: { afterAcknowledged: number; minDownSeconds: number };
    /**
     * The aggregator in a process of its own, started once `backlogWrites` writes are acknowledged (so
     * its first batches are full ones), SIGKILLed part-way through the batch of its `afterRecords`-th
     * record, `times` times (`LOCAL_FAULTS=crash:<n>`), restarted from its checkpoints each time.
     */
    crash?: { times: number; afterRecords: number; backlogWrites: number };
  };
}

export interface FaultRunResult {
  /** Writes the providers started (each one to several requests). */
  writes: number;
  requests: number;
  acknowledgedWrites: number;
  statuses: Record<string, number>;
  verification: VerifyFigures;
  kills: KillRecord[];
  duringOutage?: Journal['duringOutage'];
  crashes: CrashRecord[];
  throttling?: ThrottlingFigures;
  poller?: StreamPollerStats;
  redriven?: { batches: number; records: number; failed: number };
  checks: Check[];
  /** For the report only: nothing asserts on them. */
  seconds: { stack: number; load: number; catchUp: number; verify: number };
}

export function faultOptions(overrides: Partial<FaultRunOptions>): FaultRunOptions {
  return {
    providers: 6,
    writesPerProvider: 25,
    locations: 300,
    seed: 20261201,
    retrySeconds: 30,
    catchUpSeconds: 120,
    faults: {},
    ...overrides,
  };
}

/** The stack sets DYNAMODB_ENDPOINT, table names, LOCAL_FAULTS ... in this process: put them back afterwards. */
export function restoreEnvironmentAfterwards(): void {
  let saved: NodeJS.ProcessEnv;
  beforeAll(() => {
    saved = { ...process.env };
  });
  afterAll(() => {
    process.env = saved;
  });
}

/** How many days back the providers write, as `npm run load`: today in England and the three before. */
const DAYS = 4;

/**
 * A provider writes while `Date.now() < until`, reading `until` once before each write: as a getter it
 * becomes a count. A far-off time while writes are left (or `keepGoing` says so), the past after, and
 * at once when the run is `stopped`.
 */
function writeBudget(writes: number, keepGoing: () => boolean, stopped: () => boolean): { readonly until: number; started: () => number } {
  let started = 0;
  return {
    get until() {
      if (!stopped() && (started < writes || keepGoing())) {
        started += 1;
        return Number.POSITIVE_INFINITY;
      }
      return 0;
    },
    started: () => started,
  };
}

/** Does this DynamoDB call write a return (the PUT's and the confirm's transaction)? Only the handlers do. */
function writesReturn(input: unknown, returnsTable: string): boolean {
  const items = (input as { TransactItems?: Array<Record<string, { TableName?: string } | undefined>> }).TransactItems;
  return Array.isArray(items) && items.some((item) => Object.values(item).some((part) => part?.TableName === returnsTable));
}

/**
 * Seeded throttling in the handlers' DynamoDB client (this process's: the gateway runs the handlers here),
 * added from outside as `LOCAL_FAULTS=throttle:<share>` adds it, with a roll the test controls: one call,
 * chosen by what it is rather than by chance, is throttled on every attempt.
 */
async function injectThrottling(fault: NonNullable<FaultRunOptions['faults']['throttle']>, seed: number, returnsTable: string): Promise<void> {
  // Imported only now: the client reads DYNAMODB_ENDPOINT (the stack's) when first loaded.
  const { dynamoClient } = await import('#shared/runtime/dynamodb');
  const exhaustThisCall = new AsyncLocalStorage<boolean>();
  let calls = 0;
  let chosen = false;
  dynamoClient.middlewareStack.add(
    (next) => (args) => {
      calls += 1;
      const exhaust = !chosen && calls > fault.exhaustAfterCalls && writesReturn(args.input, returnsTable);
      if (exhaust) chosen = true;
      return exhaustThisCall.run(exhaust, () => next(args));
    },
    // Outside the SDK's retries, so every attempt of the chosen call sees the same choice.
    { step: 'initialize', priority: 'high', name: 'faultTestExhaustOneCall' },
  );
  const random = seededRandom(seed);
  addThrottling(dynamoClient, fault.share, () => (exhaustThisCall.getStore() ? 0 : random()));
}

/** `--faults kill`, started and ended by what happened rather than at set times. */
async function killDynamoOnce(
  dynamodb: { kill(signal?: NodeJS.Signals): Promise<void>; restart(): Promise<void> },
  fault: NonNullable<FaultRunOptions['faults']['kill']>,
  journal: Journal,
  startedAt: number,
  outage: { current?: Outage },
  log: (line: string) => void,
): Promise<KillRecord> {
  await until(() => journal.acknowledged >= fault.afterAcknowledged, { timeoutMs: 120_000, what: `${fault.afterAcknowledged} acknowledged writes before the kill` });
  const killedAt = Date.now();
  await dynamodb.kill('SIGKILL');
  // The outage the journal counts answers in starts once the process is gone: a request counted in it
  // was certainly sent while DynamoDB Local was down.
  const current: Outage = { startedAt: Date.now() };
  outage.current = current;
  journal.outages.push(current);
  log(`fault: DynamoDB Local killed (SIGKILL) after ${journal.acknowledged} acknowledged writes`);
  // Requests are sent while it is down (the providers keep going until it is back): wait for one's answer.
  await Promise.all([
    sleep(fault.minDownSeconds * 1000),
    until(() => journal.duringOutage.status503 > 0, { timeoutMs: 60_000, what: 'a request sent while DynamoDB Local was down to be answered 503' }),
  ]);
  const restarting = Date.now();
  await dynamodb.restart();
  current.endedAt = Date.now();
  log(`fault: DynamoDB Local restarted on the same port and data after ${journal.duringOutage.answered} answers meanwhile`);
  return { atSeconds: (killedAt - startedAt) / 1000, downSeconds: (current.endedAt - killedAt) / 1000, restartSeconds: (current.endedAt - restarting) / 1000 };
}

/**
 * Seed, sign the providers in, let each make its writes (with the faults asked for), wait until the
 * aggregator has caught up (redriving what the stream poller dead-lettered), then make every check of
 * `npm run load`.
 */
export async function runFaultLoad(options: FaultRunOptions): Promise<FaultRunResult> {
  const { faults } = options;
  const seconds = { stack: 0, load: 0, catchUp: 0, verify: 0 };
  let mark = performance.now();
  const lap = (phase: keyof typeof seconds) => {
    const now = performance.now();
    seconds[phase] = Math.round(now - mark) / 1000;
    mark = now;
  };
  // The stack as `npm run load -- --self` starts it; throttling is added below instead of by LOCAL_FAULTS.
  const loadOptions: LoadOptions = {
    providers: options.providers,
    seconds: 0,
    locations: options.locations,
    self: true,
    faults: {
      ...(faults.kill ? { kill: { times: 1, downSeconds: faults.kill.minDownSeconds } } : {}),
      ...(faults.crash ? { crash: { times: faults.crash.times, afterRecords: faults.crash.afterRecords } } : {}),
    },
    drainSeconds: options.catchUpSeconds,
    retrySeconds: options.retrySeconds,
    keep: false,
    quiet: true,
    seed: options.seed,
  };
  const target: LoadTarget = await startSelfTarget(loadOptions);
  const log = (line: string) => {
    target.log(line);
    if (process.env.LOAD_TEST_REPORT) console.log(line);
  };
  const { db, destroy } = checkingClient(target.dynamodbEndpoint);
  let host: AggregatorHost | undefined;
  let stopped = false;
  try {
    if (faults.throttle) await injectThrottling(faults.throttle, options.seed, target.tables.returns);
    await seedLoad(target.dynamodbEndpoint, target.tables, options.providers, options.locations, () => undefined);
    const baseline = await baselineVersions(db, target.tables);
    const deadLettersBefore = deadLetterCount(target.deadLetterFile);
    lap('stack');

    const journal = new Journal();
    const today = londonDay(new Date());
    const days = Array.from({ length: DAYS }, (_, back) => addDays(today, -back));
    const outage: { current?: Outage } = {};
    const outageOver = () => outage.current?.endedAt !== undefined;
    const budgets = Array.from({ length: options.providers }, () => writeBudget(options.writesPerProvider, () => faults.kill !== undefined && !outageOver(), () => stopped));
    const providers = budgets.map(
      (budget, index) =>
        new SimulatedProvider({
          gatewayUrl: target.gatewayUrl,
          userId: providerUserId(index),
          locations: locationsOf(index, options.providers, options.locations).map(loadLocation),
          days,
          journal,
          random: seededRandom(options.seed + index),
          get until() {
            return budget.until;
          },
          retryMs: options.retrySeconds * 1000,
        }),
    );
    await Promise.all(providers.map((provider) => provider.signIn()));
    const dynamodb = target.stack?.dynamodb;
    if (faults.kill && !dynamodb) throw new Error('the kill fault needs a stack of its own, with a DynamoDB Local it started');

    const startedAt = Date.now();
    let providersDone = false;
    const kills: KillRecord[] = [];
    const running: Promise<unknown>[] = [
      Promise.all(providers.map((provider) => provider.run())).then(() => {
        providersDone = true;
      }),
    ];
    if (faults.kill) running.push(killDynamoOnce(dynamodb!, faults.kill, journal, startedAt, outage, log).then((record) => kills.push(record)));
    if (faults.crash) {
      const crash = faults.crash;
      const started = new AggregatorHost(target, loadOptions.faults.crash!, undefined, log);
      host = started;
      running.push(until(() => providersDone || journal.acknowledged >= crash.backlogWrites, { timeoutMs: 120_000, what: 'a backlog for the aggregator' }).then(() => started.start(startedAt)));
    }
    await Promise.all(running);
    lap('load');

    // Caught up: every location-day's ledger names its newest stored version, and nothing the stream
    // poller gave up on (an outage outlasting its retries) is left un-redriven. Waited for, not slept for.
    const deadline = Date.now() + options.catchUpSeconds * 1000;
    let redriven: FaultRunResult['redriven'];
    let pending = Number.NaN;
    const redriveFresh = async (): Promise<boolean> => {
      const fresh = deadLettersSince(target.deadLetterFile, deadLettersBefore + (redriven?.batches ?? 0));
      if (fresh.length === 0) return false;
      log(`${fresh.length} batch(es) were dead-lettered by the stream poller; redriving them through the aggregator`);
      const report: RedriveReport = await redriveDeadLetters(fresh);
      // As `npm run load` counts them: batches and records summed, `failed` that of the latest redrive.
      redriven = { batches: (redriven?.batches ?? 0) + report.batches, records: (redriven?.records ?? 0) + report.records, failed: report.failed };
      return true;
    };
    for (;;) {
      // The in-process poller (when there is one) has then handled everything written: delivered or dead-lettered.
      await target.stack?.aggregator?.drain(Math.max(1_000, deadline - Date.now())).catch((error: unknown) => log(String(error)));
      const redrove = await redriveFresh();
      // One look at the ledger (a deadline of 0 returns after the first).
      pending = (await waitForAggregator(db, target.tables, journal, 0, () => undefined)).pending;
      if ((pending === 0 && !redrove) || Date.now() > deadline) break;
      if (!redrove) await sleep(500);
    }
    lap('catchUp');
    await host?.stop();

    const { checks, figures } = await verifyRun({
      db,
      tables: target.tables,
      journal,
      baseline,
      faulty: true,
      deadLettersBefore,
      deadLetterFile: target.deadLetterFile,
      aggregatorPending: pending,
      ...(redriven ? { redriven } : {}),
    });
    const faulty = faultChecks({ journal, target, killed: faults.kill !== undefined, throttleShare: faults.throttle?.share, aggregatorElsewhere: host !== undefined });
    checks.push(...faulty.checks);
    const throttling: FaultRunResult['throttling'] = faulty.throttling;
    if (host) checks.push(...host.checks());
    lap('verify');

    const result: FaultRunResult = {
      writes: budgets.reduce((total, budget) => total + budget.started(), 0),
      requests: journal.requests,
      acknowledgedWrites: journal.acknowledged,
      statuses: Object.fromEntries([...journal.statuses].sort(([a], [b]) => a.localeCompare(b))),
      verification: figures,
      kills,
      ...(faults.kill ? { duringOutage: journal.duringOutage } : {}),
      crashes: host?.crashes ?? [],
      ...(throttling ? { throttling } : {}),
      ...(target.pollerStats ? { poller: target.pollerStats() } : {}),
      ...(redriven ? { redriven } : {}),
      checks,
      seconds,
    };
    if (process.env.LOAD_TEST_REPORT) console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    // Providers still writing (a failed run) stop before their next write.
    stopped = true;
    await host?.stop();
    destroy();
    await target.stop();
  }
}

/** Every check the harness makes passed: named, so a failure says which and why. */
export function expectAllChecksPass(result: FaultRunResult): void {
  expect(result.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail}`)).toEqual([]);
  expect(result.acknowledgedWrites).toBeGreaterThan(0);
  expect(result.verification.acknowledgedVersions).toBe(result.acknowledgedWrites);
  // Never a 500, never a 400: only successes, 503s (with Retry-After, checked above), 409 "still in
  // progress" on a keyed retry, and 412 on an If-Match retry after a lost answer.
  expect(Object.keys(result.statuses).filter((status) => !['200', '201', '409', '412', '503', 'network'].includes(status))).toEqual([]);
}
