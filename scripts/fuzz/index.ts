/**
 * `npm run fuzz -- --runs 10000 [--seed N] [--path P] [--batch 100] [--max-failures 5]`
 *
 * Fuzzes the HTTP API through the local gateway (real HTTP on loopback, DynamoDB Local in memory behind
 * it, both started here) with the generators of test/fuzz/generators.ts: every request malformed or
 * hostile, every answer checked (4xx problem+json, nothing written, the gateway up after each batch).
 * Progress goes to stderr; the summary (requests by route and status, failures with the shrunk
 * counterexample and how to replay it) to stdout. Exits 1 if anything failed.
 */
import '../local/process-defaults';
import { cpus, totalmem } from 'node:os';
import { runFuzz, type FuzzFailure, type FuzzStats } from './harness';
import { startFuzzTarget } from './target';

function options(argv: string[]) {
  const read = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    if (index === -1) return undefined;
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    return value;
  };
  const integer = (name: string, fallback: number) => {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be a whole number, not ${text}`);
    return value;
  };
  const known = new Set(['--runs', '--seed', '--path', '--batch', '--max-failures']);
  const unknown = argv.filter((arg, index) => arg.startsWith('--') && !known.has(arg) && !known.has(argv[index - 1] ?? ''));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')}; see scripts/fuzz/index.ts`);
  const path = read('path');
  return {
    runs: integer('runs', 10_000),
    seed: integer('seed', Math.floor(Math.random() * 2 ** 31)),
    ...(path ? { path } : {}),
    batchSize: integer('batch', 100),
    maxFailures: integer('max-failures', 5),
  };
}

const sorted = (map: Map<string, number>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
const statusText = (map: Map<string, number>) => sorted(map).map(([status, count]) => `${status}: ${count}`).join(', ');

function summary(stats: FuzzStats, failures: FuzzFailure[], context: { runs: number; seed: number; seconds: number; machine: string }): string {
  const lines = [
    `# Fuzzing the HTTP API`,
    '',
    `${stats.requests} requests (asked for ${context.runs}), seed ${context.seed}, ${context.seconds.toFixed(0)} s (${(stats.requests / context.seconds).toFixed(0)} requests/s with a table checksum after each), ${context.machine}` +
      (stats.shrinkRequests > 0 ? `; ${stats.shrinkRequests} more while shrinking` : ''),
    '',
    '| kind | requests | statuses |',
    '|---|---|---|',
    ...sorted(stats.byKind).map(([kind, count]) => `| ${kind} | ${count} | ${statusText(stats.byKindStatus.get(kind) ?? new Map())} |`),
    '',
    '| status | requests |',
    '|---|---|',
    ...sorted(stats.byStatus).map(([status, count]) => `| ${status} | ${count} |`),
    '',
    '| route (label) | requests | statuses |',
    '|---|---|---|',
    ...[...stats.byLabel.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, statuses]) => `| ${label} | ${[...statuses.values()].reduce((sum, count) => sum + count, 0)} | ${statusText(statuses)} |`),
    '',
    `Requests built from each route's path: ${sorted(stats.byRoute).map(([route, count]) => `${route} ${count}`).join(', ')}.`,
    '',
    `Defects drawn (a request may have several): ${[...stats.defects.entries()].sort(([, a], [, b]) => b - a).slice(0, 25).map(([name, count]) => `${name} ${count}`).join(', ')}.`,
    '',
    `Mean answer ${(stats.totalMs / Math.max(1, stats.requests)).toFixed(1)} ms; slowest ${stats.slowest.ms.toFixed(0)} ms (${stats.slowest.request}).`,
    '',
  ];
  if (failures.length === 0) lines.push('No failures: every answer was as the model requires, nothing was written, the gateway stayed up.');
  for (const [index, failure] of failures.entries()) {
    lines.push(
      `## Failure ${index + 1} (after ${failure.shrinks} shrinks)`,
      '',
      `Replay: npm run fuzz -- --seed ${failure.seed} --path "${failure.path}"`,
      '',
      '```',
      failure.counterexample,
      '',
      failure.error,
      '```',
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = options(process.argv.slice(2));
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'CRITICAL';
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const log = (line: string) => process.stderr.write(`[fuzz] ${line}\n`);
  const target = await startFuzzTarget({ log });
  const started = performance.now();
  try {
    log(`${settings.runs} requests from seed ${settings.seed}${settings.path ? ` (replaying path ${settings.path})` : ''}, a health check every ${settings.batchSize}`);
    const { stats, failures } = await runFuzz(target, {
      ...settings,
      onBatch: (requests, current, failed) => {
        const seconds = (performance.now() - started) / 1000;
        log(`${requests}/${settings.runs} requests, ${(requests / seconds).toFixed(0)}/s, ${statusText(current.byStatus)}${failed > 0 ? `, ${failed} failure(s)` : ''}`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${summary(stats, failures, { runs: settings.runs, seed: settings.seed, seconds, machine })}\n`);
    process.exitCode = failures.length > 0 ? 1 : 0;
  } finally {
    await target.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
