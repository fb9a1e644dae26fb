import { useLocalAwsEnvironment } from './dynamodb-local';
import { localSettings } from './local-settings';
import { exportTableNames } from './local-tables';
import { readRunningStack } from './stack-file';

/**
 * Point this process at the stack `npm start` is running (found through its stack.json), or, when
 * DYNAMODB_ENDPOINT or AWS settings are given, leave the environment as it is. Returns a description.
 */
export function attachToStack(): string {
  if (process.env.DYNAMODB_ENDPOINT || process.env.LOCATIONS_TABLE) {
    return `tables from the environment${process.env.DYNAMODB_ENDPOINT ? ` at ${process.env.DYNAMODB_ENDPOINT}` : ''}`;
  }
  const { dataDir } = localSettings();
  const running = readRunningStack(dataDir);
  if (!running) {
    throw new Error(`No local stack is running for ${dataDir}. Start one with \`npm start\` (or set DYNAMODB_ENDPOINT and the table variables).`);
  }
  useLocalAwsEnvironment(running.dynamodbEndpoint);
  exportTableNames(running.tables);
  return `the local stack at ${running.gatewayUrl}`;
}
