import { localSettings } from '../local/local-settings';
import { formatOpenLoop, runOpenLoop, SHED_TARGETS, type OpenLoopResult } from '../load/open-loop';
import type { LoadOptions } from '../load/options';
import { startStack, stackProcesses } from './aggregation-lag';
import { sampleProcessTree, type MemoryReport, type StackProcessRole } from './memory';
import { cell, loadAverage, mebibytes, verdict } from './stats';

/** The issue's targets for the local stack: 100 submissions a second for 60 s, and its Node processes idle. */
export const SHED_TARGET = { ratePerSecond: 100, seconds: 60, answerMs: SHED_TARGETS.answerMs, visibleP99Ms: SHED_TARGETS.visibleP99Ms, nodeRssIdleBytes: 200 * 2 ** 20 } as const;
/** How long the stack's memory is sampled while it idles, after the warm-up. */
const IDLE_SAMPLE_MS = 10_000;

export interface ShedResults {
  target: typeof SHED_TARGET;
  /** The gateway's bound on API requests in flight, as `npm start` set it (LOCAL_MAX_IN_FLIGHT or its default). */
  maxInFlight: number | undefined;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  /** The stack's processes idling after the warm-up, and while the run went on (from its first send to the aggregates caught up). */
  idleMemory: MemoryReport;
  runMemory: MemoryReport;
  /** What `npm run load -- --rate` reports (open-loop.ts), less where its logs went. */
  run: Omit<OpenLoopResult, 'runDir'>;
  verdicts: { answeredWithin: 'meets' | 'misses'; visibleP99: 'meets' | 'misses'; nodeRssIdle: 'meets' | 'misses' };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `npm start` as a child process (the esbuild build under plain node, its gateway bounding requests in
 * flight as it does by default), then `npm run load -- --rate 100 --seconds 60` against it, from this
 * process: open-loop submissions of first returns, each answered 201 (taken) or 429 (shed), the taken
 * ones followed into the England aggregate. Before it, a short warm-up at 10/s (the handlers load on
 * first use, as a cold Lambda) and the stack's idle memory; during it, the stack's memory and CPU.
 */
export async function benchShed(options: { ratePerSecond?: number; seconds?: number; locations?: number; providers?: number } = {}): Promise<ShedResults> {
  const ratePerSecond = options.ratePerSecond ?? SHED_TARGET.ratePerSecond;
  const seconds = options.seconds ?? SHED_TARGET.seconds;
  // Enough fresh location-days for the warm-up and the run on one day, with room to spare.
  const locations = options.locations ?? Math.ceil((ratePerSecond * seconds + 200) / 1000) * 1000;
  process.stderr.write('  starting npm start (in memory, free port) as a child process...\n');
  const stack = await startStack();
  const { rootPid, roleOf } = stackProcesses(stack);
  const previousDataDir = process.env.LOCAL_DATA_DIR;
  // The load finds the stack as every script does: through the stack file under LOCAL_DATA_DIR.
  process.env.LOCAL_DATA_DIR = stack.dataDir;
  try {
    const load = (rate: number, runSeconds: number): LoadOptions & { rate: number } => ({
      providers: options.providers ?? 50,
      seconds: runSeconds,
      locations,
      self: false,
      faults: {},
      drainSeconds: 180,
      retrySeconds: 60,
      keep: false,
      quiet: true,
      seed: 20_260_101,
      rate,
    });
    const io = { log: (line: string) => process.stderr.write(`  ${line}\n`), progress: 'lines' as const };
    process.stderr.write('  warm-up: 10/s for 5 s (not counted)\n');
    await runOpenLoop(load(10, 5), io);
    await sleep(2_000);
    process.stderr.write(`  idle: sampling memory for ${IDLE_SAMPLE_MS / 1000} s\n`);
    const idle = sampleProcessTree(rootPid, roleOf, 250);
    await sleep(IDLE_SAMPLE_MS);
    const idleMemory = idle.stop();

    const start = loadAverage();
    const during = sampleProcessTree(rootPid, roleOf, 250);
    const result = await runOpenLoop(load(ratePerSecond, seconds), io);
    const runMemory = during.stop();
    const end = loadAverage();
    process.stderr.write(formatOpenLoop(result));
    const { runDir: _runDir, ...run } = result;
    return {
      target: SHED_TARGET,
      maxInFlight: localSettings({ LOCAL_MAX_IN_FLIGHT: process.env.LOCAL_MAX_IN_FLIGHT }).maxInFlight,
      loadAverage: { start, end },
      idleMemory,
      runMemory,
      run,
      verdicts: {
        answeredWithin: result.answerMs.all.max <= SHED_TARGET.answerMs && result.accepted + result.throttled === result.sent ? 'meets' : 'misses',
        visibleP99: result.visible === result.accepted ? verdict(result.visibleMs.p99, SHED_TARGET.visibleP99Ms) : 'misses',
        nodeRssIdle: verdict(idleMemory.nodeTotalBytes.p50, SHED_TARGET.nodeRssIdleBytes),
      },
    };
  } finally {
    if (previousDataDir === undefined) delete process.env.LOCAL_DATA_DIR;
    else process.env.LOCAL_DATA_DIR = previousDataDir;
    await stack.stop();
  }
}

const ms = (value: number) => cell(value, 0);
const mb = (bytes: number) => cell(mebibytes(bytes), 0);

export function shedMarkdown(results: ShedResults): string {
  const { run, target } = results;
  const cpuOf = (role: StackProcessRole) => results.runMemory.processes.filter((process) => process.role === role).reduce((sum, process) => sum + process.cpuMs, 0);
  const wall = results.runMemory.wallMs;
  const stackIdle = results.idleMemory.processes.find((process) => process.role === 'stack')?.rssBytes;
  const stackRun = results.runMemory.processes.find((process) => process.role === 'stack')?.rssBytes;
  const javaRun = results.runMemory.processes.find((process) => process.role === 'dynamodbLocal')?.rssBytes;
  return [
    `## Shedding load: ${run.ratePerSecond} submissions a second for ${run.seconds} s against \`npm start\` (gateway bound ${results.maxInFlight ?? 'none'} in flight; open loop)`,
    '',
    `Targets: every request answered within ${target.answerMs / 1000} s (201 or 429, never a 503); every 201 in the aggregates; 201 → counted in the aggregates p99 ≤ ${target.visibleP99Ms} ms; the stack's Node processes ≤ ${mebibytes(target.nodeRssIdleBytes)} MB idle. Load average ${results.loadAverage.start[0]} → ${results.loadAverage.end[0]}.`,
    '',
    '| sent | taken (201) | shed (429) | other | sustained (201/s) | through to the aggregates (/s) | answer p50 / p99 / max (ms) | 201 p50 / p99 (ms) | 429 p50 / p99 (ms) | 201s counted / in ledger check | visible p50 / p99 / max (ms) | vs targets |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${run.sent} | ${run.accepted} | ${run.throttled} | ${run.sent - run.accepted - run.throttled} | ${cell(run.throughput.acceptedPerSecond, 1)} | ${cell(run.throughput.throughAggregatesPerSecond, 1)} | ${ms(run.answerMs.all.p50)} / ${ms(run.answerMs.all.p99)} / ${ms(run.answerMs.all.max)} | ${ms(run.answerMs.accepted.p50)} / ${ms(run.answerMs.accepted.p99)} | ${ms(run.answerMs.throttled.p50)} / ${ms(run.answerMs.throttled.p99)} | ${run.visible} / ${run.checks.find((check) => check.name.includes('ledger'))?.ok ? 'pass' : 'FAIL'} | ${ms(run.visibleMs.p50)} / ${ms(run.visibleMs.p99)} / ${ms(run.visibleMs.max)} | answered within ${target.answerMs / 1000} s: ${results.verdicts.answeredWithin}; visible p99: ${results.verdicts.visibleP99} |`,
    '',
    '| stack Node RSS idle p50 (MB) | during the run p50 / max (MB) | DynamoDB Local (java) during the run max (MB) | stack node CPU (cores) | java CPU (cores) | vs target |',
    '|---|---|---|---|---|---|',
    `| ${mb(stackIdle?.p50 ?? Number.NaN)} | ${mb(stackRun?.p50 ?? Number.NaN)} / ${mb(stackRun?.max ?? Number.NaN)} | ${mb(javaRun?.max ?? Number.NaN)} | ${cell(cpuOf('stack') / wall, 2)} | ${cell(cpuOf('dynamodbLocal') / wall, 2)} | idle ≤ ${mebibytes(target.nodeRssIdleBytes)} MB: ${results.verdicts.nodeRssIdle} |`,
    '',
    `Checks: ${run.checks.every((check) => check.ok) ? 'all passed' : `FAILED: ${run.checks.filter((check) => !check.ok).map((check) => `${check.name} (${check.detail})`).join('; ')}`}.`,
  ].join('\n');
}
