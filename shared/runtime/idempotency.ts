import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { tables } from '#shared/model/tables';
import { tableName } from '#shared/runtime/settings';
import { dynamoClient } from '#shared/runtime/dynamodb';

/**
 * Where Powertools idempotency keeps its records: the `idempotency` table (`shared/tables.ts`), through
 * the container's one DynamoDB client (so DYNAMODB_ENDPOINT reaches DynamoDB Local). Created at first use and kept
 * for the container, like the other SDK singletons; only the functions whose routes bind the table import it,
 * so the others never need IDEMPOTENCY_TABLE.
 */
let store: DynamoDBPersistenceLayer | undefined;
export const idempotencyStore = (): DynamoDBPersistenceLayer =>
  (store ??= new DynamoDBPersistenceLayer({
  tableName: tableName('idempotency'),
  // The key and TTL attributes of the table's definition (Powertools' defaults, named here so they cannot drift).
  keyAttr: tables.idempotency.partitionKey.name,
  expiryAttr: tables.idempotency.ttlAttribute,
  awsSdkV3Client: dynamoClient,
  }));
