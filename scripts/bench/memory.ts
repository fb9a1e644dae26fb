import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { descendants, parseProcStat, rssFromProcStatus, summarise, type Summary } from './stats';

/**
 * One process of the local stack, as the sampler tells them apart: the stack's Node process, tsx's
 * launcher (before `npm start` ran plain node: a second Node process), DynamoDB Local's Java, anything else.
 */
export type StackProcessRole = 'stack' | 'tsxWrapper' | 'dynamodbLocal' | 'other';

/** The roles whose resident memory counts as the stack's Node processes. */
const NODE_ROLES: ReadonlySet<StackProcessRole> = new Set(['stack', 'tsxWrapper']);

export interface ProcessMemory {
  pid: number;
  comm: string;
  role: StackProcessRole;
  /** Resident set size samples, bytes. */
  samples: number[];
  /** User + system CPU time (clock ticks) when first and last seen. */
  firstCpuTicks: number;
  lastCpuTicks: number;
}

export interface MemoryReport {
  /** How often the tree was read. */
  intervalMs: number;
  samples: number;
  /** How long the sampling ran, ms. */
  wallMs: number;
  /** Per process: its RSS over the samples, and the CPU it used meanwhile (cores = CPU ms ÷ wall ms). */
  processes: Array<{ pid: number; comm: string; role: StackProcessRole; rssBytes: Summary; cpuMs: number; cores: number }>;
  /** Sum over the Node processes (the stack; tsx's launcher, when there was one) at each sample. */
  nodeTotalBytes: Summary;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's CPU times (100 on Linux almost everywhere). */
export const TICKS_PER_SECOND = (() => {
  const answer = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return Number.isInteger(answer) && answer > 0 ? answer : 100;
})();

/** pid → parent pid of every process now running (Linux /proc). */
function processParents(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readText(`/proc/${name}/stat`);
    const parsed = stat ? parseProcStat(stat) : undefined;
    if (parsed) parents.set(Number(name), parsed.ppid);
  }
  return parents;
}

/**
 * Samples the resident set size of a process tree from /proc/<pid>/status (VmRSS: the figure Node's
 * process.memoryUsage().rss reports from inside), every `intervalMs`, until stopped. `roleOf` names each
 * process; the tree is re-read each time so processes started later are found.
 */
export function sampleProcessTree(rootPid: number, roleOf: (pid: number, comm: string) => StackProcessRole, intervalMs = 250): { stop(): MemoryReport } {
  const processes = new Map<number, ProcessMemory>();
  const nodeTotals: number[] = [];
  let samples = 0;
  const started = performance.now();
  const sample = () => {
    const pids = [rootPid, ...descendants(rootPid, processParents())];
    let nodeTotal = 0;
    for (const pid of pids) {
      const status = readText(`/proc/${pid}/status`);
      const stat = readText(`/proc/${pid}/stat`);
      const rss = status ? rssFromProcStatus(status) : undefined;
      const parsed = stat ? parseProcStat(stat) : undefined;
      if (rss === undefined || !parsed) continue;
      const entry = processes.get(pid) ?? { pid, comm: parsed.comm, role: roleOf(pid, parsed.comm), samples: [], firstCpuTicks: parsed.cpuTicks, lastCpuTicks: parsed.cpuTicks };
      entry.samples.push(rss);
      entry.lastCpuTicks = parsed.cpuTicks;
      processes.set(pid, entry);
      if (NODE_ROLES.has(entry.role)) nodeTotal += rss;
    }
    nodeTotals.push(nodeTotal);
    samples += 1;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const wallMs = performance.now() - started;
      return {
        intervalMs,
        samples,
        wallMs,
        processes: [...processes.values()].map(({ pid, comm, role, samples: rss, firstCpuTicks, lastCpuTicks }) => {
          const cpuMs = ((lastCpuTicks - firstCpuTicks) * 1000) / TICKS_PER_SECOND;
          return { pid, comm, role, rssBytes: summarise(rss), cpuMs, cores: cpuMs / wallMs };
        }),
        nodeTotalBytes: summarise(nodeTotals),
      };
    },
  };
}
