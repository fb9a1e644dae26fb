import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import { MAX_DAYS_BACK } from '#shared/model/returns/report-date';
import { seededRandom } from '../seed/demo-data';
import { randomReturn } from './bodies';
import { Journal } from './journal';
import type { LoadOptions } from './options';
import { sleep } from './provider';
import { machine, percentile, RssSampler } from './report';
import { startRun, type LoadIo } from './run-start';
import { loadLocation, loadLocationId, providerUserId, seedLoad, type SeedReport } from './seed';
import { baselineVersions, deadLetterCount, verifyRun, waitForAggregator, type Check, type VerifyFigures } from './verify';
import { compareSequenceNumbers, englandReporting, firstTimesCounted, startBareStreamReader, watchEnglandCount } from './visibility';

/**
 * `npm run load -- --rate R`: submissions at a fixed rate, open loop (each sent at its time whether or
 * not the earlier ones were answered, as many independent providers would), each the first return of a
 * fresh location-day, against a stack whose gateway bounds the requests in flight: what it takes (201),
 * what it sheds (429), how soon each was answered, how soon each taken one was in the aggregates, and
 * the same checks afterwards as the closed-loop load (every 201 stored once and in the aggregates,
 * nothing stored for a 429).
 */

/** The issue's targets for the shedding stack at 100 submissions a second. */
export const SHED_TARGETS = { answerMs: 2_000, visibleP99Ms: 1_000 } as const;
/** Longer than the gateway's 29 s: a request not answered by then hung. */
const CLIENT_TIMEOUT_MS = 35_000;
/** How often the England aggregate of the day is looked at (one GetItem each). */
const LOOK_EVERY_MS = 20;

export interface Figures {
  runs: number;
  p50: number;
  p99: number;
  max: number;
}

function figuresOf(values: readonly number[]): Figures {
  const sorted = [...values].sort((a, b) => a - b);
  return { runs: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export interface Target {
  name: string;
  met: boolean;
  detail: string;
}

export interface OpenLoopResult {
  ok: boolean;
  at: string;
  machine: ReturnType<typeof machine> & { loadAverageAfter: string };
  target: string;
  ratePerSecond: number;
  seconds: number;
  providers: number;
  locations: number;
  reportDate: string;
  seed: SeedReport;
  sent: number;
  statuses: Record<string, number>;
  accepted: number;
  throttled: number;
  /** Request sent → answer received, ms: every answer, the 201s, the 429s. */
  answerMs: { all: Figures; accepted: Figures; throttled: Figures };
  /** How late the sends went out against their schedule (the client keeping up), ms. */
  sendLatenessMs: Figures;
  /** The most requests sent and not yet answered at once (client side). */
  mostOutstanding: number;
  /** 201 received → its write counted in the England aggregate of the day, ms (the taken ones only). */
  visibleMs: Figures;
  /** Of the 201s, how many were counted in the aggregate by the end. */
  visible: number;
  /** The England aggregate's locationsReporting for the day, after minus before: should equal `accepted`. */
  englandReportingDelta: number;
  throughput: {
    /** Sent per second over the sending window. */
    offeredPerSecond: number;
    /** 201s per second over the sending window: what the stack sustained. */
    acceptedPerSecond: number;
    /** 201s per second from the first send to the last of them counted in the aggregates. */
    throughAggregatesPerSecond: number;
  };
  rssPeakMB: Array<{ label: string; pids: number[]; peakMB: number }>;
  verification: VerifyFigures;
  checks: Check[];
  targets: Target[];
  phases: Record<string, number>;
  runDir: string;
}

interface Submission {
  index: number;
  provider: number;
  scheduledAt: number;
  sentAt?: number;
  answeredAt?: number;
  status?: number | 'timeout' | 'network';
  retryAfter?: string | null;
  problem?: boolean;
  streamAt?: number;
  sequenceNumber?: string;
  visibleAt?: number;
}

/** The day in the window with enough load locations that have no return yet, and those locations. */
function freshLocationDays(baseline: ReadonlyMap<string, number>, locations: number, needed: number): { reportDate: string; indexes: number[] } {
  const today = londonDay(new Date());
  for (let back = 0; back < MAX_DAYS_BACK; back += 1) {
    const reportDate = addDays(today, -back);
    const indexes: number[] = [];
    for (let index = 0; index < locations && indexes.length < needed; index += 1) if (!baseline.has(`${loadLocationId(index)}#${reportDate}`)) indexes.push(index);
    if (indexes.length === needed) return { reportDate, indexes };
  }
  throw new Error(`no day in the last ${MAX_DAYS_BACK} has ${needed} load locations without a return: use more --locations, or a fresh stack`);
}

async function signIn(gatewayUrl: string, provider: number): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${gatewayUrl}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: providerUserId(provider), role: 'provider' }) });
    if (response.ok) return ((await response.json()) as { token: string }).token;
    if (Date.now() > deadline) throw new Error(`POST /local/token answered ${response.status}`);
    await sleep(200);
  }
}

