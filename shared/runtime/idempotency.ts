import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { tables } from '../tables';
import { tableName } from './config';
import { dynamoClient } from './dynamodb';

/**
 * Where Powertools idempotency keeps its records: the `idempotency` table (`shared/tables.ts`), through
 * the container's one DynamoDB client (so DYNAMODB_ENDPOINT reaches DynamoDB Local). Created once per
 * container, like the other SDK singletons; only the functions whose routes bind the table import it,
 * so the others never need IDEMPOTENCY_TABLE.
 */
export const idempotencyStore = new DynamoDBPersistenceLayer({
  tableName: tableName('idempotency'),
  // The key and TTL attributes of the table's definition (Powertools' defaults, named here so they cannot drift).
  keyAttr: tables.idempotency.partitionKey.name,
  expiryAttr: tables.idempotency.ttlAttribute,
  awsSdkV3Client: dynamoClient,
});
