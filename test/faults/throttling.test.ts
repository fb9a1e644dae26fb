import { describe, expect, test } from 'vitest';
import { expectAllChecksPass, faultOptions, restoreEnvironmentAfterwards, runFaultLoad } from './load-harness';

restoreEnvironmentAfterwards();

describe('DynamoDB throttling injected into the handlers\' SDK client (LOCAL_FAULTS=throttle:0.3)', () => {
  test('writes succeed after the SDK\'s retries or answer 503 with Retry-After, never 500 or 400; the poller retries the aggregator; the aggregates are exact', async () => {
    const result = await runFaultLoad(faultOptions({ faults: { throttle: 0.3 } }));
    expectAllChecksPass(result);
    const throttling = result.throttling!;
    expect(throttling.throttled).toBeGreaterThan(0);
    // Some calls failed even after the SDK's retries: those are the 503s and the aggregator's failed invocations.
    expect(throttling.exhausted).toBeGreaterThan(0);
    if (throttling.aggregatorExhausted > 0) expect(result.poller!.retries).toBeGreaterThan(0);
    expect(result.poller!.deadLettered).toBe(0);
  }, 150_000);
});
