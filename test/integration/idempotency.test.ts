import { randomUUID } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { IDEMPOTENCY_EXPIRY_SECONDS, IDEMPOTENCY_KEY_PREFIX, type IdempotencyPayload } from '#shared/http/idempotency-key';
import { idempotencyConfig } from '#shared/http/idempotency';
import { keys } from '#shared/model/keys';
import { putMemberships } from '#shared/repositories/memberships';
import { dynamo } from '#shared/runtime/dynamodb';
import { call, createLocation, daysAgo, designExample, returnPath, today, useGateway, type CallOptions } from '../helpers/api';

/**
 * `Idempotency-Key` on the keyed writes, through the local gateway (the real authorizer and handlers)
 * against DynamoDB Local: the records are Powertools' own, in the idempotency table.
 */
const gateway = useGateway();
const IDEMPOTENCY_TABLE = process.env.IDEMPOTENCY_TABLE!;

const put = (path: string, body: unknown, key?: string, options: CallOptions = {}) =>
  call(gateway.url(), 'PUT', path, { ...options, body, headers: { ...options.headers, ...(key !== undefined ? { 'idempotency-key': key } : {}) } });
const confirm = (locationId: string, reportDate: string, key?: string, options: CallOptions = {}) =>
  call(gateway.url(), 'POST', `${returnPath(locationId, reportDate)}/confirm`, { ...options, headers: { ...options.headers, ...(key ? { 'idempotency-key': key } : {}) } });
const register = (locationId: string, key: string | undefined, as: CallOptions['as']) =>
  call(gateway.url(), 'POST', '/v1/registrations', { body: { locationId }, as, headers: key ? { 'idempotency-key': key } : {} });
const latestReturn = async (locationId: string) => (await call(gateway.url(), 'GET', `/v1/locations/${locationId}`)).json.latestReturn;

async function storedVersions(locationId: string) {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: process.env.RETURN_VERSIONS_TABLE, KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId } }),
  );
  return Items ?? [];
}

/** Finds a caller's record the way Powertools keys it (the hashing is the library's, so it is asked). */
class RecordIds extends DynamoDBPersistenceLayer {
  idOf(scope: IdempotencyPayload['scope']): string {
    this.configure({ config: idempotencyConfig, keyPrefix: IDEMPOTENCY_KEY_PREFIX });
    return this.getHashedIdempotencyKey({ scope } as never);
  }
}
const recordIds = new RecordIds({ tableName: IDEMPOTENCY_TABLE });
const recordOf = async (caller: string, key: string) =>
  (await dynamo.send(new GetCommand({ TableName: IDEMPOTENCY_TABLE, Key: { id: recordIds.idOf({ caller, key }) }, ConsistentRead: true }))).Item;
const setRecord = (caller: string, key: string, values: Record<string, unknown>) =>
  dynamo.send(
    new UpdateCommand({
      TableName: IDEMPOTENCY_TABLE,
      Key: { id: recordIds.idOf({ caller, key }) },
      UpdateExpression: `SET ${Object.keys(values).map((name, i) => `#n${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(Object.keys(values).map((name, i) => [`#n${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(Object.values(values).map((value, i) => [`:v${i}`, value])),
      ConditionExpression: 'attribute_exists(id)',
    }),
  );

const changed = () => ({ ...designExample(), beds: { ...designExample().beds, occupied: 40 } });

