import '../local/process-defaults';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { startDynamoLocal, useLocalAwsEnvironment, type RunningDynamo } from '../local/dynamodb-local';
import { usePowertoolsLocalDefaults } from '../local/local-settings';
import { ensureTables, exportTableNames, localTableNames } from '../local/local-tables';
import { startLocalSes, type LocalSes } from '../local/ses-local';
import type { TableId } from '../../shared/tables';

export interface BenchEnvironment {
  dynamo: RunningDynamo;
  client: DynamoDBClient;
  ses: LocalSes;
  tables: Record<TableId, string>;
  stop(): Promise<void>;
}

/**
 * A DynamoDB Local of the benchmark's own (in memory) and a local SES endpoint, with the tables made
 * from the shared definitions: the same parts the system runs on locally, and nothing else running.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const dynamo = await startDynamoLocal();
  useLocalAwsEnvironment(dynamo.endpoint);
  usePowertoolsLocalDefaults();
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const tables = localTableNames('bench');
  exportTableNames(tables);
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
  await ensureTables(client, tables);
  const ses = await startLocalSes();
  process.env.SES_ENDPOINT = ses.endpoint;
  process.env.REMINDER_FROM_ADDRESS = 'bench@reminders.example';
  process.env.UPDATE_LINK_SECRET = randomBytes(48).toString('base64url');
  process.env.WEB_BASE_URL = 'http://localhost:3000';
  return {
    dynamo,
    client,
    ses,
    tables,
    stop: async () => {
      client.destroy();
      await ses.stop();
      await dynamo.stop();
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
