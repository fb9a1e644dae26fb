import '../../scripts/local/process-defaults';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoLocal, useLocalAwsEnvironment } from '../../scripts/local/dynamodb-local';
import { usePowertoolsLocalDefaults } from '../../scripts/local/local-settings';
import { ensureTables, exportTableNames, localTableNames } from '../../scripts/local/local-tables';

/**
 * One real DynamoDB Local (in memory, free port) for the whole run, with the tables created from the
 * shared definitions. Tests isolate themselves by using their own location IDs.
 */
export default async function setup() {
  const dynamo = await startDynamoLocal();
  useLocalAwsEnvironment(dynamo.endpoint);
  usePowertoolsLocalDefaults();
  process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? 'CRITICAL';
  const tables = localTableNames('test');
  exportTableNames(tables);
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
  await ensureTables(client, tables);
  client.destroy();
  return async () => {
    await dynamo.stop();
  };
}
