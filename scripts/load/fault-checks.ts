import { injectedFaults } from '../local/fault-rules';
import type { Journal } from './journal';
import type { LoadTarget } from './target';
import type { Check } from './verify';

export interface ThrottlingFigures {
  share: number;
  calls: number;
  throttled: number;
  exhausted: number;
  aggregatorExhausted: number;
  answered503: number;
}

/**
 * The checks that only a faulty run makes, shared by `npm run load` and the fault tests: while DynamoDB
 * Local was down the gateway answered 503 at once; throttling was injected and retried by each layer.
 */
export function faultChecks(options: {
  journal: Journal;
  target: LoadTarget;
  killed: boolean;
  throttleShare: number | undefined;
  /** The aggregator runs in a process of its own, which counts its own throttling. */
  aggregatorElsewhere: boolean;
}): { checks: Check[]; throttling: ThrottlingFigures | undefined } {
  const { journal, target } = options;
  const checks: Check[] = [];
  if (options.killed) {
    checks.push({
      name: 'while DynamoDB Local was down, the gateway answered 503 problem+json at once (no hang)',
      ok: journal.duringOutage.status503 > 0 && journal.clientTimeouts === 0,
      detail: `${journal.duringOutage.answered} requests sent while it was down: ${journal.duringOutage.status503} answered 503; slowest answer ${Math.round(journal.duringOutage.maxLatencyMs)} ms`,
    });
  }
  if (options.throttleShare === undefined) return { checks, throttling: undefined };
  // Calls that failed even after the SDK's retries, on the tables only the aggregator writes.
  const aggregatorOnly = [target.tables.aggregates, target.tables.aggregateLedger, target.tables.vacancyIndex];
  const aggregatorExhausted = aggregatorOnly.reduce((total, table) => total + (injectedFaults.exhaustedByTable[table] ?? 0), 0);
  const throttling: ThrottlingFigures = {
    share: options.throttleShare,
    calls: injectedFaults.calls,
    throttled: injectedFaults.throttled,
    exhausted: injectedFaults.exhausted,
    aggregatorExhausted,
    answered503: journal.statuses.get('503') ?? 0,
  };
  // A failed batch of several records is first split in two and delivered again (bisecting, which Lambda
  // does not count as a retry); a record alone is retried.
  const pollerStats = target.pollerStats?.();
  const pollerRedeliveries = pollerStats === undefined ? undefined : pollerStats.retries + pollerStats.bisections;
  checks.push({
    name: 'throttling was injected and retried: by the SDK, then by the providers after a 503, and by the stream poller after an aggregator failure',
    ok: injectedFaults.throttled > 0 && (pollerRedeliveries === undefined || aggregatorExhausted === 0 || pollerRedeliveries > 0),
    detail:
      `${injectedFaults.throttled} of ${injectedFaults.calls} DynamoDB call attempts in this process rejected as throttled; ${injectedFaults.exhausted} calls still failed after the SDK's retries ` +
      `(${options.aggregatorElsewhere ? "the aggregator's own process is throttled too, and counted there" : `${aggregatorExhausted} of them the aggregator's`}); ${throttling.answered503} answers were 503 with Retry-After, every other write succeeded after the SDK's retries` +
      (pollerStats === undefined ? '' : `; the stream poller retried ${pollerStats.retries} failed invocation(s) and split ${pollerStats.bisections} failed batch(es) in two`),
  });
  return { checks, throttling };
}
