import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '#shared/runtime/powertools';

/**
 * One DynamoDB client per container. DYNAMODB_ENDPOINT points it at DynamoDB Local; in AWS it is unset
 * and the SDK uses the regional endpoint.
 */
const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = new DynamoDBClient({
  ...(endpoint ? { endpoint } : {}),
  maxAttempts: 4,
  // Locally, a DynamoDB Local that was stopped or is still starting fails a call within seconds (and the
  // caller gets a 503) instead of leaving it waiting until the gateway's 29 s integration timeout.
  ...(endpoint ? { requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 } } : {}),
});
/**
 * The low-level client: for libraries that marshal their own items (Powertools idempotency), and for the
 * local stack's fault injection (`scripts/local/fault-rules.ts`), which adds its middleware from outside.
 */
export const dynamoClient = tracer.captureAWSv3Client(client);

export const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});
