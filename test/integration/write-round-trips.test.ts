import { beforeAll, describe, expect, test } from 'vitest';
import { returnItemOf } from '#shared/model/returns/return-item';
import { keys } from '#shared/model/keys';
import { dynamo, dynamoClient } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { putMemberships } from '#shared/repositories/memberships';
import { putUsers } from '#shared/repositories/users';
import type { Role } from '#shared/model/schemas/common';
import { recordCalls, type CallRecorder } from '../helpers/dynamodb-calls';
import { call, createLocation, daysAgo, designExample, returnPath, today, useGateway, type CallOptions } from '../helpers/api';

/**
 * What a save costs in round trips to DynamoDB (issue 20): a PUT or a confirm of the current window is
 * one read (the location, which keeps copies of its two newest returns) and one transaction, whatever the
 * day (new, the newest corrected, or one between the two newest). Only a correction of an older day reads
 * the returns table too, and a location whose item was written before it kept the copies, once. For a
 * provider, the read is ONE BatchGetItem of the caller's membership and the location: the access check's
 * read, handed on to the write.
 */
const gateway = useGateway();
let recorder: CallRecorder;

beforeAll(() => {
  recorder = recordCalls(dynamoClient);
});

/** The DynamoDB requests the route's own function made while `send` ran; the authorizer made none. */
async function requestsOf(functionId: string, send: () => Promise<{ status: number; json: any }>, status: number): Promise<string[]> {
  const before = recorder.requests.length;
  const response = await send();
  expect(response.status, JSON.stringify(response.json)).toBe(status);
  if (status >= 400) expect(response.json).toMatchObject({ status });
  const made = recorder.requests.slice(before);
  expect(made.filter((request) => request.functionId === 'authorizer').map((request) => request.command)).toEqual([]);
  return made.filter((request) => request.functionId === functionId).map((request) => request.command);
}

/** By default the demo admin calls (`call`'s default). */
const put = (locationId: string, day: string, occupied: number, status = 201, as?: CallOptions['as']) => {
  const body = designExample();
  body.beds.occupied = occupied;
  return requestsOf('putReturn', () => call(gateway.url(), 'PUT', returnPath(locationId, day), { body, ...(as !== undefined ? { as } : {}) }), status);
};
const confirm = (locationId: string, day: string, status = 201, as?: CallOptions['as']) =>
  requestsOf('confirmReturn', () => call(gateway.url(), 'POST', `${returnPath(locationId, day)}/confirm`, { body: {}, ...(as !== undefined ? { as } : {}) }), status);

/** The location and the caller's user record (and a provider's membership) in one batch, then the transaction. */
const ONE_READ_ONE_WRITE = ['BatchGetItem', 'TransactWriteItems'];

/**
 * Once: right after a BatchGetItem that reads `locationId` answers, another writer moves the location's
 * write count (as any return write of it does), through a client of its own (not one the recorder sees).
 */
function raceOnce(locationId: string): () => void {
  const other = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT! }));
  const table = tableName('locations');
  const name = `raceOnce-${locationId}`;
  let armed = true;
  dynamoClient.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (armed && context.commandName === 'BatchGetItemCommand' && JSON.stringify(args.input).includes(locationId)) {
        armed = false;
        await other.send(new UpdateCommand({ TableName: table, Key: keys.location(locationId), UpdateExpression: 'ADD returnWrites :one', ExpressionAttributeValues: { ':one': 1 } }));
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return () => {
    dynamoClient.middlewareStack.remove(name);
    other.destroy();
  };
}

