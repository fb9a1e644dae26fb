/**
 * The shape of bench/results.json, as `npm run bench` writes it (scripts/bench/index.ts): the types come
 * from the benchmarks themselves, so a change there that the doc tables do not follow fails the type check.
 * Type-only: nothing of the benchmarks is loaded by `npm run docs`.
 */
import type { LagResults } from '#scripts/bench/aggregation-lag';
import type { AggregatorResults } from '#scripts/bench/aggregator';
import type { BundleResults } from '#scripts/bench/bundles';
import type { ExportResults } from '#scripts/bench/exports';
import type { ReminderBenchRow } from '#scripts/bench/reminders';
import type { SaveCostResults } from '#scripts/bench/save-cost';
import type { ShedResults } from '#scripts/bench/shed';
import type { SubmitResults } from '#scripts/bench/submit';
import type { SearchBenchRow } from '#scripts/bench/vacancies';

export type AggregationLagResults = LagResults;

export interface BenchResults {
  /** When the last full run finished, and where. */
  at: string;
  machine: string;
  bundles?: BundleResults & { at: string; machine: string };
  reminders?: ReminderBenchRow[];
  search?: SearchBenchRow[];
  submit?: SubmitResults;
  exports?: ExportResults;
  lag?: LagResults;
  saveCost?: SaveCostResults;
  shed?: ShedResults;
  aggregator?: AggregatorResults;
}
