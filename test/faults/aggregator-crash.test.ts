import { describe, expect, test } from 'vitest';
import { expectAllChecksPass, faultOptions, restoreEnvironmentAfterwards, runFaultLoad } from './load-harness';

restoreEnvironmentAfterwards();

describe('the aggregator\'s process killed (SIGKILL) part-way through a batch, and restarted from its checkpoints', () => {
  test('records already applied are delivered again and change nothing twice: the aggregates are exact', async () => {
    // 180 writes: each of the two crashing lives certainly reaches its 50th record. It starts once 60 writes
    // are acknowledged, so its first batches are full ones.
    const result = await runFaultLoad(faultOptions({ writesPerProvider: 30, faults: { crash: { times: 2, afterRecords: 50, backlogWrites: 60 } } }));
    expectAllChecksPass(result);
    expect(result.crashes).toHaveLength(2);
    for (const crash of result.crashes) {
      // Part of the batch was applied before the process died ...
      expect(crash.applied).toBeGreaterThan(0);
      // ... and the checkpoint had not moved past the batch, so the restart delivered those records again.
      if (crash.checkpoint !== undefined) expect(BigInt(crash.checkpoint) < BigInt(crash.firstSequenceNumber)).toBe(true);
    }
  }, 240_000);
});
