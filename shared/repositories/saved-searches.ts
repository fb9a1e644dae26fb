/**
 * Named access patterns of the `savedSearches` table (tables.ts): a search with its watch items and the
 * user's count, written and deleted together; a user's searches; the searches watching a latitude row;
 * the match state of a search and a location. And the one read of the directory the alerts need.
 */
import { BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetKeys } from '#shared/repositories/batch-get';
import { keys } from '#shared/model/keys';
import type { Watch } from '#shared/model/saved-searches';
import type { SavedSearch } from '#shared/model/schemas/saved-searches';
import { conditionFailedAt, isConditionFailed } from '#shared/repositories/transactions';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

const TABLE = () => tableName('savedSearches');

export interface StoredSavedSearch extends SavedSearch {
  userId: string;
  /** The latitude rows it watches (its watch items), so deleting it deletes exactly those. */
  rows: number[];
}

const toSearch = (item: Record<string, unknown>): StoredSavedSearch => ({
  searchId: String(item.searchId),
  userId: String(item.userId),
  email: String(item.email),
  query: item.query as SavedSearch['query'],
  centre: item.centre as SavedSearch['centre'],
  createdAt: String(item.createdAt),
  rows: (item.rows as number[] | undefined) ?? [],
});

/**
 * Save a search: the search, one watch item per row and the user's count, in one transaction (at most
 * 2 + 61 items: a 100-mile circle covers about 59 rows), so the stream consumer never sees half a search
 * and the count never passes `max`. 'atLimit' if the user already has `max`.
 */
export async function putSavedSearch(search: StoredSavedSearch, max: number): Promise<'atLimit' | undefined> {
  const watch = (row: number) => ({ ...keys.searchWatch(row, search.searchId), searchId: search.searchId, query: search.query, centre: search.centre, email: search.email });
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: TABLE(),
              Key: keys.savedSearchCount(search.userId),
              UpdateExpression: 'ADD searches :one',
              ConditionExpression: 'attribute_not_exists(searches) OR searches < :max',
              ExpressionAttributeValues: { ':one': 1, ':max': max },
            },
          },
          {
            Put: {
              TableName: TABLE(),
              Item: { ...keys.savedSearch(search.searchId), ...search, createdKey: keys.savedSearchCreated(search.createdAt, search.searchId) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...search.rows.map((row) => ({ Put: { TableName: TABLE(), Item: watch(row) } })),
        ],
      }),
    );
    return undefined;
  } catch (error) {
    if (conditionFailedAt(error, 0)) return 'atLimit';
    throw error;
  }
}

export async function getSavedSearch(searchId: string): Promise<StoredSavedSearch | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.savedSearch(searchId), ConsistentRead: true }));
  return Item ? toSearch(Item) : undefined;
}

/** A user's searches, newest first (at most 20: one page). */
export async function savedSearchesOfUser(userId: string): Promise<StoredSavedSearch[]> {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: TABLE(), IndexName: 'byUser', KeyConditionExpression: 'userId = :user', ExpressionAttributeValues: { ':user': userId }, ScanIndexForward: false }),
  );
  return (Items ?? []).map(toSearch);
}

/**
 * Delete a search, its watch items and one from its owner's count, in one transaction: the consumer
 * then finds all of it or none of it, and the count stays exact. Conditional on the search still
 * being there, so two deletes racing move the count once ('gone' for the loser). Its match state is
 * deleted afterwards with BatchWriteItem: nothing reads it without the search, so a leftover is harmless.
 */
export async function deleteSavedSearch(search: StoredSavedSearch): Promise<'gone' | undefined> {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: TABLE(), Key: keys.savedSearch(search.searchId), ConditionExpression: 'attribute_exists(pk)' } },
          { Update: { TableName: TABLE(), Key: keys.savedSearchCount(search.userId), UpdateExpression: 'ADD searches :minusOne', ExpressionAttributeValues: { ':minusOne': -1 } } },
          ...search.rows.map((row) => ({ Delete: { TableName: TABLE(), Key: keys.searchWatch(row, search.searchId) } })),
        ],
      }),
    );
  } catch (error) {
    if (conditionFailedAt(error, 0)) return 'gone';
    throw error;
  }
  await deleteMatchState(search.searchId);
  return undefined;
}

