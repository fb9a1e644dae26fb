import '../local/process-defaults';
import type { TableId } from '#shared/model/tables';
import { useLocalAwsEnvironment } from '../local/dynamodb-local';
import { usePowertoolsLocalDefaults } from '../local/local-settings';
import { exportTableNames } from '../local/local-tables';

/**
 * The stream consumer in a process of its own, for the crash fault (`npm run load -- --faults crash`):
 * the returns stream, the real aggregator, the checkpoint and dead-letter files, exactly as `npm start`
 * runs them (`startAggregator` in scripts/local/system.ts), so that this process can be killed part-way
 * through a batch (LOCAL_FAULTS=crash:<n>) and started again from its checkpoints.
 *
 * Environment: DYNAMODB_ENDPOINT, LOAD_TABLES (JSON, table id → name), LOAD_CHECKPOINT_FILE,
 * LOAD_DEAD_LETTER_FILE, and LOCAL_FAULTS. Prints `ready` once polling; SIGTERM stops it cleanly.
 */
async function main(): Promise<void> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const checkpointFile = process.env.LOAD_CHECKPOINT_FILE;
  const deadLetterFile = process.env.LOAD_DEAD_LETTER_FILE;
  if (!endpoint || !checkpointFile || !deadLetterFile || !process.env.LOAD_TABLES) throw new Error('DYNAMODB_ENDPOINT, LOAD_TABLES, LOAD_CHECKPOINT_FILE and LOAD_DEAD_LETTER_FILE are needed');
  const tables = JSON.parse(process.env.LOAD_TABLES) as Record<TableId, string>;
  useLocalAwsEnvironment(endpoint);
  exportTableNames(tables);
  usePowertoolsLocalDefaults();
  const { startAggregator } = await import('../local/system');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Started again while DynamoDB Local is down (both faults at once): wait for it, as Lambda's event
  // source mapping waits for its stream, rather than exit.
  let poller: Awaited<ReturnType<typeof startAggregator>>;
  for (let attempt = 1; ; attempt += 1) {
    try {
      poller = await startAggregator(endpoint, tables, deadLetterFile, checkpointFile, log);
      break;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (!['ECONNREFUSED', 'ECONNRESET'].includes(String(code)) || attempt >= 120) throw error;
      if (attempt === 1) log(`aggregator process: DynamoDB at ${endpoint} is not answering (${String(code)}); waiting for it`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  process.stdout.write('ready\n');
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void poller.stop().then(() => {
      process.stdout.write(`stopped ${JSON.stringify(poller.stats())}\n`);
      process.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`aggregator process: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
