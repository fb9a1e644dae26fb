import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import type { Registration } from '#shared/model/schemas/registrations';
import { decodePageToken, encodePageToken, invalidPageToken } from '#shared/repositories/pagination';

const TABLES = { get registrations() { return tableName('registrations'); }, get memberships() { return tableName('memberships'); } };

export async function getRegistration(registrationId: string): Promise<Registration | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLES.registrations, Key: keys.registration(registrationId), ConsistentRead: true }));
  return Item as Registration | undefined;
}

/** A location's registrations, newest first (a handful at most). */
export async function registrationsOfLocation(locationId: string): Promise<Registration[]> {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: TABLES.registrations, IndexName: 'byLocation', KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId }, ScanIndexForward: false }),
  );
  return (Items ?? []) as Registration[];
}

/** Does anyone already act for the location? One key read of the memberships' byLocation index. */
export async function hasMembers(locationId: string): Promise<boolean> {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: TABLES.memberships, IndexName: 'byLocation', KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId }, Limit: 1 }),
  );
  return (Items ?? []).length > 0;
}

export async function putRegistration(registration: Registration): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: TABLES.registrations, Item: registration, ConditionExpression: 'attribute_not_exists(registrationId)' }));
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
  return { items: (page.Items ?? []) as Registration[], nextToken: encodePageToken(page.LastEvaluatedKey) };
}

/**
 * Decide a pending registration, once: the decision and (on approval) the membership are written in
 * one transaction that fails if someone decided it first.
 */
export async function decideRegistration(registration: Registration, decision: Pick<Registration, 'status' | 'decidedAt' | 'decidedBy' | 'note'>): Promise<void> {
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
        ...(decision.status === 'approved'
          ? [
              {
                Put: {
                  TableName: TABLES.memberships,
                  Item: { ...keys.membership(registration.userId, registration.locationId), grantedAt: decision.decidedAt, grantedBy: decision.decidedBy, registrationId: registration.registrationId },
                },
              },
            ]
          : []),
      ],
    }),
  );
}