export async function runOpenLoop(options: LoadOptions & { rate: number }, io: LoadIo): Promise<OpenLoopResult> {
  const { before, at, phases, phase, target, log, progress, db, destroy } = await startRun(options, io);
  let sampler: RssSampler | undefined;
  try {
    const durationMs = options.seconds * 1000;
    const schedule = Array.from({ length: Math.floor(options.rate * options.seconds) }, (_, index) => (index * 1000) / options.rate);
    log(`load: ${options.rate} submissions a second for ${options.seconds} s (${schedule.length}), open loop, against ${target.description}`);
    const seed = await seedLoad(target.dynamodbEndpoint, target.tables, options.providers, options.locations, progress);
    const baseline = await baselineVersions(db, target.tables);
    const { reportDate, indexes } = freshLocationDays(baseline, options.locations, schedule.length);
    const tokens = await Promise.all(Array.from({ length: options.providers }, (_, provider) => signIn(target.gatewayUrl, provider)));
    const random = seededRandom(options.seed);
    const submissions: Submission[] = schedule.map((offset, n) => ({ index: indexes[n]!, provider: indexes[n]! % options.providers, scheduledAt: offset }));
    const bodies = submissions.map((submission) => JSON.stringify(randomReturn(loadLocation(submission.index), random)));
    const byKey = new Map(submissions.map((submission) => [`${loadLocationId(submission.index)}#${reportDate}#1`, submission]));
    const deadLettersBefore = deadLetterCount(target.deadLetterFile);
    const client = new DynamoDBClient({ endpoint: target.dynamodbEndpoint });
    const streamArn = (await client.send(new DescribeTableCommand({ TableName: target.tables.returns }))).Table?.LatestStreamArn;
    client.destroy();
    if (!streamArn) throw new Error('the returns table has no stream');
    phase('seed');

    const reader = startBareStreamReader(target.dynamodbEndpoint, streamArn, (key, when, sequenceNumber) => {
      const submission = byKey.get(key);
      if (submission && submission.streamAt === undefined) Object.assign(submission, { streamAt: when, sequenceNumber });
    });
    await reader.ready;
    const englandBefore = await englandReporting(db, target.tables, reportDate);
    const watcher = watchEnglandCount(db, target.tables, reportDate, englandBefore, LOOK_EVERY_MS);
    sampler = new RssSampler(() => [
      { label: target.mode === 'self' ? 'load + stack (one process)' : 'load (this process)', pid: process.pid },
      ...target.nodeProcesses(),
      ...(target.javaPid() ? [{ label: 'DynamoDB Local (Java, not Node)', pid: target.javaPid()! }] : []),
    ]);
    sampler.start();

    const journal = new Journal();
    let outstanding = 0;
    let mostOutstanding = 0;
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    const startedAt = Date.now();
    const tick = () => `  ${Math.min(options.seconds, Math.round((performance.now() - started) / 1000))}/${options.seconds} s: ${journal.requests} answered, ${journal.acknowledged} taken (201), ${journal.statuses.get('429') ?? 0} shed (429)`;
    const ticker = io.progress === 'tty' ? setInterval(() => process.stderr.write(`\r${tick()}   `), 1000) : io.progress === 'lines' ? setInterval(() => process.stderr.write(`${tick()}\n`), 5000) : undefined;
    for (const [n, submission] of submissions.entries()) {
      const wait = started + submission.scheduledAt - performance.now();
      if (wait > 1) await sleep(wait);
      const locationId = loadLocationId(submission.index);
      const day = journal.day(locationId, reportDate);
      submission.sentAt = performance.now();
      mostOutstanding = Math.max(mostOutstanding, ++outstanding);
      inFlight.push(
        (async () => {
          try {
            const response = await fetch(`${target.gatewayUrl}/v1/locations/${locationId}/returns/${reportDate}`, {
              method: 'PUT',
              headers: { authorization: `Bearer ${tokens[submission.provider]}`, 'content-type': 'application/json' },
              body: bodies[n]!,
              signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
            });
            const text = await response.text();
            submission.answeredAt = performance.now();
            submission.status = response.status;
            submission.retryAfter = response.headers.get('retry-after');
            submission.problem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
            if (response.status === 201) {
              const stored = JSON.parse(text) as Record<string, unknown>;
              day.acks.push({ kind: 'first', version: Number(stored.version), stored, keyed: false, retries: 0, at: Date.now() });
              journal.acknowledged += 1;
            } else if (response.status >= 500) {
              // A 503 after the gateway's deadline: the write may still have happened.
              journal.serverErrors.total += 1;
              day.lostAnswers += 1;
              journal.noteUnexpected(`PUT ${locationId}/${reportDate} answered ${response.status}: ${text.slice(0, 200)}`);
            } else if (response.status !== 429) {
              journal.noteUnexpected(`PUT ${locationId}/${reportDate} answered ${response.status}: ${text.slice(0, 200)}`);
            }
          } catch (error) {
            submission.answeredAt = performance.now();
            submission.status = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network';
            if (submission.status === 'timeout') journal.clientTimeouts += 1;
            day.lostAnswers += 1;
          } finally {
            outstanding -= 1;
            journal.attempt(String(submission.status), submission.answeredAt! - submission.sentAt!, startedAt);
          }
        })(),
      );
    }
    await Promise.all(inFlight);
    const sendingMs = performance.now() - started;
    if (ticker) {
      clearInterval(ticker);
      if (io.progress === 'tty') process.stderr.write('\n');
    }
    phase('load');
    const accepted = submissions.filter((submission) => submission.status === 201);
    log(`load: ${submissions.length} sent, ${accepted.length} taken (201), ${journal.statuses.get('429') ?? 0} shed (429); waiting for the aggregates`);

    // Settled: every 201 reached the stream and the count caught up with everything written, and nothing
    // new arrived for 2 s (a write answered 503 may still land).
    const settleBy = Date.now() + options.drainSeconds * 1000;
    let lastSeen = -1;
    let quietSince = Date.now();
    for (;;) {
      const seen = submissions.filter((submission) => submission.streamAt !== undefined).length;
      if (seen !== lastSeen) [lastSeen, quietSince] = [seen, Date.now()];
      const settled = accepted.every((submission) => submission.streamAt !== undefined) && watcher.last() >= seen && Date.now() - quietSince >= 2_000;
      if (settled || Date.now() > settleBy) break;
      await sleep(50);
    }
    await watcher.stop();
    await reader.stop();
    const englandAfter = await englandReporting(db, target.tables, reportDate);
    const inStreamOrder = submissions.filter((submission) => submission.streamAt !== undefined).sort((a, b) => compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
    const counted = firstTimesCounted(watcher.looks, inStreamOrder.length);
    inStreamOrder.forEach((submission, k) => {
      const when = counted[k];
      // Counted before its 201 reached the client: visible by the time the submitter heard back.
      if (when !== undefined) submission.visibleAt = Math.max(when, submission.answeredAt ?? when);
    });
    const caughtUp = await waitForAggregator(db, target.tables, journal, Math.max(1_000, settleBy - Date.now()), (pending, total) => progress('aggregator catching up', total - pending, total), 20_000);
    sampler.stop();
    phase('catchUp');

    log(`load: checking ${journal.days.size} location-days against the tables`);
    const { checks, figures } = await verifyRun({ db, tables: target.tables, journal, baseline, faulty: false, deadLettersBefore, deadLetterFile: target.deadLetterFile, aggregatorPending: caughtUp.pending });
    phase('verify');

    const throttledOnes = submissions.filter((submission) => submission.status === 429);
    const unclear429 = throttledOnes.filter((submission) => !submission.problem || !/^\d+$/.test(submission.retryAfter ?? '')).length;
    const others = submissions.filter((submission) => submission.status !== 201 && submission.status !== 429);
    const visible = accepted.filter((submission) => submission.visibleAt !== undefined);
    checks.push(
      {
        name: 'every request answered 201 or 429',
        ok: others.length === 0,
        detail: others.length === 0 ? `${accepted.length} taken, ${throttledOnes.length} shed` : `${others.length} answered otherwise: ${[...new Set(others.map((submission) => String(submission.status)))].join(', ')}`,
      },
      { name: 'every 429 is problem+json with Retry-After', ok: unclear429 === 0, detail: `${throttledOnes.length - unclear429} of ${throttledOnes.length}` },
      {
        name: 'every 201 counted in the England aggregate of its day',
        ok: visible.length === accepted.length && englandAfter - englandBefore === accepted.length,
        detail: `${visible.length} of ${accepted.length} seen counted; locationsReporting went up by ${englandAfter - englandBefore}`,
      },
    );

    const answerMs = (list: Submission[]) => figuresOf(list.map((submission) => submission.answeredAt! - submission.sentAt!));
    const all = answerMs(submissions);
    const visibleMs = figuresOf(visible.map((submission) => submission.visibleAt! - submission.answeredAt!));
    const lastVisible = Math.max(...visible.map((submission) => submission.visibleAt!));
    const targets: Target[] = [
      { name: `every request answered within ${SHED_TARGETS.answerMs / 1000} s (201 or 429, never a 503)`, met: all.max <= SHED_TARGETS.answerMs && others.length === 0, detail: `slowest ${Math.round(all.max)} ms; p99 ${Math.round(all.p99)} ms` },
      { name: `aggregate visibility p99 ≤ ${SHED_TARGETS.visibleP99Ms} ms for the 201s`, met: visibleMs.p99 <= SHED_TARGETS.visibleP99Ms && visible.length === accepted.length, detail: `p50 ${Math.round(visibleMs.p50)} ms, p99 ${Math.round(visibleMs.p99)} ms, max ${Math.round(visibleMs.max)} ms` },
    ];
    const elapsed = sendingMs / 1000;
    const result: OpenLoopResult = {
      ok: checks.every((check) => check.ok),
      at,
      machine: { ...before, loadAverageAfter: machine().loadAverage },
      target: target.description,
      ratePerSecond: options.rate,
      seconds: options.seconds,
      providers: options.providers,
      locations: options.locations,
      reportDate,
      seed,
      sent: submissions.length,
      statuses: Object.fromEntries([...journal.statuses].sort(([a], [b]) => a.localeCompare(b))),
      accepted: accepted.length,
      throttled: throttledOnes.length,
      answerMs: { all, accepted: answerMs(accepted), throttled: answerMs(throttledOnes) },
      sendLatenessMs: figuresOf(submissions.map((submission) => submission.sentAt! - started - submission.scheduledAt)),
      mostOutstanding,
      visibleMs,
      visible: visible.length,
      englandReportingDelta: englandAfter - englandBefore,
      throughput: {
        offeredPerSecond: submissions.length / (durationMs / 1000),
        acceptedPerSecond: accepted.length / elapsed,
        throughAggregatesPerSecond: visible.length / ((lastVisible - started) / 1000),
      },
      rssPeakMB: sampler.results(),
      verification: figures,
      checks,
      targets,
      phases,
      runDir: target.runDir,
    };
    return result;
  } finally {
    sampler?.stop();
    destroy();
    await target.stop();
  }
}

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)}` : '-');
const trio = (figures: Figures) => `${ms(figures.p50)} / ${ms(figures.p99)} / ${ms(figures.max)}`;

export function formatOpenLoop(result: OpenLoopResult): string {
  const { machine } = result;
  return `
