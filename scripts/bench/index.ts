import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { startBenchEnvironment } from './environment';
import { benchReminders } from './reminders';
import { benchVacancySearch } from './vacancies';

/**
 * `npm run bench`: the benchmarks, each on a DynamoDB Local of its own, printed as markdown tables and
 * written to bench/results.json so runs can be compared. Figures are for this machine; the baseline in
 * each table was measured in the same run on the same DynamoDB Local.
 */
async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`# Capacity Tracker benchmarks\n\n${new Date().toISOString()} on ${machine}\n`);
  const environment = await startBenchEnvironment();
  try {
    console.error('reminder run over 30,000 locations:');
    const reminders = await benchReminders(environment, process.env.BENCH_QUICK ? [0.01] : undefined);
    console.log('## Reminder run over 30,000 locations\n');
    console.log('| stale | stale locations | index entries read | read ÷ stale | emails sent | run (s) | bare Query of the stale entries (ms) |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of reminders) {
      console.log(`| ${row.staleShare * 100}% | ${row.staleLocations} | ${row.itemsRead} | ${row.readPerStale.toFixed(2)} | ${row.emailsSent} | ${row.runSeconds.toFixed(1)} | ${row.bareQueryMs.toFixed(0)} |`);
    }

    console.error('vacancy search over 30,000 locations:');
    const search = await benchVacancySearch(environment);
    console.log('\n## Vacancy search over 30,000 locations (50 results a page, 200 runs each)\n');
    console.log('| search | results | handler p50 (ms) | handler p99 (ms) | bare Query p50 (ms) | bare Query p99 (ms) | p50 ÷ bare |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of search) {
      console.log(`| ${row.search} | ${row.results} | ${row.handlerP50.toFixed(1)} | ${row.handlerP99.toFixed(1)} | ${row.bareP50.toFixed(1)} | ${row.bareP99.toFixed(1)} | ${row.ratioP50.toFixed(2)} |`);
    }

    mkdirSync('bench', { recursive: true });
    writeFileSync('bench/results.json', `${JSON.stringify({ at: new Date().toISOString(), machine, reminders, search }, null, 2)}\n`);
    console.log('\nResults written to bench/results.json.');
  } finally {
    await environment.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
