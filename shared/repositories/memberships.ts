import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { batchPut } from '#shared/repositories/batch-write';
import { decodePageToken, encodePageToken, invalidPageToken } from '#shared/repositories/pagination';

/** Read at first use (settings are never read when a module loads). */
const TABLE = () => tableName('memberships');

export interface Membership {
  userId: string;
  locationId: string;
  grantedAt: string;
  grantedBy: string;
  /** A manager may add and remove the location's members and set its contacts and pauses. */
  manager?: boolean;
}

export async function isMember(userId: string, locationId: string): Promise<boolean> {
  return (await getMembership(userId, locationId)) !== undefined;
}

export async function getMembership(userId: string, locationId: string): Promise<Membership | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.membership(userId, locationId) }));
  return Item as Membership | undefined;
}

/** Named access pattern "a user's locations", a page at a time. */
export function membershipsOfUserRequest(userId: string, limit: number, nextToken?: string, table = TABLE()): QueryCommandInput {
  const startKey = decodePageToken(nextToken, ['userId', 'locationId']);
  if (startKey && startKey.userId !== userId) throw invalidPageToken();
  return {
    TableName: table,
    KeyConditionExpression: 'userId = :user',
    ExpressionAttributeValues: { ':user': userId },
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function membershipsOfUser(userId: string, limit: number, nextToken?: string): Promise<{ locationIds: string[]; nextToken: string | null }> {
  const page = await dynamo.send(new QueryCommand(membershipsOfUserRequest(userId, limit, nextToken)));
  return {
    locationIds: (page.Items ?? []).map((item) => String(item.locationId)),
    nextToken: encodePageToken(page.LastEvaluatedKey),
  };
}

export async function putMemberships(memberships: readonly Membership[]): Promise<void> {
  await batchPut(TABLE(), memberships.map((membership) => ({ ...membership })));
}
