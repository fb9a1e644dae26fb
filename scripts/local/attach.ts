import { useLocalAwsEnvironment } from './dynamodb-local';
import { localSettings } from './local-settings';
import { exportTableNames } from './local-tables';
import { readRunningStack, type StackInfo } from './stack-file';

export interface AttachedSystem extends StackInfo {
  dataDir: string;
  description: string;
}

/**
 * The one way a script finds the system `npm start` is running (through the `stack.json` it writes under
 * LOCAL_DATA_DIR) and points this process's DynamoDB client and table names at it. `npm run seed`,
 * `npm run remind`, `npm run import:cqc`, `npm run sync:cqc` and `npm run load` all attach here.
 */
export function attach(): AttachedSystem {
  const { dataDir } = localSettings();
  const running = readRunningStack(dataDir);
  if (!running) {
    throw new Error(`No local stack is running for ${dataDir}. Start one with \`npm start\` (or another LOCAL_DATA_DIR).`);
  }
  useLocalAwsEnvironment(running.dynamodbEndpoint);
  exportTableNames(running.tables);
  return { ...running, dataDir, description: `the local stack at ${running.gatewayUrl} (npm start, pid ${running.pid}, ${running.inMemory ? 'in memory' : `data in ${dataDir}`})` };
}

/**
 * For the scripts that may also act on tables named in the environment (DYNAMODB_ENDPOINT and the
 * table variables, as an operator sets them by hand): those, or else `attach()`. Returns a description.
 */
export function attachOrUseEnvironment(): string {
  if (process.env.DYNAMODB_ENDPOINT || process.env.LOCATIONS_TABLE) {
    return `tables from the environment${process.env.DYNAMODB_ENDPOINT ? ` at ${process.env.DYNAMODB_ENDPOINT}` : ''}`;
  }
  return attach().description;
}
