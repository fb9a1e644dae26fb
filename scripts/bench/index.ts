import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { aggregatorMarkdown, benchAggregator } from './aggregator';
import { benchAggregationLag, lagMarkdown } from './aggregation-lag';
import { benchBulk, bulkMarkdown } from './bulk';
import { benchBundles, bundlesMarkdown } from './bundles';
import { startBenchEnvironment } from './environment';
import { benchExportJobs, exportJobsMarkdown } from './export-jobs';
import { benchExports, exportsMarkdown } from './exports';
import { benchNearSearch, nearMarkdown } from './near';
import { benchReminders } from './reminders';
import { benchSaveCost, saveCostMarkdown } from './save-cost';
import { benchShed, shedMarkdown } from './shed';
import { benchSubmit, submitMarkdown } from './submit';
import { benchVacancySearch } from './vacancies';

const SECTIONS = ['bundles', 'reminders', 'search', 'near', 'submit', 'bulk', 'exports', 'aggregator', 'jobs', 'lag', 'shed', 'saveCost'] as const;
type Section = (typeof SECTIONS)[number];

/** `BENCH_ONLY=bundles` (or a comma-separated list of sections) runs just those; unset, all of them. */
function chosenSections(): Set<Section> {
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!only?.length) return new Set(SECTIONS);
  const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`BENCH_ONLY names no section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  return new Set(only as Section[]);
}

/**
 * A partial run (BENCH_ONLY) replaces its own sections in bench/results.json and keeps the others as
 * they were; a full run writes the whole file.
 */
function writeResults(partial: boolean, results: Record<string, unknown>): void {
  const path = 'bench/results.json';
  let previous: Record<string, unknown> = {};
  if (partial && existsSync(path)) previous = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  mkdirSync('bench', { recursive: true });
  writeFileSync(path, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
}

/**
 * `npm run bench`: the benchmarks, each on a DynamoDB Local of its own, printed as markdown tables and
 * written to bench/results.json so runs can be compared. Figures are for this machine; the baseline in
 * each table was measured in the same run (on the same DynamoDB Local, or for the bundles, in the same
 * fresh-process harness). `BENCH_ONLY=bundles` runs one section (or `submit,exports`: any of bundles,
 * reminders, search, near, submit, bulk, exports, aggregator, jobs, lag, shed, saveCost; lag includes the stack's memory, shed is `npm start` at 100 submissions a second); `BENCH_QUICK` shortens them.
 * `jobs` (export jobs) takes `BENCH_JOBS_AS_SHIPPED=1` (the whole range of returns read with the byDay
 * Queries as shipped, without the what-if Limit: over an hour at full size on DynamoDB Local) and
 * `BENCH_JOBS_CPU_PROF=<dir>` (a V8 CPU profile of each worker child there).
 */
async function main(): Promise<void> {
  const sections = chosenSections();
  const partial = sections.size < SECTIONS.length;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const at = new Date().toISOString();
  console.log(`# Capacity Tracker benchmarks\n\n${at} on ${machine}${partial ? ` (only: ${[...sections].join(', ')})` : ''}\n`);
  const results: Record<string, unknown> = partial ? {} : { at, machine };

  // First, before DynamoDB Local starts: the import timings want the cores to themselves.
  if (sections.has('bundles')) {
    console.error('function bundles:');
    const bundles = await benchBundles();
    console.log(`${bundlesMarkdown(bundles)}\n`);
    results.bundles = { at, machine, ...bundles };
  }

  const quick = Boolean(process.env.BENCH_QUICK);
  if (sections.has('reminders') || sections.has('search') || sections.has('near') || sections.has('submit') || sections.has('bulk') || sections.has('exports') || sections.has('aggregator') || sections.has('saveCost')) {
    const environment = await startBenchEnvironment();
    try {
      if (sections.has('reminders')) {
        console.error('reminder run over 30,000 locations:');
        const reminders = await benchReminders(environment, process.env.BENCH_QUICK ? [0.01] : undefined);
        console.log('## Reminder run over 30,000 locations\n');
        console.log('| stale | stale locations | index entries read | read ÷ stale | emails sent | run (s) | bare Query of the stale entries (ms) |');
        console.log('|---|---|---|---|---|---|---|');
        for (const row of reminders) {
          console.log(`| ${row.staleShare * 100}% | ${row.staleLocations} | ${row.itemsRead} | ${row.readPerStale.toFixed(2)} | ${row.emailsSent} | ${row.runSeconds.toFixed(1)} | ${row.bareQueryMs.toFixed(0)} |`);
        }
        results.reminders = reminders;
      }

      if (sections.has('search')) {
        console.error('vacancy search over 30,000 locations:');
        const search = await benchVacancySearch(environment);
        console.log('\n## Vacancy search over 30,000 locations (50 results a page, 200 runs each)\n');
        console.log('| search | results | handler p50 (ms) | handler p99 (ms) | bare Query p50 (ms) | bare Query p99 (ms) | p50 ÷ bare |');
        console.log('|---|---|---|---|---|---|---|');
        for (const row of search) {
          console.log(`| ${row.search} | ${row.results} | ${row.handlerP50.toFixed(1)} | ${row.handlerP99.toFixed(1)} | ${row.bareP50.toFixed(1)} | ${row.bareP99.toFixed(1)} | ${row.ratioP50.toFixed(2)} |`);
        }
        results.search = search;
      }

      if (sections.has('near')) {
        console.error('searching near a place over 30,000 locations:');
        const near = await benchNearSearch(environment, quick ? { firstRuns: 20, allRuns: 5, warmUp: 2 } : {});
        console.log(`\n${nearMarkdown(near)}`);
        results.near = near;
      }

      if (sections.has('submit')) {
        console.error('submitting a daily return:');
        const submit = await benchSubmit(environment, quick ? { firstWrites: 80, warmUp: 10 } : {});
        console.log(`\n${submitMarkdown(submit)}`);
        results.submit = submit;
      }

      if (sections.has('bulk')) {
        console.error('bulk upload of a provider\'s week:');
        const bulk = await benchBulk(environment, quick ? { rounds: 1, templateRuns: 3 } : {});
        console.log(`\n${bulkMarkdown(bulk)}`);
        results.bulk = bulk;
      }

      if (sections.has('exports')) {
        console.error('national exports:');
        const exports = await benchExports(environment, quick ? { runs: 2, days: 60 } : {});
        console.log(`\n${exportsMarkdown(exports)}`);
        results.exports = exports;
      }

      if (sections.has('aggregator')) {
        console.error('the aggregator at batch size 100:');
        const aggregator = await benchAggregator(environment, quick ? { locations: 3_000, batches: 5 } : {});
        console.log(`\n${aggregatorMarkdown(aggregator)}`);
        results.aggregator = aggregator;
      }

      if (sections.has('saveCost')) {
        console.error('write units per save:');
        const saveCost = await benchSaveCost(environment);
        console.log(`\n${saveCostMarkdown(saveCost)}`);
        results.saveCost = saveCost;
      }
    } finally {
      await environment.stop();
    }
  }

  // On a local system of its own (DynamoDB Local in memory, S3, the gateway, the worker), with the bench's DynamoDB Local stopped.
  if (sections.has('jobs')) {
    console.error('export jobs:');
    const exportJobs = await benchExportJobs({
      ...(quick ? { locations: 3_000, aggregateDays: 60 } : {}),
      ...(process.env.BENCH_JOBS_AS_SHIPPED ? { dayQueryLimit: null } : {}),
      ...(process.env.BENCH_JOBS_CPU_PROF ? { cpuProfileDir: process.env.BENCH_JOBS_CPU_PROF } : {}),
    });
    console.log(`\n${exportJobsMarkdown(exportJobs)}`);
    results.exportJobs = exportJobs;
  }

  // Last, on a stack of its own (npm start as a child process), with the bench's DynamoDB Local stopped.
  if (sections.has('lag')) {
    console.error('aggregation lag and memory of the local stack:');
    const lag = await benchAggregationLag(quick ? { durationMs: 5_000 } : {});
    console.log(`\n${lagMarkdown(lag)}`);
    results.lag = lag;
  }

  // After it, on a stack of its own again: npm start shedding what it cannot take at 100 submissions a second.
  if (sections.has('shed')) {
    console.error('shedding load at 100 submissions a second:');
    const shed = await benchShed(quick ? { seconds: 10 } : {});
    console.log(`\n${shedMarkdown(shed)}`);
    results.shed = shed;
  }

  writeResults(partial, results);
  console.log(`\nResults written to bench/results.json${partial ? ' (the other sections kept as they were)' : ''}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