describe('PUT a return with Idempotency-Key', () => {
  test('a retry gets the stored response again (status, body, ETag) and writes nothing: version 1, one stored version', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();

    const first = await put(path, designExample(), key);
    expect(first.status).toBe(201);
    expect(first.json.version).toBe(1);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const retry = await put(path, designExample(), key);
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('etag')).toBe('"1"');
    expect(retry.headers.get('location')).toBe(path);
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');

    expect((await latestReturn(location.locationId)).version).toBe(1);
    expect((await storedVersions(location.locationId)).map((v) => v.version)).toEqual([1]);

    // The record: Powertools' own, completed, with the response, kept for 24 hours.
    const record = await recordOf('user:admin', key);
    expect(record).toMatchObject({ status: 'COMPLETED', data: { statusCode: 201, body: first.text } });
    expect(record!.expiration).toBeGreaterThan(Date.now() / 1000 + IDEMPOTENCY_EXPIRY_SECONDS - 120);
    expect(record!.expiration).toBeLessThanOrEqual(Date.now() / 1000 + IDEMPOTENCY_EXPIRY_SECONDS + 1);
  });

  test('the same JSON in another key order and spacing is the same request; the draft\'s quoted key is the same key', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();
    const first = await put(path, designExample(), key);
    const reordered = Object.fromEntries(Object.entries(designExample()).reverse());
    const retry = await call(gateway.url(), 'PUT', path, { rawBody: JSON.stringify(reordered, null, 2), headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` } });
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await storedVersions(location.locationId)).length).toBe(1);
  });

  test('the same key with a different body is a 422 problem+json and nothing is written', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();
    const first = await put(path, designExample(), key);
    expect(first.status).toBe(201);

    const other = await put(path, changed(), key);
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(other.json).toMatchObject({ status: 422, title: 'Idempotency key already used', type: expect.stringMatching(/idempotency-key-reused$/) });
    expect(other.json.detail).toMatch(/already used for a different request/);
    expect(await latestReturn(location.locationId)).toEqual(first.json);
    expect((await storedVersions(location.locationId)).length).toBe(1);
    // The record still holds the first response.
    expect((await put(path, designExample(), key)).text).toBe(first.text);
  });

  test('the same key on another route (the confirm of that day) is a 422 too', async () => {
    const location = await createLocation();
    const key = randomUUID();
    expect((await put(returnPath(location.locationId, today()), designExample(), key)).status).toBe(201);
    const reused = await confirm(location.locationId, today(), key);
    expect(reused.status).toBe(422);
    expect((await storedVersions(location.locationId)).length).toBe(1);
  });

  test("another caller's same key is their own: processed for them, never answered with the first caller's response", async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();
    const other = { sub: `second-admin-${randomUUID()}`, role: 'admin' as const };

    const first = await put(path, designExample(), key);
    expect(first.status).toBe(201);
    const theirs = await put(path, designExample(), key, { as: other });
    expect(theirs.status).toBe(200);
    expect(theirs.json).toMatchObject({ version: 2, submittedBy: other.sub });
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    // And each caller's retry replays their own.
    expect((await put(path, designExample(), key, { as: other })).text).toBe(theirs.text);
    expect((await put(path, designExample(), key)).text).toBe(first.text);
    expect((await storedVersions(location.locationId)).length).toBe(2);
  });

  test('without the header nothing changes: the second PUT is a correction, version 2', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    expect((await put(path, designExample())).status).toBe(201);
    const second = await put(path, designExample());
    expect(second.status).toBe(200);
    expect(second.json.version).toBe(2);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect((await storedVersions(location.locationId)).length).toBe(2);
  });

  test('a refused first attempt (400) leaves nothing behind: the corrected retry with the same key is processed', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();

    const bad = await put(path, { ...designExample(), colour: 'blue' }, key);
    expect(bad.status).toBe(400);
    expect(await recordOf('user:admin', key)).toBeUndefined();

    const corrected = await put(path, designExample(), key);
    expect(corrected.status).toBe(201);
    expect(corrected.json.version).toBe(1);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
  });

  test('a 412 (stale If-Match) is not stored either; If-Match is part of the request', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    expect((await put(path, designExample())).status).toBe(201);
    const key = randomUUID();
    expect((await put(path, changed(), key, { headers: { 'if-match': '"7"' } })).status).toBe(412);
    const current = await put(path, changed(), key, { headers: { 'if-match': '"1"' } });
    expect(current.status).toBe(200);
    expect(current.json.version).toBe(2);
    // The same key and body with another If-Match is another request.
    expect((await put(path, changed(), key, { headers: { 'if-match': '"2"' } })).status).toBe(422);
  });

  test("a caller who may not write gets 403 with someone else's key, never the stored response", async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();
    expect((await put(path, designExample(), key)).status).toBe(201);

    for (const outsider of [{ sub: 'provider-of-elsewhere', role: 'provider' as const }, 'national']) {
      const refused = await put(path, designExample(), key, { as: outsider });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('idempotent-replayed')).toBeNull();
    }
    // Nobody signed in: 401.
    expect((await put(path, designExample(), key, { as: null })).status).toBe(401);
    expect((await storedVersions(location.locationId)).length).toBe(1);
  });

  test('authorization runs before any replay: a caller who may no longer write gets 403 on a retry of its own request', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const sub = `idempotent-leaver-${randomUUID()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const as = { sub, role: 'provider' as const };
    const key = randomUUID();
    expect((await put(path, designExample(), key, { as })).status).toBe(201);
    expect(await recordOf(`user:${sub}`, key)).toMatchObject({ status: 'COMPLETED' });

    // The membership ends; the record of the first request is still there, and is not handed out.
    await dynamo.send(new DeleteCommand({ TableName: process.env.MEMBERSHIPS_TABLE, Key: keys.membership(sub, location.locationId) }));
    const refused = await put(path, designExample(), key, { as });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('idempotent-replayed')).toBeNull();
    expect(refused.json.type).toMatch(/forbidden$/);
  });

  test('an expired record counts as absent: the same key is processed anew', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();
    expect((await put(path, designExample(), key)).status).toBe(201);

    // As if 24 hours had passed (TTL deletes such records eventually; until then they are ignored).
    await setRecord('user:admin', key, { expiration: Math.floor(Date.now() / 1000) - 1 });
    const anew = await put(path, designExample(), key);
    expect(anew.status).toBe(200);
    expect(anew.json.version).toBe(2);
    expect(anew.headers.get('idempotent-replayed')).toBeNull();
    // ...and it is the one remembered now.
    expect((await put(path, designExample(), key)).text).toBe(anew.text);
    expect((await storedVersions(location.locationId)).length).toBe(2);
  });

  test('while the first request with the key is in progress, a retry gets 409 problem+json with Retry-After', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();
    expect((await put(path, designExample(), key)).status).toBe(201);
    // The state the record is in while the first request runs: INPROGRESS until the function's deadline.
    await setRecord('user:admin', key, { status: 'INPROGRESS', in_progress_expiration: Date.now() + 60_000 });

    const busy = await put(path, designExample(), key);
    expect(busy.status).toBe(409);
    expect(busy.headers.get('content-type')).toBe('application/problem+json');
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.json).toMatchObject({ status: 409, type: expect.stringMatching(/idempotency-in-progress$/) });

    // A first request that died mid-way holds its key only until its deadline; then a retry is processed.
    await setRecord('user:admin', key, { in_progress_expiration: Date.now() - 1 });
    const after = await put(path, designExample(), key);
    expect(after.status).toBe(200);
    expect(after.json.version).toBe(2);
  });

  test('simultaneous requests with one key write once: each gets the response, a replay of it, or a 409', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => put(path, designExample(), key)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.text)).size).toBe(1);
    expect((await storedVersions(location.locationId)).length).toBe(1);
  });

  test('a malformed key is a 400 at headers.idempotency-key, and nothing is written', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    for (const key of ['', '""', 'x'.repeat(256), 'café']) {
      const refused = await put(path, designExample(), key);
      expect(refused.status, JSON.stringify(key)).toBe(400);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.json.errors).toEqual([{ path: 'headers.idempotency-key', message: expect.stringContaining('printable ASCII') }]);
    }
    expect(await latestReturn(location.locationId)).toBeNull();
    expect((await put(path, designExample(), 'x'.repeat(255))).status).toBe(201);
  });
});

