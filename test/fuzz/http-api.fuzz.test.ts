import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FuzzStats, fuzzProperty, healthCheck } from '#scripts/fuzz/harness';
import { startFuzzTarget, type FuzzTarget } from '#scripts/fuzz/target';
import { routes } from '#shared/model/routes';

/**
 * The HTTP API fuzzed through the local gateway (real HTTP on loopback, DynamoDB Local behind it):
 * malformed and hostile requests for every route (generators.ts), each answered with a 4xx
 * problem+json as the model requires, nothing written (every table of the run checksummed after each
 * request), the gateway healthy after every batch. `npm run fuzz` runs the same at full size.
 *
 * FUZZ_RUNS (default 1500) sets the size; FUZZ_SEED (and FUZZ_PATH, from a failure) replays a run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
/**
 * One fixed seed by default, so `npm test` (and CI) asks the same 1,500 questions every run and a red run
 * is always a change's doing; `npm run fuzz` draws a new seed each time to find new ones, and a seed it
 * fails on is replayed here with FUZZ_SEED.
 */
const DEFAULT_SEED = 20261201;
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
const PATH = process.env.FUZZ_PATH;

let target: FuzzTarget;

beforeAll(async () => {
  target = await startFuzzTarget();
}, 120_000);

afterAll(async () => {
  await target?.close();
});

describe('fuzzing the HTTP API', () => {
  test(`${RUNS} malformed or hostile requests: every answer a 4xx problem+json, nothing written, the gateway up`, async () => {
    const stats = new FuzzStats();
    try {
      await fc.assert(fuzzProperty(target, stats, { batchSize: 100 }), { numRuns: RUNS, seed: SEED, includeErrorInReport: true, ...(PATH ? { path: PATH } : {}) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `fuzzing failed (seed ${SEED}). Replay: FUZZ_SEED=${SEED}${PATH ? ` FUZZ_PATH=${PATH}` : ''} npx vitest run test/fuzz/http-api.fuzz.test.ts ` +
          `(fast-check's path for this failure is in the message below: pass it as FUZZ_PATH)\n\n${message}`,
      );
    }
    console.log(`fuzz seed ${SEED}: ${stats.requests} requests, ${[...stats.byStatus.entries()].sort().map(([status, count]) => `${status}: ${count}`).join(', ')}`);

    if (PATH) return; // a replay runs one case
    // Every route of the route table was aimed at, and most requests were malformed rather than refused or probes.
    for (const route of routes) expect(stats.byRoute.get(route.id) ?? 0, route.id).toBeGreaterThan(0);
    expect(stats.byKind.get('malformed') ?? 0).toBeGreaterThan(RUNS * 0.5);
    expect(stats.byKind.get('framing') ?? 0).toBeGreaterThan(0);
    expect(await healthCheck(target)).toBeUndefined();
  }, 900_000);
});
