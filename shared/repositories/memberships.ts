import { GetCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { batchPut } from '#shared/repositories/batch-write';
import { isConditionFailed } from '#shared/repositories/transactions';
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

/**
 * Seed and tests: memberships written straight, with the counts their locations keep (`members`,
 * `managers`) moved to match. Everything else changes members through `location-members.ts`, audited.
 */
export async function putMemberships(memberships: readonly Membership[]): Promise<void> {
  await batchPut(TABLE(), memberships.map((membership) => ({ ...membership })));
  const counts = new Map<string, { members: number; managers: number }>();
  for (const { locationId, manager } of memberships) {
    const count = counts.get(locationId) ?? { members: 0, managers: 0 };
    counts.set(locationId, { members: count.members + 1, managers: count.managers + (manager ? 1 : 0) });
  }
  for (const [locationId, { members, managers }] of counts) {
    await dynamo
      .send(
        new UpdateCommand({
          TableName: tableName('locations'),
          Key: keys.location(locationId),
          UpdateExpression: 'ADD members :members, managers :managers',
          ConditionExpression: 'attribute_exists(locationId)',
          ExpressionAttributeValues: { ':members': members, ':managers': managers },
        }),
      )
      .catch((error: unknown) => {
        // A membership of a location not (yet) in the directory: nothing to count on.
        if (!isConditionFailed(error)) throw error;
      });
  }
}

/** Named access pattern "a location's members" (the byLocation index): all of them (a location has a handful). */
export async function membersOfLocation(locationId: string): Promise<Membership[]> {
  const members: Membership[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: TABLE(),
        IndexName: 'byLocation',
        KeyConditionExpression: 'locationId = :location',
        ExpressionAttributeValues: { ':location': locationId },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    members.push(...((page.Items ?? []) as Membership[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return members;
}
