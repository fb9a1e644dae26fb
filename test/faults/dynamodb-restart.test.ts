import { describe, expect, test } from 'vitest';
import { expectAllChecksPass, faultOptions, restoreEnvironmentAfterwards, runFaultLoad } from './load-harness';

restoreEnvironmentAfterwards();

describe('DynamoDB Local killed (SIGKILL) and restarted on its data mid-load', () => {
  test('the gateway answers 503 problem+json while it is down; afterwards nothing acknowledged is lost and the aggregates are exact', async () => {
    // Killed with writes in flight, once 40 are acknowledged; started again only after a request sent while
    // it was down has been answered (and 2 s at the least), the providers writing on until it is back.
    // A write cut off by the kill leaves its Idempotency-Key "in progress" (409) until the function's
    // deadline (29 s locally); a provider gives up on it after 20 s here, and counts its answer as lost.
    const result = await runFaultLoad(faultOptions({ writesPerProvider: 20, locations: 150, retrySeconds: 20, faults: { kill: { afterAcknowledged: 40, minDownSeconds: 2 } } }));
    expectAllChecksPass(result);
    expect(result.kills).toHaveLength(1);
    // The outage was seen: requests sent meanwhile were answered, 503, rather than left hanging.
    expect(result.duringOutage!.status503).toBeGreaterThan(0);
    expect(result.statuses.timeout ?? 0).toBe(0);
    // The stream survived the restart and the poller went on with it: every location-day's newest version
    // reached the aggregates (by the poller, or by redriving what it had to give up on during the outage).
    expect(result.verification.locationDays).toBeGreaterThan(0);
    if (result.redriven) expect(result.redriven.failed).toBe(0);
  }, 240_000);
});
