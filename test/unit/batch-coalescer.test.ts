import { describe, expect, test } from 'vitest';
import { BatchCoalescer } from '#shared/model/aggregates/batch-coalescer';

describe('BatchCoalescer', () => {
  test('items added in the same turn are processed together, and each gets its own outcome', async () => {
    const calls: number[][] = [];
    const coalescer = new BatchCoalescer<number>(async (items) => {
      calls.push(items);
      return new Map(items.map((item) => [item, item === 2 ? new Error('two failed') : undefined]));
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => coalescer.add(item)));
    expect(calls).toEqual([[1, 2, 3]]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  test('a later turn is a new batch; a failure of the whole batch fails each item', async () => {
    const calls: number[][] = [];
    const coalescer = new BatchCoalescer<number>(async (items) => {
      calls.push(items);
      if (items.includes(9)) throw new Error('down');
      return new Map();
    });
    await coalescer.add(1);
    await expect(coalescer.add(9)).rejects.toThrow('down');
    expect(calls).toEqual([[1], [9]]);
  });
});
