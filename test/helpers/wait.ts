import { seededRandom as mulberry32 } from '#scripts/seed/demo-data';

/**
 * Waiting without guessing how long things take: a test awaits the condition it needs, checked every
 * `intervalMs`, and fails (naming what it waited for) only after a generous `timeoutMs`, so a loaded
 * machine makes it slower, never red. Never sleep a fixed time and then assert.
 */
export interface UntilOptions {
  /** Overall deadline; default 30 s. */
  timeoutMs?: number;
  /** Time between checks; default 50 ms. */
  intervalMs?: number;
  /** Named in the error when the deadline passes. */
  what?: string;
}

export async function until(condition: () => boolean | Promise<boolean>, options: UntilOptions = {}): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 50, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** For a minimum gap only (two instants a second apart), never to wait for something to happen. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A seeded PRNG (mulberry32, the one the demo data uses): the same seed gives the same numbers in [0, 1),
 * so a test's "random" choices are the same on every run and a red run can be replayed.
 */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed);
}
