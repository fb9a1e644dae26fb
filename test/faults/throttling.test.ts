import { describe, expect, test } from 'vitest';
import { expectAllChecksPass, faultOptions, restoreEnvironmentAfterwards, runFaultLoad } from './load-harness';

restoreEnvironmentAfterwards();

/**
 * A seeded 30% of the handlers' DynamoDB call attempts throttled, over a fixed number of writes. With the
 * SDK's 4 attempts only about 1 call in 123 fails even after its retries at this share, so whether one did
 * was left to chance and to how many calls fitted in the time; now the first return write after the 100th
 * handler call is throttled on every attempt, so the 503 path is taken on every run, by construction.
 */
const SHARE = 0.3;

describe(`DynamoDB throttling injected into the handlers' SDK client (LOCAL_FAULTS=throttle:${SHARE})`, () => {
  test('writes succeed after the SDK\'s retries or answer 503 with Retry-After, never 500 or 400; the poller retries the aggregator; the aggregates are exact', async () => {
    const result = await runFaultLoad(faultOptions({ faults: { throttle: { share: SHARE, exhaustAfterCalls: 100 } }, providers: 12, writesPerProvider: 10 }));
    expectAllChecksPass(result);
    const throttling = result.throttling!;
    expect(throttling.throttled).toBeGreaterThan(0);
    // Some calls failed even after the SDK's retries: those are the 503s and the aggregator's failed invocations.
    expect(throttling.exhausted, JSON.stringify(throttling)).toBeGreaterThan(0);
    if (throttling.aggregatorExhausted > 0) expect(result.poller!.retries + result.poller!.bisections).toBeGreaterThan(0);
    expect(result.poller!.deadLettered).toBe(0);
  }, 240_000);
});
