import '#scripts/local/process-defaults';
import { startLocalSystem } from '#scripts/local/system';

export const TEST_TABLE_PREFIX = 'test';

/**
 * One real DynamoDB Local (in memory, free port) for the whole run, with the tables created from the
 * shared definitions. Workers are forked after this, so they inherit its endpoint and table names; each
 * test file that needs HTTP starts a gateway of its own on it (`useGateway`). Tests isolate themselves by
 * using their own location IDs.
 */
export default async function setup() {
  process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? 'CRITICAL';
  const system = await startLocalSystem({ tablePrefix: TEST_TABLE_PREFIX });
  return () => system.stop();
}