describe('confirm with Idempotency-Key', () => {
  test('a retry replays the confirmation; without a key a second confirm is a new version', async () => {
    const location = await createLocation();
    expect((await put(returnPath(location.locationId, daysAgo(1)), designExample())).status).toBe(201);
    const key = randomUUID();

    const first = await confirm(location.locationId, today(), key);
    expect(first.status).toBe(201);
    const retry = await confirm(location.locationId, today(), key);
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('etag')).toBe('"1"');
    expect((await latestReturn(location.locationId)).version).toBe(1);

    const unkeyed = await confirm(location.locationId, today());
    expect(unkeyed.status).toBe(200);
    expect(unkeyed.json.version).toBe(2);
  });

  test('a confirm refused with 409 (nothing to repeat) is not stored: once there is a return, the same key works', async () => {
    const location = await createLocation();
    const key = randomUUID();
    const nothing = await confirm(location.locationId, today(), key);
    expect(nothing.status).toBe(409);
    expect(nothing.headers.get('retry-after')).toBeNull();
    expect((await put(returnPath(location.locationId, daysAgo(1)), designExample())).status).toBe(201);
    expect((await confirm(location.locationId, today(), key)).status).toBe(201);
  });

  test('an update link is its own caller: its key is kept apart from a user\'s', async () => {
    const { issueUpdateLink } = await import('#shared/services/auth/update-links');
    const location = await createLocation();
    expect((await put(returnPath(location.locationId, daysAgo(1)), designExample())).status).toBe(201);
    const key = randomUUID();
    const { token } = await issueUpdateLink(location.locationId);
    const byLink = await confirm(location.locationId, today(), key, { as: { token } });
    expect(byLink.status).toBe(201);
    expect((await confirm(location.locationId, today(), key, { as: { token } })).text).toBe(byLink.text);
    const byAdmin = await confirm(location.locationId, today(), key);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.json.version).toBe(2);

    // Once the location's links are withdrawn, the link's retry is refused, not replayed.
    expect((await call(gateway.url(), 'POST', `/v1/locations/${location.locationId}/update-links/revoke`)).status).toBe(200);
    const revoked = await confirm(location.locationId, today(), key, { as: { token } });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('register with Idempotency-Key', () => {
  test('a retry replays the 201 with the same registration; the key for another location is a 422', async () => {
    const location = await createLocation();
    const user = { sub: `idempotent-registrant-${randomUUID()}`, role: 'provider' as const };
    const key = randomUUID();
    const first = await register(location.locationId, key, user);
    expect(first.status).toBe(201);
    const retry = await register(location.locationId, key, user);
    expect(retry.status).toBe(201);
    expect(retry.json.registrationId).toBe(first.json.registrationId);
    expect(retry.text).toBe(first.text);
    // Without the key, asking again is the existing 200.
    expect((await register(location.locationId, undefined, user)).status).toBe(200);

    const elsewhere = await createLocation();
    expect((await register(elsewhere.locationId, key, user)).status).toBe(422);
  });

  test('an update link may not register, key or not: 403', async () => {
    const { issueUpdateLink } = await import('#shared/services/auth/update-links');
    const location = await createLocation();
    const { token } = await issueUpdateLink(location.locationId);
    expect((await register(location.locationId, randomUUID(), { token })).status).toBe(403);
  });
});

describe('a provider member', () => {
  test('retries its own keyed PUT and gets the replay', async () => {
    const location = await createLocation();
    const sub = `idempotent-member-${randomUUID()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const as = { sub, role: 'provider' as const };
    const key = randomUUID();
    const first = await put(returnPath(location.locationId, today()), designExample(), key, { as });
    expect(first.status).toBe(201);
    const retry = await put(returnPath(location.locationId, today()), designExample(), key, { as });
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await recordOf(`user:${sub}`, key)).toMatchObject({ status: 'COMPLETED' });
  });
});
