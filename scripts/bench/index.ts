import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { startBenchEnvironment } from './environment';
import { benchReminders } from './reminders';

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
    const reminders = await benchReminders(environment);
    console.log('## Reminder run over 30,000 locations\n');
    console.log('| stale | stale locations | index entries read | read ÷ stale | emails sent | run (s) | bare Query of the stale entries (ms) |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of reminders) {
      console.log(`| ${row.staleShare * 100}% | ${row.staleLocations} | ${row.itemsRead} | ${row.readPerStale.toFixed(2)} | ${row.emailsSent} | ${row.runSeconds.toFixed(1)} | ${row.bareQueryMs.toFixed(0)} |`);
    }
    mkdirSync('bench', { recursive: true });
    writeFileSync('bench/results.json', `${JSON.stringify({ at: new Date().toISOString(), machine, reminders }, null, 2)}\n`);
    console.log('\nResults written to bench/results.json.');
  } finally {
    await environment.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
