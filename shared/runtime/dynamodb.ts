import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './powertools';

/**
 * One DynamoDB client per container. DYNAMODB_ENDPOINT points it at DynamoDB Local; in AWS it is unset
 * and the SDK uses the regional endpoint.
 */
const endpoint = process.env.DYNAMODB_ENDPOINT;
/** The low-level client: for libraries that marshal their own items (Powertools idempotency). */
export const dynamoClient = tracer.captureAWSv3Client(
  new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 4,
  }),
);

export const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});
