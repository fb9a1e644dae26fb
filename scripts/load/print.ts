import { thousands } from './report';
import type { LoadResult } from './run';

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)}` : '-');

function faultsLine(result: LoadResult): string[] {
  const lines: string[] = [];
  for (const kill of result.kills) lines.push(`DynamoDB Local SIGKILLed at ${kill.atSeconds.toFixed(1)} s, back after ${kill.downSeconds.toFixed(1)} s (${kill.restartSeconds.toFixed(1)} s of it starting)`);
  if (result.duringOutage) lines.push(`while it was down: ${result.duringOutage.answered} answers, ${result.duringOutage.status503} of them 503, slowest ${ms(result.duringOutage.maxLatencyMs)} ms`);
  if (result.throttling) {
    const t = result.throttling;
    lines.push(`throttling (share ${t.share}): ${thousands(t.throttled)} of ${thousands(t.calls)} DynamoDB call attempts rejected; ${t.exhausted} calls failed after the SDK's retries${result.crashes.length || result.faults.crash ? '' : ` (${t.aggregatorExhausted} the aggregator's)`}; ${t.answered503} answers 503`);
  }
  for (const crash of result.crashes) lines.push(`aggregator process SIGKILLed at ${crash.atSeconds.toFixed(1)} s after applying ${crash.applied} of ${crash.batchSize} records; checkpoint ${crash.checkpoint ?? 'none'} < batch ${crash.firstSequenceNumber}: redelivered`);
  if (result.poller) lines.push(`stream poller: ${thousands(result.poller.delivered)} records delivered in ${thousands(result.poller.batches)} invocations, ${result.poller.retries} retries, ${result.poller.bisections} bisections, ${result.poller.deadLettered} dead-lettered`);
  return lines;
}

/** The figures and checks of a run, as markdown. */
export function formatResult(result: LoadResult): string {
  const { machine } = result;
  const faults = Object.keys(result.faults);
  return `
# Load test${faults.length ? ` with faults: ${faults.join(', ')}` : ''}

${result.at} on ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAverage} before, ${machine.loadAverageAfter} after
${result.providers} providers for ${result.seconds} s (${result.elapsedSeconds.toFixed(1)} s to the last answer) over ${thousands(result.locations)} locations, against ${result.target}

| figure | value |
|---|---|
| requests | ${thousands(result.requests)} (${result.requestsPerSecond.toFixed(1)}/s) |
| acknowledged writes | ${thousands(result.acknowledgedWrites)} (${result.acknowledgedPerSecond.toFixed(1)}/s) over ${thousands(result.verification.locationDays)} location-days |
| latency p50 / p90 / p99 / max (ms) | ${ms(result.latencyMs.p50)} / ${ms(result.latencyMs.p90)} / ${ms(result.latencyMs.p99)} / ${ms(result.latencyMs.max)} |
| statuses | ${Object.entries(result.statuses).map(([status, count]) => `${status}: ${thousands(count)}`).join(', ')} |
| aggregator caught up | ${result.aggregatorCatchUpSeconds.toFixed(1)} s after the last answer |
${result.rssPeakMB.map((row) => `| RSS peak: ${row.label} | ${row.peakMB} MB |`).join('\n')}
${faultsLine(result).map((line) => `\n- ${line}`).join('')}

## Checks
${result.checks.map((check) => `\n- ${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`).join('')}

${result.ok ? 'All checks passed.' : 'SOME CHECKS FAILED.'} Phases (s): ${Object.entries(result.phases).map(([name, seconds]) => `${name} ${seconds}`).join(', ')}. Logs: ${result.runDir}
`;
}

export function printResult(result: LoadResult): void {
  console.log(formatResult(result));
}

