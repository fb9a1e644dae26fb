import { beforeAll, describe, expect, test } from 'vitest';
import { returnItemOf } from '#shared/model/returns/return-item';
import { keys } from '#shared/model/keys';
import { dynamo, dynamoClient } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordCalls, type CallRecorder } from '../helpers/dynamodb-calls';
import { call, createLocation, daysAgo, designExample, returnPath, today, useGateway } from '../helpers/api';

/**
 * What a save costs in round trips to DynamoDB (issue 20): a PUT or a confirm of the current window is
 * one read (the location, which keeps copies of its two newest returns) and one transaction, whatever the
 * day (new, the newest corrected, or one between the two newest). Only a correction of an older day reads
 * the returns table too, and a location whose item was written before it kept the copies, once.
 */
const gateway = useGateway();
let recorder: CallRecorder;

beforeAll(() => {
  recorder = recordCalls(dynamoClient);
});

/** The DynamoDB requests the route's own function made while `send` ran (not the authorizer's). */
async function requestsOf(functionId: string, send: () => Promise<{ status: number; json: unknown }>, status: number): Promise<string[]> {
  const before = recorder.requests.length;
  const response = await send();
  expect(response.status, JSON.stringify(response.json)).toBe(status);
  return recorder.requests.slice(before).filter((request) => request.functionId === functionId).map((request) => request.command);
}

const put = (locationId: string, day: string, occupied: number, status = 201) => {
  const body = designExample();
  body.beds.occupied = occupied;
  return requestsOf('putReturn', () => call(gateway.url(), 'PUT', returnPath(locationId, day), { body }), status);
};
const confirm = (locationId: string, day: string) => requestsOf('confirmReturn', () => call(gateway.url(), 'POST', `${returnPath(locationId, day)}/confirm`, { body: {} }), 201);

const ONE_READ_ONE_WRITE = ['GetItem', 'TransactWriteItems'];

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
    expect(await put(locationId, daysAgo(4), 35, 200)).toEqual(['GetItem', 'Query', 'TransactWriteItems']);
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
    expect(await put(locationId, today(), 22)).toEqual(['GetItem', 'Query', 'TransactWriteItems']);
    expect(await put(locationId, today(), 23, 200)).toEqual(ONE_READ_ONE_WRITE);
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    expect(Item).toMatchObject({ returnCopiesKept: true, latestReturn: { reportDate: today(), version: 2 }, priorReturn: { reportDate: daysAgo(1), version: 1 } });
  });
});



