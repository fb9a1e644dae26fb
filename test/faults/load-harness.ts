import { afterAll, beforeAll, expect } from 'vitest';
import type { LoadOptions } from '../../scripts/load/options';
import type { LoadResult } from '../../scripts/load/run';

/**
 * The fault tests run `npm run load`'s harness at a reduced size, each against a stack of its own
 * (DynamoDB Local on a free port, the gateway, the stream poller), so a killed DynamoDB Local or an
 * injected throttle touches nothing else. What they assert are the harness's invariants: counts, and
 * equality with a recomputation from the stored returns; never timings.
 */
export function faultOptions(overrides: Partial<LoadOptions>): LoadOptions {
  return {
    providers: 6,
    seconds: 12,
    locations: 300,
    self: true,
    faults: {},
    drainSeconds: 90,
    retrySeconds: 30,
    keep: false,
    quiet: true,
    seed: 20261201,
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

/** LOAD_TEST_REPORT=1 prints the run's figures and checks, as `npm run load` does. */
export async function runFaultLoad(options: LoadOptions): Promise<LoadResult> {
  const { runLoad } = await import('../../scripts/load/run');
  const result = await runLoad(options, { log: () => undefined, progress: 'off' });
  if (process.env.LOAD_TEST_REPORT) console.log((await import('../../scripts/load/print')).formatResult(result));
  return result;
}

/** Every check the harness makes passed: named, so a failure says which and why. */
export function expectAllChecksPass(result: LoadResult): void {
  expect(result.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail}`)).toEqual([]);
  expect(result.acknowledgedWrites).toBeGreaterThan(0);
  expect(result.verification.acknowledgedVersions).toBe(result.acknowledgedWrites);
  // Never a 500, never a 400: only successes, 503s (with Retry-After, checked above), 409 "still in
  // progress" on a keyed retry, and 412 on an If-Match retry after a lost answer.
  expect(Object.keys(result.statuses).filter((status) => !['200', '201', '409', '412', '503', 'network'].includes(status))).toEqual([]);
}
