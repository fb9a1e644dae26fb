import { GetCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { AuditChange } from '#shared/model/people/audit';
import type { User } from '#shared/model/schemas/people';
import type { StoredCaller } from '#shared/model/access/caller-check';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { auditPut } from '#shared/repositories/audit';
import { batchPut } from '#shared/repositories/batch-write';
import { batchGetKeys } from '#shared/repositories/batch-get';
import { decodePageToken, encodePageToken, invalidPageToken } from '#shared/repositories/pagination';
import { queryPage } from '#shared/repositories/paged-query';
import { isTransactionCancelled } from '#shared/repositories/transactions';

const TABLE = () => tableName('users');

/** A user as stored: the API shape, the index's `kind`, and a revision that every change moves on. */
export type UserItem = User & { revision: number };

function fromItem(item: Record<string, unknown>): UserItem {
  return {
    userId: String(item.userId),
    email: String(item.email),
    role: item.role as User['role'],
    areas: Array.isArray(item.areas) ? item.areas.map(String) : [],
    status: item.status === 'disabled' ? 'disabled' : 'active',
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    revision: Number(item.revision ?? 0),
  };
}

export async function getUser(userId: string): Promise<UserItem | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.user(userId) }));
  return Item && Item.kind === keys.userKind() ? fromItem(Item) : undefined;
}

/** What decides what a user may do, from an item of the users table read by key (undefined: no such user). */
export function storedCallerOf(item: Record<string, unknown> | undefined): StoredCaller | undefined {
  if (!item || item.kind !== keys.userKind()) return undefined;
  const { role, areas, status } = fromItem(item);
  return { role, areas, status };
}

export async function emailTaken(email: string): Promise<boolean> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.userEmail(email), ConsistentRead: true }));
  return Item !== undefined;
}

/** Users by id, those that exist. */
export async function getUsers(userIds: readonly string[]): Promise<UserItem[]> {
  const items = await batchGetKeys(TABLE(), userIds.map((id) => keys.user(id)));
  return items.filter((item) => item.kind === keys.userKind()).map(fromItem);
}

export class EmailTaken extends Error {}

/** A new user, its email's guard and the audit entry, in one transaction: never two users with one address. */
export async function createUser(user: User, audit: AuditChange, at: Date): Promise<void> {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE(), Item: { ...user, ...keys.user(user.userId), kind: keys.userKind(), revision: 1 }, ConditionExpression: 'attribute_not_exists(userId)' } },
          { Put: { TableName: TABLE(), Item: { ...keys.userEmail(user.email), owner: user.userId }, ConditionExpression: 'attribute_not_exists(userId)' } },
          auditPut(audit, at),
        ],
      }),
    );
  } catch (error) {
    if (isTransactionCancelled(error)) throw new EmailTaken(user.email);
    throw error;
  }
}

export class ChangedMeanwhile extends Error {}

/** A changed user and its audit entry, only over the revision read (else ChangedMeanwhile: read again). */
export async function saveUserChange(before: UserItem, after: User, audit: AuditChange, at: Date): Promise<UserItem> {
  const revision = before.revision + 1;
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: TABLE(),
              Key: keys.user(before.userId),
              UpdateExpression: 'SET #role = :role, areas = :areas, #status = :status, revision = :next',
              ConditionExpression: 'revision = :seen',
              ExpressionAttributeNames: { '#role': 'role', '#status': 'status' },
              ExpressionAttributeValues: { ':role': after.role, ':areas': after.areas, ':status': after.status, ':next': revision, ':seen': before.revision },
            },
          },
          auditPut(audit, at),
        ],
      }),
    );
  } catch (error) {
    if (isTransactionCancelled(error)) throw new ChangedMeanwhile(before.userId);
    throw error;
  }
  return { ...after, revision };
}

/** Named access pattern "users by email" (all users, one index partition), optionally of one role. */
export function listUsersRequest(query: { role?: string; limit: number; nextToken?: string }, table = TABLE()): QueryCommandInput {
  const startKey = decodePageToken(query.nextToken, ['userId', 'kind', 'email']);
  if (startKey && startKey.kind !== keys.userKind()) throw invalidPageToken();
  return {
    TableName: table,
    IndexName: 'byKind',
    KeyConditionExpression: 'kind = :kind',
    ...(query.role ? { FilterExpression: '#role = :role', ExpressionAttributeNames: { '#role': 'role' } } : {}),
    ExpressionAttributeValues: { ':kind': keys.userKind(), ...(query.role ? { ':role': query.role } : {}) },
    Limit: query.limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** A page of users; with a role, pages are read on until this one is full (a filter never gives an empty page with a token). */
export async function listUsers(query: { role?: string; limit: number; nextToken?: string }): Promise<{ items: UserItem[]; nextToken: string | null }> {
  const items: UserItem[] = [];
  let nextToken = query.nextToken;
  do {
    const page = await queryPage(listUsersRequest({ ...query, limit: query.limit - items.length, ...(nextToken ? { nextToken } : {}) }));
    items.push(...(page.Items ?? []).map(fromItem));
    nextToken = encodePageToken(page.LastEvaluatedKey) ?? undefined;
  } while (nextToken && items.length < query.limit);
  return { items, nextToken: nextToken ?? null };
}

/** Seed and tests: users written straight (with their email guards), no audit. */
export async function putUsers(users: readonly User[]): Promise<void> {
  await batchPut(TABLE(), users.flatMap((user) => [{ ...user, ...keys.user(user.userId), kind: keys.userKind(), revision: 1 }, { ...keys.userEmail(user.email), owner: user.userId }]));
}
