import '#scripts/local/process-defaults';
import { startLocalSystem } from '#scripts/local/system';

export const TEST_TABLE_PREFIX = 'test';

/**
 * One real DynamoDB Local (in memory, free port) for the whole run, with the tables created from the
 * shared definitions, and one local S3 server (s3rver, a temporary folder) with the exports bucket.
 * Workers are forked after this, so they inherit the endpoints and names it puts in process.env
 * (DYNAMODB_ENDPOINT, the table names, S3_ENDPOINT, EXPORTS_BUCKET); each test file that needs HTTP
 * starts a gateway of its own on them (`useGateway`). Tests isolate themselves by using their own
 * location IDs (and export keys).
 */
export default async function setup() {
  process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? 'CRITICAL';
  const system = await startLocalSystem({ tablePrefix: TEST_TABLE_PREFIX, s3: {} });
  return () => system.stop();
}
