import { addDays, londonDay } from '#shared/model/returns/report-date';
import { seededRandom } from '../seed/demo-data';
import { AggregatorHost, killDynamoDuringRun, type CrashRecord, type KillRecord } from './faults';
import { Journal } from './journal';
import type { LoadOptions } from './options';
import { SimulatedProvider, sleep } from './provider';
import { deadLettersSince, redriveDeadLetters } from './redrive';
import { machine, percentile, RssSampler } from './report';
import { startRun, type LoadIo } from './run-start';
import { loadLocation, locationsOf, providerUserId, seedLoad, type SeedReport } from './seed';
import { faultChecks, type ThrottlingFigures } from './fault-checks';
import { baselineVersions, deadLetterCount, verifyRun, waitForAggregator, type Check, type VerifyFigures } from './verify';
import type { StreamPollerStats } from '../local/stream-poller';

/** How many days back the providers write: today in England and the three before (the window is 7). */
const DAYS = 4;

export interface LoadResult {
  ok: boolean;
  at: string;
  machine: ReturnType<typeof machine> & { loadAverageAfter: string };
  target: string;
  providers: number;
  locations: number;
  seconds: number;
  faults: LoadOptions['faults'];
  seed: SeedReport;
  /** From the first write to the last answer (providers finish their write in hand after `seconds`). */
  elapsedSeconds: number;
  requests: number;
  requestsPerSecond: number;
  acknowledgedWrites: number;
  acknowledgedPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  statuses: Record<string, number>;
  rssPeakMB: Array<{ label: string; pids: number[]; peakMB: number }>;
  aggregatorCatchUpSeconds: number;
  redriven?: { batches: number; records: number; failed: number };
  verification: VerifyFigures;
  kills: KillRecord[];
  crashes: CrashRecord[];
  throttling?: ThrottlingFigures;
  duringOutage?: Journal['duringOutage'];
  poller?: StreamPollerStats;
  checks: Check[];
  /** Seconds spent starting the stack, seeding, under load, waiting for the aggregator, checking. */
  phases: Record<string, number>;
  runDir: string;
}

/**
 * `npm run load`: seed, sign in N providers, let them write for T seconds (with the faults asked for),
 * wait for the stream poller to catch up, then check every acknowledged write and every aggregate.
 */