# Load test, open loop: ${result.ratePerSecond} submissions a second for ${result.seconds} s

${result.at} on ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAverage} before, ${machine.loadAverageAfter} after
Each the first return of a fresh location-day (${result.reportDate}), from ${result.providers} provider users, against ${result.target}

| figure | value |
|---|---|
| sent | ${result.sent} (${result.throughput.offeredPerSecond.toFixed(1)}/s; sends late by p99 ${ms(result.sendLatenessMs.p99)} ms) |
| taken (201) / shed (429) | ${result.accepted} / ${result.throttled} |
| statuses | ${Object.entries(result.statuses).map(([status, count]) => `${status}: ${count}`).join(', ')} |
| sustained | ${result.throughput.acceptedPerSecond.toFixed(1)} taken a second; ${result.throughput.throughAggregatesPerSecond.toFixed(1)} a second through to the aggregates |
| answer time p50 / p99 / max (ms) | all ${trio(result.answerMs.all)}; 201 ${trio(result.answerMs.accepted)}; 429 ${trio(result.answerMs.throttled)} |
| most requests outstanding (client) | ${result.mostOutstanding} |
| 201 → counted in the aggregates p50 / p99 / max (ms) | ${trio(result.visibleMs)} (${result.visible} of ${result.accepted}; England Δ ${result.englandReportingDelta}) |
${result.rssPeakMB.map((row) => `| RSS peak: ${row.label} | ${row.peakMB} MB |`).join('\n')}

## Targets
${result.targets.map((target) => `\n- ${target.met ? 'MET' : 'MISSED'} ${target.name}: ${target.detail}`).join('')}

## Checks
${result.checks.map((check) => `\n- ${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`).join('')}

${result.ok ? 'All checks passed.' : 'SOME CHECKS FAILED.'} Phases (s): ${Object.entries(result.phases).map(([name, seconds]) => `${name} ${seconds}`).join(', ')}. Logs: ${result.runDir}
`;
}
