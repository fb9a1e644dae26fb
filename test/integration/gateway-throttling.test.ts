import { request as httpRequest, type ClientRequest } from 'node:http';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoLocations } from '#scripts/seed/demo-data';
import { demoUsers } from '#scripts/seed/demo-users';
import { DEFAULT_MAX_IN_FLIGHT, localSettings } from '#scripts/local/local-settings';
import { isThrottled } from '#scripts/local/gateway';
import { startLocalSystem, type LocalSystem } from '#scripts/local/system';
import { TEST_TABLE_PREFIX } from '#test/setup/dynamodb-local';
import { dynamo } from '#shared/runtime/dynamodb';
import { call, createLocation, designExample, returnPath, today } from '../helpers/api';
import { until } from '../helpers/wait';

/**
 * The local gateway with a bound on API requests in flight (as `npm start` runs it, LOCAL_MAX_IN_FLIGHT):
 * one more is answered 429 at once, problem+json with Retry-After, before anything runs. The bound is
 * held full deterministically by requests whose bodies are still arriving (a request counts from its
 * head), so nothing here depends on how fast anything is.
 */
const BOUND = 2;
let system: LocalSystem;
let token: string;
const users = demoUsers(demoLocations());

beforeAll(async () => {
  system = await startLocalSystem({
    dynamodb: { endpoint: process.env.DYNAMODB_ENDPOINT! },
    tablePrefix: TEST_TABLE_PREFIX,
    createTables: false,
    gateway: { port: 0, users, maxInFlight: BOUND },
  });
  const admin = users.find((user) => user.id === 'admin')!;
  token = await system.issuer!.sign({ sub: admin.id, role: admin.role, areas: admin.areas });
});
afterAll(async () => {
  await system?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

/** A request as the admin, through this file's gateway (the bound's own, not the shared test gateway). */
function send(method: string, path: string, body?: unknown): Promise<Answer> {
  return call(system.url!, method, path, { as: { token }, ...(body !== undefined ? { body } : {}) });
}

interface Held {
  /** True once the gateway answered before the body ended: it was refused (the bound was full when its head came). */
  answeredEarly(): boolean;
  /** Resolves once its head and the first bytes of its body are handed to the connection. */
  written: Promise<void>;
  finish(): Promise<Answer>;
  abort(): void;
}

/** A PUT whose head is sent and whose body is held back until `finish` (or cut off by `abort`): in flight all the while. */
function heldPut(path: string, body: unknown): Held {
  const bytes = Buffer.from(JSON.stringify(body));
  const url = new URL(system.url! + path);
  let req: ClientRequest;
  let early = false;
  let finishing = false;
  const answered = new Promise<Answer>((resolve, reject) => {
    // A connection of its own (no agent): a kept-alive one the gateway has since closed would lose the head.
    req = httpRequest(url, { method: 'PUT', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(bytes.byteLength) } }, (res) => {
      if (!finishing) early = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
  });
  // A failure shows when the test awaits `finish`; until then it must not count as unhandled.
  answered.catch(() => undefined);
  const written = new Promise<void>((resolve) => req!.write(bytes.subarray(0, 10), () => resolve()));
  return {
    answeredEarly: () => early,
    written,
    finish: async () => {
      finishing = true;
      req.end(bytes.subarray(10));
      return answered;
    },
    abort: () => req.destroy(),
  };
}

/**
 * PUTs held in flight until they fill the bound: probed with a read until it is refused. A held PUT whose
 * head came while a probe was in flight is refused itself (nothing written) and is sent again; the next
 * probe waits until it is written and a round has passed, or it would race the new one every time.
 */
async function holdFull(paths: string[]): Promise<Held[]> {
  let held = paths.map((path) => heldPut(path, designExample()));
  await Promise.all(held.map((request) => request.written));
  await until(
    async () => {
      let replaced = false;
      held = held.map((request, index) => {
        if (!request.answeredEarly()) return request;
        request.abort();
        replaced = true;
        return heldPut(paths[index]!, designExample());
      });
      if (replaced) {
        await Promise.all(held.map((request) => request.written));
        return false;
      }
      return (await send('GET', '/v1/locations?limit=1')).status === 429;
    },
    { timeoutMs: 60_000, what: 'the held requests to fill the bound' },
  );
  return held;
}

async function storedVersions(locationId: string): Promise<number[]> {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: process.env.RETURN_VERSIONS_TABLE, KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId }, ConsistentRead: true }),
  );
  return (Items ?? []).map((item) => Number(item.version));
}

function expectThrottled(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number.isInteger(Number(answer.headers.get('retry-after')))).toBe(true);
  expect(answer.json).toMatchObject({ type: 'https://capacity-tracker.example/problems/too-many-requests', title: 'Too many requests', status: 429 });
  expect(answer.json.detail).toMatch(/nothing was done/);
}

