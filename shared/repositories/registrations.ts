import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditChange } from '#shared/model/people/audit';
import { auditPut } from '#shared/repositories/audit';
import { isTransactionCancelled } from '#shared/repositories/transactions';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import type { Registration } from '#shared/model/schemas/registrations';
import { decodePageToken, encodePageToken, invalidPageToken } from '#shared/repositories/pagination';

const TABLES = { get registrations() { return tableName('registrations'); } };

/** Requests made before emails were recorded have none. */
const fromItem = (item: Record<string, unknown>): Registration => ({ email: null, ...item }) as Registration;

export async function getRegistration(registrationId: string): Promise<Registration | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLES.registrations, Key: keys.registration(registrationId), ConsistentRead: true }));
  return Item && Item.status ? fromItem(Item) : undefined;
}

/** A location's registrations, newest first (a handful at most). */
export async function registrationsOfLocation(locationId: string): Promise<Registration[]> {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: TABLES.registrations, IndexName: 'byLocation', KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId }, ScanIndexForward: false }),
  );
  return (Items ?? []).map(fromItem);
}

/** At most this many requests of one user pending at once (DESIGN §10.1). */
export const MAX_PENDING_PER_USER = 5;

/** Guard items beside the registrations (no status or locationId, so in no index): one pending request per location, a count per user. */
const guards = {
  location: (locationId: string) => ({ registrationId: `pending#${locationId}` }),
  user: (userId: string) => ({ registrationId: `user#${userId}` }),
};

export type RegistrationRefusal = 'locationPending' | 'userAtLimit';

/**
 * A new pending request, in one transaction with its guards and its audit entry: it fails if the location
 * already has a pending request or the user has MAX_PENDING_PER_USER, whoever raced whom.
 */
export async function putRegistration(registration: Registration, audit: AuditChange, at: Date): Promise<RegistrationRefusal | undefined> {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLES.registrations, Item: registration, ConditionExpression: 'attribute_not_exists(registrationId)' } },
          { Put: { TableName: TABLES.registrations, Item: { ...guards.location(registration.locationId), heldBy: registration.registrationId }, ConditionExpression: 'attribute_not_exists(registrationId)' } },
          {
            Update: {
              TableName: TABLES.registrations,
              Key: guards.user(registration.userId),
              UpdateExpression: 'ADD pending :one',
              ConditionExpression: 'attribute_not_exists(pending) OR pending < :max',
              ExpressionAttributeValues: { ':one': 1, ':max': MAX_PENDING_PER_USER },
            },
          },
          auditPut(audit, at),
        ],
      }),
    );
    return undefined;
  } catch (error) {
    if (!isTransactionCancelled(error)) throw error;
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    return reasons[2]?.Code === 'ConditionalCheckFailed' ? 'userAtLimit' : 'locationPending';
  }
}

/** A user's own requests, newest first, a page at a time (the guard items hold no userId, so are not in the index). */
export async function registrationsOfUser(userId: string, limit: number, nextToken?: string): Promise<{ items: Registration[]; nextToken: string | null }> {
  const startKey = decodePageToken(nextToken, ['registrationId', 'userId', 'requestedAt']);
  if (startKey && startKey.userId !== userId) throw invalidPageToken();
  const page = await dynamo.send(
    new QueryCommand({
      TableName: TABLES.registrations,
      IndexName: 'byUser',
      KeyConditionExpression: 'userId = :user',
      ExpressionAttributeValues: { ':user': userId },
      ScanIndexForward: false,
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return { items: (page.Items ?? []).map(fromItem), nextToken: encodePageToken(page.LastEvaluatedKey) };
}

export async function listRegistrations(status: Registration['status'], limit: number, nextToken?: string): Promise<{ items: Registration[]; nextToken: string | null }> {
  const startKey = decodePageToken(nextToken, ['registrationId', 'status', 'requestedAt']);
  if (startKey && startKey.status !== status) throw invalidPageToken();
  const page = await dynamo.send(
    new QueryCommand({
      TableName: TABLES.registrations,
      IndexName: 'byStatus',
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return { items: (page.Items ?? []).map(fromItem), nextToken: encodePageToken(page.LastEvaluatedKey) };
}

/**
 * Decide a pending registration, once: the decision, its guards released, its audit entry and (on
 * approval) the membership with the location's counts (`memberParts`), in one transaction that fails if
 * someone decided it first.
 */
export async function decideRegistration(
  registration: Registration,
  decision: Pick<Registration, 'status' | 'decidedAt' | 'decidedBy' | 'note'>,
  memberParts: NonNullable<TransactWriteCommandInput['TransactItems']>,
): Promise<void> {
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: TABLES.registrations,
            Key: keys.registration(registration.registrationId),
            UpdateExpression: `SET #status = :status, decidedAt = :at, decidedBy = :by${decision.note ? ', note = :note' : ''}`,
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': decision.status,
              ':at': decision.decidedAt,
              ':by': decision.decidedBy,
              ':pending': 'pending',
              ...(decision.note ? { ':note': decision.note } : {}),
            },
          },
        },
        { Delete: { TableName: TABLES.registrations, Key: guards.location(registration.locationId) } },
        { Update: { TableName: TABLES.registrations, Key: guards.user(registration.userId), UpdateExpression: 'ADD pending :less', ExpressionAttributeValues: { ':less': -1 } } },
        ...memberParts,
      ],
    }),
  );
}
