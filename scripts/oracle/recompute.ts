import type { DailyReturnInput } from '#shared/model/schemas/return';
import { areaKeyOf, areasOf } from '#shared/model/aggregates/areas';
import { contributionOf, METRICS, sum, type Contribution } from '#shared/model/aggregates/metrics';

/**
 * DESIGN §7's invariant as a check: the aggregates as they should be, recomputed by straight sums over
 * the stored returns. For tests and the load test only (they read the returns with a Scan); the
 * aggregator itself never reads returns. Pure: the callers do the reading.
 */
export type StoredReturnItem = DailyReturnInput & { warnings: readonly unknown[]; reportDate: string; localAuthority: string; region: string };

/** `level#area|date`: one aggregate item (areaKey and date). */
export const aggregateKey = (areaKey: string, date: string) => `${areaKey}|${date}`;

/** Every area-day that the returns count towards, with its sums. */
export function recomputeAggregates(returns: Iterable<StoredReturnItem>): Map<string, Contribution> {
  const parts = new Map<string, Contribution[]>();
  for (const stored of returns) {
    const contribution = contributionOf(stored);
    for (const ref of areasOf(stored)) {
      const key = aggregateKey(areaKeyOf(ref), stored.reportDate);
      const list = parts.get(key);
      if (list) list.push(contribution);
      else parts.set(key, [contribution]);
    }
  }
  return new Map([...parts].map(([key, list]) => [key, sum(list)]));
}

export interface AggregateDifference {
  key: string;
  metric: string;
  expected: number;
  actual: number | undefined;
}

/**
 * Where the aggregates found differ from the recomputed ones, metric by metric: an empty list when the
 * invariant holds. An aggregate with no stored return behind it must be all zeros (a correction that
 * moved a location away leaves zeros, not nothing). `only` limits the comparison to some area-days.
 */
export function compareAggregates(
  expected: ReadonlyMap<string, Contribution>,
  actual: ReadonlyMap<string, Partial<Contribution>>,
  only: (key: string) => boolean = () => true,
): AggregateDifference[] {
  const differences: AggregateDifference[] = [];
  for (const [key, sums] of expected) {
    if (!only(key)) continue;
    const found = actual.get(key);
    if (!found) {
      differences.push({ key, metric: '(no aggregate item)', expected: sums.locationsReporting, actual: undefined });
      continue;
    }
    for (const metric of METRICS) {
      if ((found[metric] ?? 0) !== sums[metric]) differences.push({ key, metric, expected: sums[metric], actual: found[metric] ?? 0 });
    }
  }
  for (const [key, found] of actual) {
    if (expected.has(key) || !only(key)) continue;
    for (const metric of METRICS) if ((found[metric] ?? 0) !== 0) differences.push({ key, metric, expected: 0, actual: found[metric] ?? 0 });
  }
  return differences;
}
