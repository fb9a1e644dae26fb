import { describe, expect, it } from 'vitest';
import { percentile } from '#scripts/bench/environment';
import { compareSequenceNumbers, firstTimesCounted } from '#scripts/load/visibility';
import {
  descendants,
  openLoopSchedule,
  parseProcStat,
  ratio,
  rssFromProcStatus,
  summarise,
  verdict,
} from '#scripts/bench/stats';

describe('bench statistics', () => {
  it('takes percentiles by rank over the sorted values', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 50)).toBe(51);
    expect(percentile(values, 99)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises runs, and says NaN for none', () => {
    expect(summarise([3, 1, 2])).toEqual({ runs: 3, p50: 2, p99: 3, mean: 2, min: 1, max: 3 });
    expect(summarise([]).p50).toBeNaN();
  });

  it('judges a figure against its ceiling; nothing measured misses', () => {
    expect(verdict(1.5, 1.5)).toBe('meets');
    expect(verdict(1.51, 1.5)).toBe('misses');
    expect(verdict(Number.NaN, 1.5)).toBe('misses');
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
  });

  it('paces an open-loop run evenly, whatever the answers do', () => {
    expect(openLoopSchedule(20, 1000)).toEqual(Array.from({ length: 20 }, (_, index) => index * 50));
    expect(openLoopSchedule(100, 20_000)).toHaveLength(2000);
    expect(openLoopSchedule(0, 1000)).toEqual([]);
  });

  it('times each item by the first look whose count includes it', () => {
    const looks = [
      { at: 10, count: 0 },
      { at: 20, count: 2 },
      { at: 30, count: 2 },
      { at: 40, count: 5 },
    ];
    expect(firstTimesCounted(looks, 4)).toEqual([20, 20, 40, 40]);
    expect(firstTimesCounted(looks.slice(0, 2), 3)).toEqual([20, 20, undefined]);
    // A count that falls back does not move times already given.
    expect(firstTimesCounted([{ at: 1, count: 2 }, { at: 2, count: 1 }, { at: 3, count: 3 }], 3)).toEqual([1, 1, 3]);
  });

  it('orders stream sequence numbers as numbers, not strings', () => {
    expect(compareSequenceNumbers('900', '1000')).toBe(-1);
    expect(compareSequenceNumbers('000000000000000000001000', '999')).toBe(1);
    expect(compareSequenceNumbers('5', '5')).toBe(0);
    expect(compareSequenceNumbers(undefined, '5')).toBe(1);
  });
});

describe('reading /proc', () => {
  it('finds the resident set size in a status file', () => {
    expect(rssFromProcStatus('Name:\tnode\nVmRSS:\t  123456 kB\nThreads:\t11\n')).toBe(123456 * 1024);
    expect(rssFromProcStatus('Name:\tkthreadd\n')).toBeUndefined();
  });

  it('reads name, parent and CPU ticks from a stat line, even with spaces and parentheses in the name', () => {
    const fields = (name: string) => `4242 (${name}) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000 1 2`;
    expect(parseProcStat(fields('node'))).toEqual({ comm: 'node', ppid: 17, cpuTicks: 300 });
    expect(parseProcStat(fields('a (b) c'))).toEqual({ comm: 'a (b) c', ppid: 17, cpuTicks: 300 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('finds every descendant of a process', () => {
    const parents = new Map([
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 1],
      [6, 99],
    ]);
    expect(descendants(2, parents).sort()).toEqual([3, 4]);
    expect(descendants(1, parents).sort()).toEqual([2, 3, 4, 5]);
    expect(descendants(6, parents)).toEqual([]);
  });
});
