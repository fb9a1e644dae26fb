import { describe, expect, test } from 'vitest';
import { expectAllChecksPass, faultOptions, restoreEnvironmentAfterwards, runFaultLoad } from './load-harness';

restoreEnvironmentAfterwards();

describe('the aggregator\'s process killed (SIGKILL) part-way through a batch, and restarted from its checkpoints', () => {
  test('records already applied are delivered again and change nothing twice: the aggregates are exact', async () => {
    const result = await runFaultLoad(faultOptions({ faults: { crash: { times: 2, afterRecords: 50, startAfterSeconds: 2 } } }));
    expectAllChecksPass(result);
    expect(result.crashes).toHaveLength(2);
    for (const crash of result.crashes) {
      // Part of the batch was applied before the process died ...
      expect(crash.applied).toBeGreaterThan(0);
      // ... and the checkpoint had not moved past the batch, so the restart delivered those records again.
      if (crash.checkpoint !== undefined) expect(BigInt(crash.checkpoint) < BigInt(crash.firstSequenceNumber)).toBe(true);
    }
  }, 150_000);
});