describe('the gateway bounds API requests in flight', () => {
  test('beyond the bound: 429 problem+json with Retry-After at once, nothing written; the requests in flight complete; health, local endpoints and pages still answer', async () => {
    const held = await Promise.all([createLocation(), createLocation()]);
    const holding = await holdFull(held.map((location) => returnPath(location.locationId, today())));

    const refused = await Promise.all(Array.from({ length: 6 }, () => createLocation()));
    const burst = await Promise.all(refused.map((location) => send('PUT', returnPath(location.locationId, today()), designExample())));
    for (const answer of burst) expectThrottled(answer);
    // Reads and the other methods are throttled alike (API Gateway throttles the stage).
    expectThrottled(await send('GET', `/v1/locations/${held[0]!.locationId}`));
    expectThrottled(await send('POST', `${returnPath(held[0]!.locationId, today())}/confirm`));

    // Not counted, so never starved: the health check, the local endpoints (the authorizer's key set among them) and the pages.
    expect((await send('GET', '/v1/health')).status).toBe(200);
    expect((await send('GET', '/local/users')).status).toBe(200);
    expect((await fetch(`${system.url}/.well-known/jwks.json`)).status).toBeLessThan(500);
    const page = await fetch(`${system.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);

    // The requests in flight complete as if nothing had happened.
    const answers = await Promise.all(holding.map((request) => request.finish()));
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ version: 1 });
    }
    for (const location of held) expect(await storedVersions(location.locationId)).toEqual([1]);
    // Nothing of the refused ones was written, and they are taken once there is room.
    for (const location of refused) {
      expect(await storedVersions(location.locationId)).toEqual([]);
      expect((await send('GET', `/v1/locations/${location.locationId}`)).json.latestReturn ?? null).toBeNull();
    }
    const again = await send('PUT', returnPath(refused[0]!.locationId, today()), designExample());
    expect(again.status).toBe(201);
    expect(await storedVersions(refused[0]!.locationId)).toEqual([1]);
  }, 180_000);

  test('a burst well beyond the bound: every answer a 201 or a 429; every 201 stored once, no 429 stored; the 429s taken when sent again after Retry-After', async () => {
    const locations = await Promise.all(Array.from({ length: 24 }, () => createLocation()));
    const burst = await Promise.all(locations.map((location) => send('PUT', returnPath(location.locationId, today()), designExample())));
    expect(burst.every((answer) => answer.status === 201 || answer.status === 429)).toBe(true);
    expect(burst.some((answer) => answer.status === 201)).toBe(true);
    for (const [index, answer] of burst.entries()) {
      const versions = await storedVersions(locations[index]!.locationId);
      if (answer.status === 201) expect(versions).toEqual([1]);
      else {
        expectThrottled(answer);
        expect(versions).toEqual([]);
      }
    }
    // As a client does: each refused one again after its Retry-After (one at a time, so within the bound).
    for (const [index, answer] of burst.entries()) {
      if (answer.status !== 429) continue;
      let next = answer;
      while (next.status === 429) {
        await new Promise((resolve) => setTimeout(resolve, Number(next.headers.get('retry-after')) * 1000));
        next = await send('PUT', returnPath(locations[index]!.locationId, today()), designExample());
      }
      expect(next.status).toBe(201);
    }
    for (const location of locations) expect(await storedVersions(location.locationId)).toEqual([1]);
  }, 180_000);

  test('a request cut off before its body ended gives its place back', async () => {
    const locations = await Promise.all([createLocation(), createLocation(), createLocation()]);
    const holding = await holdFull(locations.slice(0, 2).map((location) => returnPath(location.locationId, today())));
    holding[0]!.abort();
    await until(async () => (await send('GET', `/v1/locations/${locations[2]!.locationId}`)).status === 200, { timeoutMs: 60_000, what: 'the cut-off request to leave the bound' });
    expect((await holding[1]!.finish()).status).toBe(201);
    expect(await storedVersions(locations[0]!.locationId)).toEqual([]);
  }, 180_000);

  test('what is counted, and the setting', () => {
    expect(isThrottled('PUT', '/v1/locations/1-101/returns/2026-01-01')).toBe(true);
    expect(isThrottled('GET', '/v1/openapi.json')).toBe(true);
    expect(isThrottled('GET', '/v1')).toBe(true);
    expect(isThrottled('GET', '/v1/health')).toBe(false);
    expect(isThrottled('POST', '/local/token')).toBe(false);
    expect(isThrottled('GET', '/index.html')).toBe(false);
    expect(isThrottled('GET', '/v1health')).toBe(false);
    expect(localSettings({}).maxInFlight).toBe(DEFAULT_MAX_IN_FLIGHT);
    expect(localSettings({ LOCAL_MAX_IN_FLIGHT: '12' }).maxInFlight).toBe(12);
    expect(localSettings({ LOCAL_MAX_IN_FLIGHT: '0' }).maxInFlight).toBeUndefined();
    expect(() => localSettings({ LOCAL_MAX_IN_FLIGHT: 'many' })).toThrow(/LOCAL_MAX_IN_FLIGHT/);
  });
});
