import '../local/process-defaults';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { startLocalSystem } from '../local/system';
import type { LocalSes } from '../local/ses-local';
import type { TableId } from '#shared/model/tables';

export const BENCH_TABLE_PREFIX = 'bench';

export interface BenchEnvironment {
  dynamodbEndpoint: string;
  dynamodbPid: number | undefined;
  client: DynamoDBClient;
  ses: LocalSes;
  tables: Record<TableId, string>;
  stop(): Promise<void>;
}

/**
 * A local system of the benchmark's own: DynamoDB Local (in memory) with the tables made from the shared
 * definitions and a local SES endpoint: the same parts the system runs on locally, and nothing else
 * running. Benchmarks that go through HTTP start a gateway on it.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.UPDATE_LINK_SECRET = randomBytes(48).toString('base64url');
  const system = await startLocalSystem({
    tablePrefix: BENCH_TABLE_PREFIX,
    ses: true,
    settings: { REMINDER_FROM_ADDRESS: 'bench@reminders.example', WEB_BASE_URL: 'http://localhost:3000' },
  });
  const client = new DynamoDBClient({ endpoint: system.dynamodbEndpoint });
  return {
    dynamodbEndpoint: system.dynamodbEndpoint,
    dynamodbPid: system.dynamodb?.pid(),
    client,
    ses: system.ses!,
    tables: system.tables,
    stop: async () => {
      client.destroy();
      await system.stop();
    },
  };
}

/** A one-line progress bar for long loads, rewritten in place. */
export function progress(label: string, total: number): (done: number) => void {
  let last = -1;
  return (done) => {
    const percent = Math.floor((done / total) * 100);
    if (percent === last && done !== total) return;
    last = percent;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