async function deleteMatchState(searchId: string): Promise<void> {
  const { pk } = keys.savedSearch(searchId);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: TABLE(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :match)',
        ExpressionAttributeValues: { ':pk': pk, ':match': keys.searchMatchPrefix() },
        ProjectionExpression: 'pk, sk',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const keysToDelete = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
    for (let i = 0; i < keysToDelete.length; i += 25) {
      let requests: Record<string, unknown>[] | undefined = keysToDelete.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests && requests.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
        const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { [TABLE()]: requests } }));
        requests = result.UnprocessedItems?.[TABLE()] as Record<string, unknown>[] | undefined;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** The searches watching a latitude row: one Query (paged), never a Scan. */
export async function watchesOfRow(row: number): Promise<Watch[]> {
  const watches: Watch[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({ TableName: TABLE(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.searchWatchRow(row) }, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    for (const item of page.Items ?? []) watches.push({ searchId: String(item.searchId), query: item.query as Watch['query'], centre: item.centre as Watch['centre'], email: String(item.email) });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return watches;
}

export interface MatchState {
  matching: boolean;
  lastEmailedDay?: string;
  /** The newest return judged (`returnOrderKey`). */
  seen?: string;
}

export async function getMatchState(searchId: string, locationId: string): Promise<MatchState | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.searchMatch(searchId, locationId), ConsistentRead: true }));
  if (!Item) return undefined;
  return { matching: Item.matching === true, ...(typeof Item.lastEmailedDay === 'string' ? { lastEmailedDay: Item.lastEmailedDay } : {}), ...(typeof Item.seen === 'string' ? { seen: Item.seen } : {}) };
}

const notOlder = 'attribute_not_exists(seen) OR seen <= :seen';

/**
 * Claim today's email for a location newly matching a search: true if this call made the claim (then it
 * sends), false if the search was emailed about the location today already, or a newer return was judged.
 */
export async function claimTodaysEmail(searchId: string, locationId: string, day: string, seen: string): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: keys.searchMatch(searchId, locationId),
        UpdateExpression: 'SET matching = :true, lastEmailedDay = :day, seen = :seen',
        ConditionExpression: `(${notOlder}) AND (attribute_not_exists(lastEmailedDay) OR lastEmailedDay <> :day)`,
        ExpressionAttributeValues: { ':true': true, ':day': day, ':seen': seen },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Give a claim back (the email could not be sent), so the retried record may claim it again. */
export async function releaseTodaysEmail(searchId: string, locationId: string, day: string, previous: MatchState | undefined): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: keys.searchMatch(searchId, locationId),
        UpdateExpression: previous?.lastEmailedDay ? 'SET matching = :matching, lastEmailedDay = :previous' : 'SET matching = :matching REMOVE lastEmailedDay',
        ConditionExpression: 'lastEmailedDay = :day',
        ExpressionAttributeValues: { ':day': day, ':matching': previous?.matching ?? false, ...(previous?.lastEmailedDay ? { ':previous': previous.lastEmailedDay } : {}) },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** Record whether the location matches, unless a newer return was judged already. */
export async function recordMatching(searchId: string, locationId: string, matching: boolean, seen: string): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: keys.searchMatch(searchId, locationId),
        UpdateExpression: 'SET matching = :matching, seen = :seen',
        ConditionExpression: notOlder,
        ExpressionAttributeValues: { ':matching': matching, ':seen': seen },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** What an alert needs of a location: where it is, how to reach it, and which return is its newest. */
export interface AlertLocation {
  locationId: string;
  name?: string;
  latitude?: number;
  longitude?: number;
  address?: string;
  postcode?: string;
  phone?: string;
  newestReportDate?: string;
}

/** Named access pattern "the locations of a stream batch": BatchGetItem on the directory, 100 keys a request. */
export async function alertLocations(locationIds: readonly string[]): Promise<Map<string, AlertLocation>> {
  const items = await batchGetKeys(
    tableName('locations'),
    locationIds.map((id) => keys.location(id)),
    { ProjectionExpression: 'locationId, #name, latitude, longitude, address, postcode, phone, newestReportDate', ExpressionAttributeNames: { '#name': 'name' } },
  );
  const found = new Map<string, AlertLocation>();
  for (const item of items) {
    const text = (name: string) => (typeof item[name] === 'string' && item[name] ? { [name]: item[name] as string } : {});
    const number = (name: string) => (typeof item[name] === 'number' && Number.isFinite(item[name]) ? { [name]: item[name] as number } : {});
    found.set(String(item.locationId), {
      locationId: String(item.locationId),
      ...text('name'),
      ...text('address'),
      ...text('postcode'),
      ...text('phone'),
      ...text('newestReportDate'),
      ...number('latitude'),
      ...number('longitude'),
    });
  }
  return found;
}
