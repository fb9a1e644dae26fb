import { loadavg } from 'node:os';
import { percentile } from './environment';

/** The figures every latency row reports. */
export interface Summary {
  runs: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) return { runs: 0, p50: Number.NaN, p99: Number.NaN, mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    total += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { runs: values.length, p50: percentile(values, 50), p99: percentile(values, 99), mean: total / values.length, min, max };
}

/** A figure against a ceiling: "meets" when at or under it. NaN (nothing measured) misses. */
export function verdict(value: number, ceiling: number): 'meets' | 'misses' {
  return value <= ceiling ? 'meets' : 'misses';
}

/**
 * Open-loop pacing: when each of the sends of a `rate`-per-second run of `durationMs` is due, in ms from
 * the start. A send goes at its time whether or not the earlier ones have been answered, so a slow
 * answer cannot slow the arrivals down (closed-loop pacing would hide queueing).
 */
export function openLoopSchedule(ratePerSecond: number, durationMs: number): number[] {
  if (!(ratePerSecond > 0) || !(durationMs > 0)) return [];
  const count = Math.floor((ratePerSecond * durationMs) / 1000);
  return Array.from({ length: count }, (_, index) => (index * 1000) / ratePerSecond);
}

/** The 1-, 5- and 15-minute load averages, rounded, for the record beside each figure. */
export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return [round(one, 2), round(five, 2), round(fifteen, 2)];
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A number for a markdown cell: fixed digits, or an en dash when there is nothing to show. */
export function cell(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export const mebibytes = (bytes: number) => bytes / 2 ** 20;
export const kibibytes = (bytes: number) => bytes / 1024;

/** The ratio of two p50s, or of any two figures; NaN when the baseline is not positive. */
export function ratio(value: number, baseline: number): number {
  return baseline > 0 ? value / baseline : Number.NaN;
}

/** Resident set size in bytes from the text of /proc/<pid>/status (its VmRSS line, in kB); undefined if absent. */
export function rssFromProcStatus(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * The command name and parent pid from the text of /proc/<pid>/stat. The name sits in parentheses and
 * may itself contain spaces and parentheses, so the fields after it are found from the last ')'.
 */
export function parseProcStat(stat: string): { comm: string; ppid: number; cpuTicks: number } | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open === -1 || close < open) return undefined;
  // After the name: state, ppid, pgrp, session, tty_nr, tpgid, flags, minflt, cminflt, majflt, cmajflt, utime, stime.
  const rest = stat.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const cpuTicks = Number(rest[11]) + Number(rest[12]);
  if (!Number.isInteger(ppid) || !Number.isFinite(cpuTicks)) return undefined;
  return { comm: stat.slice(open + 1, close), ppid, cpuTicks };
}

/** Every descendant of `root` in a pid → parent map, breadth first. */
export function descendants(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

