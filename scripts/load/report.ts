import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** Peak resident memory of a set of processes, sampled from /proc (Linux) while the load runs. */
export class RssSampler {
  private readonly peaks = new Map<string, { label: string; pid: number; peakBytes: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly processes: () => Array<{ label: string; pid: number }>) {}

  start(everyMs = 250): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    for (const { label, pid } of this.processes()) {
      const bytes = pid === process.pid ? process.memoryUsage.rss() : rssOf(pid);
      if (bytes === undefined) continue;
      const key = `${label}|${pid}`;
      const seen = this.peaks.get(key);
      if (!seen || bytes > seen.peakBytes) this.peaks.set(key, { label, pid, peakBytes: bytes });
    }
  }

  /** One row per label: the highest peak of the processes that carried it (a restarted process gets a new pid). */
  results(): Array<{ label: string; pids: number[]; peakMB: number }> {
    const byLabel = new Map<string, { label: string; pids: number[]; peakMB: number }>();
    for (const { label, pid, peakBytes } of this.peaks.values()) {
      const row = byLabel.get(label) ?? { label, pids: [], peakMB: 0 };
      row.pids.push(pid);
      row.peakMB = Math.max(row.peakMB, Math.round(peakBytes / 2 ** 20));
      byLabel.set(label, row);
    }
    return [...byLabel.values()];
  }
}

function rssOf(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function machine(): { cores: number; cpu: string; memoryGiB: number; node: string; loadAverage: string } {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(' '),
  };
}

export type ProgressMode = 'tty' | 'lines' | 'off';

/** Progress on stderr: a bar redrawn in place on a terminal, a line every 10% into a file or pipe. */
export function progressBar(mode: ProgressMode): (label: string, done: number, total: number) => void {
  let last = '';
  return (label, done, total) => {
    if (mode === 'off') return;
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    const key = `${label}|${mode === 'tty' ? percent : Math.floor(percent / 10)}|${done >= total}`;
    if (key === last) return;
    last = key;
    if (mode === 'lines') {
      process.stderr.write(`  ${label}: ${done}/${total}\n`);
      return;
    }
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    process.stderr.write(`\r  ${label.padEnd(22)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}${done >= total ? '\n' : ''}`);
  };
}

export const thousands = (value: number) => Math.round(value).toLocaleString('en-GB');