/** A provider user who is a member of `locationId` (and of nothing else). */
async function memberOf(locationId: string): Promise<CallOptions['as']> {
  const userId = `round-trips-${locationId}`;
  await putMemberships([{ userId, locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
  return { sub: userId, role: 'provider' };
}

describe('round trips per save', () => {
  test('a first PUT, a correction of the newest day, a new day, a day between the two newest, and a confirm: one read and one transaction each', async () => {
    const { locationId } = await createLocation();
    expect(await put(locationId, daysAgo(3), 40)).toEqual(ONE_READ_ONE_WRITE);
    expect(await put(locationId, daysAgo(3), 41, 200)).toEqual(ONE_READ_ONE_WRITE);
    expect(await put(locationId, daysAgo(1), 42)).toEqual(ONE_READ_ONE_WRITE);
    // Between the two newest: its version and the return before it are still the location's to say.
    expect(await put(locationId, daysAgo(2), 43)).toEqual(ONE_READ_ONE_WRITE);
    expect(await confirm(locationId, today())).toEqual(ONE_READ_ONE_WRITE);

    // The copies are the two newest returns as stored: today's (confirmed from yesterday's) and yesterday's.
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    const stored = await dynamo.send(new GetCommand({ TableName: tableName('returns'), Key: keys.dailyReturn(locationId, today()), ConsistentRead: true }));
    const { localAuthority: _la, region: _region, placeKey: _place, locationName: _name, locationType: _type, ...latest } = returnItemOf(stored.Item!);
    expect(Item?.latestReturn).toMatchObject({ ...latest, beds: { occupied: 42 } });
    expect(Item?.priorReturn).toEqual({ reportDate: daysAgo(1), version: 1, beds: expect.objectContaining({ occupied: 42 }) });
  });

  test('the warnings of a new day compare it with the return before it, as the copies keep it', async () => {
    const { locationId } = await createLocation({ registeredBeds: 60 });
    await put(locationId, daysAgo(2), 10);
    const response = await call(gateway.url(), 'PUT', returnPath(locationId, daysAgo(1)), { body: { ...designExample(), beds: { ...designExample().beds, occupied: 50 } } });
    expect(response.status).toBe(201);
    expect(response.json.warnings.map((warning: { code: string }) => warning.code)).toContain('largeSwing');
  });

  test('a correction of a day older than the two newest also reads the returns table, and is still right', async () => {
    const { locationId } = await createLocation();
    for (const [ago, occupied] of [[4, 30], [3, 31], [2, 32], [1, 33]] as const) await put(locationId, daysAgo(ago), occupied);
    expect(await put(locationId, daysAgo(4), 35, 200)).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
    const history = await call(gateway.url(), 'GET', `/v1/locations/${locationId}/returns/${daysAgo(4)}/versions`);
    expect(history.json.items.map((item: { version: number }) => item.version)).toEqual([2, 1]);
    expect(history.json.items[0]).toMatchObject({ comparedWith: { reportDate: daysAgo(4), version: 1 }, changes: [{ path: 'beds.occupied', from: 30, to: 35 }] });
  });

  test('a location item written before it kept the copies: the first write reads the two newest returns once and keeps them from then on', async () => {
    const { locationId } = await createLocation();
    await put(locationId, daysAgo(2), 20);
    await put(locationId, daysAgo(1), 21);
    // As an item from before: no copies, nor the mark that its writes keep them.
    await dynamo.send(
      new UpdateCommand({ TableName: tableName('locations'), Key: keys.location(locationId), UpdateExpression: 'REMOVE latestReturn, priorReturn, returnCopiesKept' }),
    );
    expect(await put(locationId, today(), 22)).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
    expect(await put(locationId, today(), 23, 200)).toEqual(ONE_READ_ONE_WRITE);
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    expect(Item).toMatchObject({ returnCopiesKept: true, latestReturn: { reportDate: today(), version: 2 }, priorReturn: { reportDate: daysAgo(1), version: 1 } });
  });
  test('a provider: a PUT of a new day, a correction, a confirm: one BatchGetItem (membership and location) and one transaction each', async () => {
    const { locationId } = await createLocation();
    const provider = await memberOf(locationId);
    expect(await put(locationId, daysAgo(2), 40, 201, provider)).toEqual(ONE_READ_ONE_WRITE);
    expect(await put(locationId, daysAgo(1), 41, 201, provider)).toEqual(ONE_READ_ONE_WRITE);
    expect(await put(locationId, daysAgo(1), 42, 200, provider)).toEqual(ONE_READ_ONE_WRITE);
    expect(await confirm(locationId, today(), 201, provider)).toEqual(ONE_READ_ONE_WRITE);
    // A confirm that replaces the day's return: still one read and one write.
    expect(await confirm(locationId, today(), 200, provider)).toEqual(ONE_READ_ONE_WRITE);

    const history = await call(gateway.url(), 'GET', `/v1/locations/${locationId}/returns/${today()}/versions`);
    expect(history.json.items.map((item: { version: number }) => item.version)).toEqual([2, 1]);
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    expect(Item).toMatchObject({ returnWrites: 5, latestReturn: { reportDate: today(), version: 2, submittedBy: (provider as { sub: string }).sub, confirmedFrom: { reportDate: today(), version: 1 } } });
    expect(Item?.latestReturn.beds.occupied).toBe(42);
  });

  test('a provider who is not a member of the location is refused (403) after the one batch read, and nothing is written', async () => {
    const { locationId } = await createLocation();
    await put(locationId, daysAgo(1), 30);
    const mine = await createLocation();
    const stranger = await memberOf(mine.locationId);
    const before = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));

    expect(await put(locationId, today(), 31, 403, stranger)).toEqual(['BatchGetItem']);
    expect(await confirm(locationId, today(), 403, stranger)).toEqual(['BatchGetItem']);
    // Nor a location that does not exist: refused as a non-member, as before (not told it is unknown).
    expect(await put('1-999999998', today(), 31, 403, stranger)).toEqual(['BatchGetItem']);

    const after = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    expect(after.Item?.returnWrites).toBe(before.Item?.returnWrites);
    const day = await dynamo.send(new GetCommand({ TableName: tableName('returns'), Key: keys.dailyReturn(locationId, today()), ConsistentRead: true }));
    expect(day.Item).toBeUndefined();
  });

  test('a member of a location that is not in the directory: 404, as before; of an inactive one: 409; nothing written', async () => {
    const gone = `1-98${String(Date.now() % 100_000_000).padStart(8, '0')}`;
    const provider = await memberOf(gone);
    expect(await put(gone, today(), 31, 404, provider)).toEqual(['BatchGetItem']);
    const closed = await createLocation({ active: false });
    const closedMember = await memberOf(closed.locationId);
    expect(await put(closed.locationId, today(), 31, 409, closedMember)).toEqual(['BatchGetItem']);
    expect(await confirm(closed.locationId, today(), 409, closedMember)).toEqual(['BatchGetItem']);
  });

  test('a provider PUT that loses a race to another write retries on a fresh GetItem of the location, and wins', async () => {
    const { locationId } = await createLocation();
    const provider = await memberOf(locationId);
    await put(locationId, daysAgo(1), 40, 201, provider);
    // Another writer between the batch read and the transaction: the write count moves under it.
    const unsubscribe = raceOnce(locationId);
    try {
      const requests = await put(locationId, today(), 41, 201, provider);
      expect(requests).toEqual(['BatchGetItem', 'TransactWriteItems', 'GetItem', 'TransactWriteItems']);
    } finally {
      unsubscribe();
    }
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    expect(Item).toMatchObject({ latestReturn: { reportDate: today(), version: 1, beds: { occupied: 41 } } });
  });
});

describe("the caller's user record, read by the write itself", () => {
  const unique = () => `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

  /** A user as the users table holds them, and a token that says what `claims` say (MFA signed in). */
  async function storedUser(stored: { role: Role; status?: 'active' | 'disabled'; areas?: string[] }, claims: { role: Role; mfa?: boolean } = { role: stored.role }) {
    const userId = `caller-${unique()}`;
    await putUsers([{ userId, email: `${userId}@x.example`, role: stored.role, areas: stored.areas ?? [], status: stored.status ?? 'active', createdAt: new Date().toISOString(), createdBy: 'test' }]);
    return { userId, as: { sub: userId, role: claims.role, mfa: claims.mfa ?? true } satisfies CallOptions['as'] };
  }

  async function unchanged(locationId: string) {
    const day = await dynamo.send(new GetCommand({ TableName: tableName('returns'), Key: keys.dailyReturn(locationId, today()), ConsistentRead: true }));
    expect(day.Item).toBeUndefined();
  }

  test('a disabled user is refused (401, saying so) from the one batch read, on a PUT and a confirm; nothing written', async () => {
    const { locationId } = await createLocation();
    await put(locationId, daysAgo(1), 30);
    const { userId, as } = await storedUser({ role: 'provider', status: 'disabled' });
    await putMemberships([{ userId, locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    expect(await put(locationId, today(), 31, 401, as)).toEqual(['BatchGetItem']);
    expect(await confirm(locationId, today(), 401, as)).toEqual(['BatchGetItem']);
    const refused = await call(gateway.url(), 'PUT', returnPath(locationId, today()), { body: designExample(), as });
    expect(refused.json.detail).toMatch(/disabled/);
    await unchanged(locationId);
  });

  test('the role that counts is the stored one: a provider made discharge is refused; a provider made admin needs an authenticator app', async () => {
    const { locationId } = await createLocation();
    const moved = await storedUser({ role: 'discharge' }, { role: 'provider' });
    await putMemberships([{ userId: moved.userId, locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const refused = await call(gateway.url(), 'PUT', returnPath(locationId, today()), { body: designExample(), as: moved.as });
    expect(refused.status).toBe(403);
    expect(refused.json.type).toMatch(/\/problems\/forbidden$/);

    const promoted = await storedUser({ role: 'admin' }, { role: 'provider', mfa: false });
    const withoutApp = await call(gateway.url(), 'POST', `${returnPath(locationId, today())}/confirm`, { body: {}, as: promoted.as });
    expect(withoutApp.status).toBe(403);
    expect(withoutApp.json.type).toMatch(/\/problems\/mfa-required$/);
    await unchanged(locationId);
  });

  test('a token that says admin, of a user now a provider: decided as the provider (membership read again), written only by a member', async () => {
    const { locationId } = await createLocation();
    const stranger = await storedUser({ role: 'provider' }, { role: 'admin' });
    // Read for the token's role, then again for the stored one: a non-member is refused.
    expect(await put(locationId, today(), 31, 403, stranger.as)).toEqual(['BatchGetItem', 'BatchGetItem']);
    await unchanged(locationId);

    const member = await storedUser({ role: 'provider' }, { role: 'admin' });
    await putMemberships([{ userId: member.userId, locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    expect(await put(locationId, today(), 32, 201, member.as)).toEqual(['BatchGetItem', 'BatchGetItem', 'TransactWriteItems']);
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    expect(Item?.latestReturn).toMatchObject({ reportDate: today(), submittedBy: member.userId, beds: { occupied: 32 } });
  });

  test('a user the table does not hold is as the token says', async () => {
    const { locationId } = await createLocation();
    expect(await put(locationId, today(), 33, 201, { sub: `unknown-${unique()}`, role: 'admin' })).toEqual(ONE_READ_ONE_WRITE);
  });
});