export async function runLoad(options: LoadOptions, io: LoadIo): Promise<LoadResult> {
  const { before, at, phases, phase, target, log, progress, db, destroy } = await startRun(options, io);
  let host: AggregatorHost | undefined;
  let sampler: RssSampler | undefined;
  try {
    log(`load: ${options.providers} providers for ${options.seconds} s against ${target.description}`);
    const seed = await seedLoad(target.dynamodbEndpoint, target.tables, options.providers, options.locations, progress);
    log(`load: ${options.locations} locations ready (${seed.locationsWritten} written, ${seed.membershipsWritten} memberships granted, ${seed.seconds.toFixed(1)} s)`);
    const baseline = await baselineVersions(db, target.tables);
    const deadLettersBefore = deadLetterCount(target.deadLetterFile);
    phase('seed');

    const journal = new Journal();
    const today = londonDay(new Date());
    const days = Array.from({ length: DAYS }, (_, back) => addDays(today, -back));
    const startedAt = Date.now() + 1_000;
    const until = startedAt + options.seconds * 1000;
    const providers = Array.from(
      { length: options.providers },
      (_, index) =>
        new SimulatedProvider({
          gatewayUrl: target.gatewayUrl,
          userId: providerUserId(index),
          locations: locationsOf(index, options.providers, options.locations).map(loadLocation),
          days,
          journal,
          random: seededRandom(options.seed + index),
          until,
          retryMs: options.retrySeconds * 1000,
        }),
    );
    await Promise.all(providers.map((provider) => provider.signIn()));

    if (options.faults.crash) host = new AggregatorHost(target, options.faults.crash, options.faults.throttle, log);
    sampler = new RssSampler(() => [
      { label: target.mode === 'self' ? 'load + stack (providers, gateway, handlers, stream poller)' : 'load (providers, checks)', pid: process.pid },
      ...target.nodeProcesses(),
      ...(host?.pid() ? [{ label: 'aggregator process (stream poller, aggregator)', pid: host.pid()! }] : []),
      ...(target.javaPid() ? [{ label: 'DynamoDB Local (Java, not Node)', pid: target.javaPid()! }] : []),
    ]);
    sampler.start();

    await sleep(Math.max(0, startedAt - Date.now()));
    log(`load: writing until ${new Date(until).toISOString()}`);
    const tick = () => `  ${Math.min(options.seconds, Math.round((Date.now() - startedAt) / 1000))}/${options.seconds} s: ${journal.requests} requests, ${journal.acknowledged} acknowledged, ${journal.serverErrors.total} 5xx`;
    const ticker =
      io.progress === 'tty'
        ? setInterval(() => process.stderr.write(`\r${tick()}   `), 1000)
        : io.progress === 'lines'
          ? setInterval(() => process.stderr.write(`${tick()}\n`), 5000)
          : undefined;
    const faults: Promise<unknown>[] = [];
    if (options.faults.kill && target.stack) faults.push(killDynamoDuringRun(target.stack, options.faults.kill, startedAt, options.seconds, journal, log));
    // A backlog first, so the crashed batches are full ones.
    if (host) faults.push(sleep((options.faults.crash?.startAfterSeconds ?? options.seconds / 4) * 1000).then(() => host!.start(startedAt)));
    await Promise.all(providers.map((provider) => provider.run()));
    const finishedAt = Date.now();
    const [kills = []] = (await Promise.all(faults)) as [KillRecord[] | undefined];
    phase('load');
    if (ticker) {
      clearInterval(ticker);
      if (io.progress === 'tty') process.stderr.write('\n');
    }
    log(`load: ${journal.requests} requests, ${journal.acknowledged} writes acknowledged; waiting for the stream poller to catch up`);

    // Caught up: the in-process poller has handled everything written (delivered or dead-lettered), and the
    // ledger of every location-day written names its newest version. A batch dead-lettered during a fault
    // is redriven (--self only: against npm start's stack the load only reports).
    const drainUntil = Date.now() + options.drainSeconds * 1000;
    let caughtUp = { pending: Number.NaN, seconds: 0 };
    let redriven: { batches: number; records: number; failed: number } | undefined;
    const catchUpStarted = performance.now();
    for (let round = 1; round <= 3; round += 1) {
      await target.stack?.aggregator?.drain(Math.max(1_000, drainUntil - Date.now())).catch((error: unknown) => log(`load: ${String(error)}`));
      const fresh = target.mode === 'self' ? deadLettersSince(target.deadLetterFile, deadLettersBefore + (redriven?.batches ?? 0)) : [];
      if (fresh.length > 0) {
        log(`load: ${fresh.length} batch(es) were dead-lettered by the stream poller; redriving them through the aggregator`);
        const report = await redriveDeadLetters(fresh);
        redriven = { batches: (redriven?.batches ?? 0) + report.batches, records: (redriven?.records ?? 0) + report.records, failed: report.failed };
      }
      caughtUp = await waitForAggregator(db, target.tables, journal, Math.max(1_000, drainUntil - Date.now()), (pending, total) => progress('aggregator catching up', total - pending, total), 20_000);
      const more = target.mode === 'self' && deadLettersSince(target.deadLetterFile, deadLettersBefore + (redriven?.batches ?? 0)).length > 0;
      if ((caughtUp.pending === 0 && !more) || (caughtUp.pending > 0 && !more && fresh.length === 0)) break;
    }
    caughtUp.seconds = (performance.now() - catchUpStarted) / 1000;
    sampler.stop();
    phase('catchUp');
    await host?.stop();
    log(`load: checking ${journal.days.size} location-days against the tables`);
    const { checks, figures } = await verifyRun({
      db,
      tables: target.tables,
      journal,
      baseline,
      faulty: Object.keys(options.faults).length > 0,
      deadLettersBefore,
      deadLetterFile: target.deadLetterFile,
      aggregatorPending: caughtUp.pending,
      ...(redriven ? { redriven } : {}),
    });
    phase('verify');

    const faulty = faultChecks({ journal, target, killed: options.faults.kill !== undefined, throttleShare: options.faults.throttle, aggregatorElsewhere: host !== undefined });
    checks.push(...faulty.checks);
    const throttling: LoadResult['throttling'] = faulty.throttling;
    if (host) checks.push(...host.checks());

    const sorted = [...journal.latencies].sort((a, b) => a - b);
    const elapsedSeconds = (finishedAt - startedAt) / 1000;
    const result: LoadResult = {
      ok: checks.every((check) => check.ok),
      at,
      machine: { ...before, loadAverageAfter: machine().loadAverage },
      target: target.description,
      providers: options.providers,
      locations: options.locations,
      seconds: options.seconds,
      faults: options.faults,
      seed,
      elapsedSeconds,
      requests: journal.requests,
      requestsPerSecond: journal.requests / elapsedSeconds,
      acknowledgedWrites: journal.acknowledged,
      acknowledgedPerSecond: journal.acknowledged / elapsedSeconds,
      latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN },
      statuses: Object.fromEntries([...journal.statuses].sort(([a], [b]) => a.localeCompare(b))),
      rssPeakMB: sampler.results(),
      aggregatorCatchUpSeconds: caughtUp.seconds,
      ...(redriven ? { redriven } : {}),
      verification: figures,
      kills,
      crashes: host?.crashes ?? [],
      ...(throttling ? { throttling } : {}),
      ...(options.faults.kill ? { duringOutage: journal.duringOutage } : {}),
      ...(target.pollerStats ? { poller: target.pollerStats() } : {}),
      checks,
      phases,
      runDir: target.runDir,
    };
    return result;
  } finally {
    sampler?.stop();
    await host?.stop();
    destroy();
    await target.stop();
  }
}
