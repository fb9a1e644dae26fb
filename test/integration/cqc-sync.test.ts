import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CqcLocation } from '#shared/model/directory/cqc';
import { cqcSyncFunction } from '#shared/model/functions';
import { runWithEnvironment } from '#shared/runtime/settings';
import { localCqcApiKey, startCqcApiLocal, type CqcApiLocal } from '#scripts/local/cqc-api-local';
import { functionEnvironment, runFunction } from '#scripts/local/lambda-runtime';
import { ensureTables, exportTableNames, localTableNames } from '#scripts/local/local-tables';

/**
 * The CQC sync against the stand-in CQC API on a loopback port (a real HTTP server: real fetch, headers,
 * pages, 429s and 500s), into tables of its own. The tests run in order, each from the checkpoint the
 * one before left, and set the clock themselves (`now`), so nothing depends on how long anything takes:
 * the only real waits are a Retry-After of 1 s and backoffs of a few milliseconds.
 */
const tables = localTableNames(`sync${process.pid}${Date.now() % 100000}`);
const savedEnv = { ...process.env };
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const dir = mkdtempSync(join(tmpdir(), 'ct-cqc-sync-'));
const keyFile = join(dir, 'cqc-api-key');
let api: CqcApiLocal;

type SyncModule = typeof import('#shared/services/directory/sync');
let sync: SyncModule;
let getLocation: typeof import('#shared/repositories/locations').getLocation;
let getSyncCheckpoint: typeof import('#shared/repositories/sync-checkpoints').getSyncCheckpoint;

const DAY = (n: number) => new Date(Date.UTC(2026, 0, 10 + n));
const HOUR_AFTER = (n: number, hours: number) => new Date(DAY(n).getTime() + hours * 3_600_000);
const stamp = (instant: Date) => instant.toISOString().replace('.000Z', 'Z');

/** Made-up care homes in the three councils the test stores (IDs that only this test uses). */
const COUNCILS = ['Plymouth', 'Torbay', 'Devon'] as const;
function home(n: number, overrides: Partial<CqcLocation> = {}): CqcLocation {
  return {
    locationId: `1-9100${String(n).padStart(5, '0')}`,
    providerId: '1-910000000',
    name: `Sync Test Home ${n}`,
    registrationStatus: 'Registered',
    dormancy: 'N',
    numberOfBeds: 20 + n,
    careHome: 'Y',
    localAuthority: COUNCILS[n % 3],
    region: 'South West',
    postalCode: 'PL1 1AA',
    postalAddressTownCity: 'Plymouth',
    gacServiceTypes: [{ name: 'Residential homes', description: 'Care home service without nursing' }],
    specialisms: [],
    ...overrides,
  };
}

/** Every wait the client makes, and each made for real (they are short here). */
const waits: number[] = [];
const sleep = (ms: number) => {
  waits.push(ms);
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
};
const FAST = { perPage: 10, backoffBaseMs: 5, maxRetries: 2 };

/** One run as the function would make it: with only the function's declared tables and settings. */
function runSync(options: Partial<Parameters<SyncModule['syncCqcLocations']>[0]> & { now: Date }) {
  return runWithEnvironment(cqcSyncFunction.id, functionEnvironment(cqcSyncFunction), () =>
    sync.syncCqcLocations({ firstRun: 'refuse', tuning: FAST, sleep, ...options }),
  );
}
const checkpoint = () => runWithEnvironment(cqcSyncFunction.id, functionEnvironment(cqcSyncFunction), () => getSyncCheckpoint('cqcLocations'));
const location = (id: string) => runWithEnvironment(cqcSyncFunction.id, functionEnvironment(cqcSyncFunction), () => getLocation(id));

beforeAll(async () => {
  exportTableNames(tables);
  await ensureTables(client, tables);
  api = await startCqcApiLocal({ key: localCqcApiKey(keyFile), records: [], changedAt: DAY(0) });
  process.env.CQC_API_BASE_URL = api.url;
  process.env.CQC_API_KEY_FILE = keyFile;
  sync = await import('#shared/services/directory/sync');
  getLocation = (await import('#shared/repositories/locations')).getLocation;
  getSyncCheckpoint = (await import('#shared/repositories/sync-checkpoints')).getSyncCheckpoint;
}, 60_000);

afterAll(async () => {
  await api?.stop();
  process.env = savedEnv;
  client.destroy();
});

describe('the CQC sync against the stand-in CQC API', () => {
  test('the stand-in wants the subscription key: 401 without it', async () => {
    const response = await fetch(`${api.url}/changes/location?startTimestamp=2026-01-10T00:00:00Z&endTimestamp=2026-01-11T00:00:00Z`);
    expect(response.status).toBe(401);
    const withKey = await fetch(`${api.url}/changes/location?startTimestamp=2026-01-10T00:00:00Z&endTimestamp=2026-01-11T00:00:00Z`, {
      headers: { 'Ocp-Apim-Subscription-Key': api.key },
    });
    expect(await withKey.json()).toMatchObject({ total: 0, totalPages: 0, changes: [] });
  });

  test('refuses to start without stored areas, saying to run the import first, and calls nothing', async () => {
    const before = api.requests.length;
    await expect(runSync({ since: DAY(0), now: DAY(1) })).rejects.toThrow(/No areas are stored.*npm run import:cqc/);
    expect(await checkpoint()).toBeUndefined();
    expect(api.requests).toHaveLength(before);
  });

  test('the first run of the command needs --since; the job starts a day back', async () => {
    const { putAreas } = await import('#shared/repositories/areas');
    // What `npm run import:cqc` stores from ONS's lookups, for the three councils the test's homes are in.
    await putAreas([
      { level: 'region', code: 'E12000009', name: 'South West' },
      { level: 'localAuthority', code: 'E06000026', name: 'Plymouth', parent: 'E12000009' },
      { level: 'localAuthority', code: 'E06000027', name: 'Torbay', parent: 'E12000009' },
      { level: 'localAuthority', code: 'E10000008', name: 'Devon', parent: 'E12000009' },
    ]);
    await expect(runSync({ now: DAY(1) })).rejects.toThrow(/no checkpoint yet.*--since/);
    // The job starts a day back (told to stop before its first window, so the checkpoint stays unset here).
    const report = await runSync({ now: DAY(1), firstRun: { lookbackHours: 24 }, deadline: 0 });
    expect(report).toMatchObject({ from: stamp(DAY(0)), to: stamp(DAY(1)), complete: false, windows: [], checkpointAfter: null });
  });

  test('reads every page of changes, fetches each location and places it; records without IDs, beds or a known council are reported, not guessed', async () => {
    for (let n = 1; n <= 22; n += 1) api.put(home(n), HOUR_AFTER(0, 1 + n / 60));
    api.put(home(23, { numberOfBeds: undefined }), HOUR_AFTER(0, 2));
    api.put(home(24, { localAuthority: 'Atlantis', region: 'Nowhere' }), HOUR_AFTER(0, 2));
    api.put(home(25, { locationId: 'not-a-cqc-id' }), HOUR_AFTER(0, 2));
    api.put(home(26), DAY(1)); // changed at the window's end: the next window's
    const before = api.requests.length;

    const report = await runSync({ since: DAY(0), now: DAY(1) });

    const changes = api.requests.slice(before).filter((request) => request.path === '/changes/location');
    expect(changes.map((request) => [request.query.page, request.query.perPage, request.query.startTimestamp, request.query.endTimestamp])).toEqual([
      ['1', '10', '2026-01-10T00:00:00Z', '2026-01-11T00:00:00Z'],
      ['2', '10', '2026-01-10T00:00:00Z', '2026-01-11T00:00:00Z'],
      ['3', '10', '2026-01-10T00:00:00Z', '2026-01-11T00:00:00Z'],
    ]);
    expect(report).toMatchObject({ changes: 25, fetched: 25, complete: true, notFound: [], checkpointBefore: null, checkpointAfter: '2026-01-11T00:00:00Z' });
    expect(report.summary).toMatchObject({
      read: 25,
      added: 22,
      changed: [],
      skipped: { 'no number of beds': 1, 'no valid CQC location ID': 1 },
      unplaced: { Atlantis: 1 },
    });
    expect(report.api).toMatchObject({ requests: 3 + 25, rateLimited: 0, serverErrors: 0, retries: 0 });
    expect(await location(home(1).locationId!)).toMatchObject({ localAuthority: 'E06000027', region: 'E12000009', registeredBeds: 21, active: true });
    expect(await location(home(2).locationId!)).toMatchObject({ localAuthority: 'E10000008' });
    expect(await location(home(23).locationId!)).toBeUndefined();
    expect(await checkpoint()).toMatchObject({ syncedTo: '2026-01-11T00:00:00Z', window: { start: '2026-01-10T00:00:00Z', changes: 25 } });
  });

  test('a 429 pauses for its Retry-After, then the run goes on; a changed record updates its location field by field and keeps lastUpdated', async () => {
    const id = home(3).locationId!;
    const { dynamo } = await import('#shared/runtime/dynamodb');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    // Meanwhile the home reported: the sync must not lose that.
    await dynamo.send(new UpdateCommand({ TableName: tables.locations, Key: { locationId: id }, UpdateExpression: 'SET lastUpdated = :at, freshness = :at', ExpressionAttributeValues: { ':at': '2026-01-11T08:00:00Z' } }));
    api.put(home(3, { name: 'Sync Test Home 3 (renamed)', numberOfBeds: 40 }), HOUR_AFTER(1, 9));
    api.inject({ status: 429, retryAfter: 1, path: '/locations/' });
    waits.length = 0;

    const report = await runSync({ now: DAY(2) });

    expect(report).toMatchObject({ from: '2026-01-11T00:00:00Z', changes: 2, fetched: 2, complete: true, checkpointAfter: '2026-01-12T00:00:00Z' });
    expect(report.api.rateLimited).toBe(1);
    expect(report.api.retries).toBe(1);
    expect(waits).toContain(1000);
    expect(api.requests.filter((request) => request.status === 429)).toHaveLength(1);
    expect(report.summary.added).toBe(1); // home 26, changed at the end of the earlier window
    expect(report.summary.changed).toEqual([{ locationId: id, fields: ['name', 'registeredBeds'] }]);
    expect(await location(id)).toMatchObject({ name: 'Sync Test Home 3 (renamed)', registeredBeds: 40, lastUpdated: '2026-01-11T08:00:00Z' });
  });

  test('a deregistered location is deactivated; a changed ID the API has no record for (404) is reported and left as it is', async () => {
    const deregistered = home(4).locationId!;
    const removed = home(5).locationId!;
    api.put(home(4, { registrationStatus: 'Deregistered' }), HOUR_AFTER(2, 3));
    api.remove(removed, HOUR_AFTER(2, 3));

    const report = await runSync({ now: DAY(3) });

    expect(report).toMatchObject({ changes: 2, fetched: 1, notFound: [removed], complete: true, checkpointAfter: '2026-01-13T00:00:00Z' });
    expect(report.windows).toEqual([{ start: '2026-01-12T00:00:00Z', end: '2026-01-13T00:00:00Z', changes: 2, notFound: 1 }]);
    expect(report.summary.deactivated).toEqual([deregistered]);
    expect(report.summary.changed).toEqual([{ locationId: deregistered, fields: ['active'] }]);
    expect(await location(deregistered)).toMatchObject({ active: false });
    // Not guessed: the directory still has it as it was.
    expect(await location(removed)).toMatchObject({ active: true, name: home(5).name });
  });

  test('a 500 that lasts fails the run and leaves the checkpoint where it was; the next run resumes from it and finishes', async () => {
    for (let n = 6; n <= 20; n += 1) api.put(home(n, { numberOfBeds: 60 + n }), HOUR_AFTER(3, 2));
    // One of the locations answers 500 on every try (1 + maxRetries).
    api.inject({ status: 500, path: `/locations/${home(11).locationId}`, times: 1 + FAST.maxRetries });

    const failed = runSync({ now: DAY(4) });
    await expect(failed).rejects.toThrow(/answered 500 3 times running.*The checkpoint stays at 2026-01-13T00:00:00Z/);
    const error = (await failed.catch((caught: unknown) => caught)) as InstanceType<SyncModule['CqcSyncError']>;
    expect(error).toBeInstanceOf(sync.CqcSyncError);
    expect(error.report).toMatchObject({ windows: [], checkpointAfter: '2026-01-13T00:00:00Z', changes: 15 });
    expect(error.report.api).toMatchObject({ serverErrors: 3, retries: 2 });
    expect(await checkpoint()).toMatchObject({ syncedTo: '2026-01-13T00:00:00Z' });

    // One more 500 on the way: retried after a backoff, and the run still finishes.
    api.inject({ status: 500, path: '/changes/location' });
    const resumed = await runSync({ now: DAY(4) });
    expect(resumed).toMatchObject({ from: '2026-01-13T00:00:00Z', changes: 15, fetched: 15, complete: true, checkpointAfter: '2026-01-14T00:00:00Z' });
    expect(resumed.api).toMatchObject({ serverErrors: 1, retries: 1 });
    expect(resumed.summary.changed).toHaveLength(15);
    expect(resumed.summary.changed.every(({ fields }) => fields.join() === 'registeredBeds')).toBe(true);
    expect(await location(home(20).locationId!)).toMatchObject({ registeredBeds: 80 });
    expect(await checkpoint()).toMatchObject({ syncedTo: '2026-01-14T00:00:00Z' });

    // A run over the same stretch again (--since) writes nothing and never moves the checkpoint back.
    const again = await runSync({ since: DAY(3), now: DAY(4) });
    expect(again.summary).toMatchObject({ added: 0, changed: [], unchanged: 15 });
    expect(await checkpoint()).toMatchObject({ syncedTo: '2026-01-14T00:00:00Z' });
  });

  test('a long gap is taken a window at a time, the checkpoint moving after each', async () => {
    api.put(home(21, { numberOfBeds: 99 }), HOUR_AFTER(4, 5));
    api.put(home(22, { numberOfBeds: 98 }), HOUR_AFTER(6, 5));
    // The later window fails: the earlier one stays done.
    api.inject({ status: 503, path: '/changes/location', after: 1, times: 1 + FAST.maxRetries });
    await expect(runSync({ now: DAY(7), windowHours: 48 })).rejects.toThrow(/window 2026-01-16T00:00:00Z to 2026-01-17T00:00:00Z.*503.*stays at 2026-01-16T00:00:00Z/);
    expect(await checkpoint()).toMatchObject({ syncedTo: '2026-01-16T00:00:00Z' });
    const report = await runSync({ now: DAY(7), windowHours: 48 });
    expect(report.windows.map(({ start, end, changes }) => [start, end, changes])).toEqual([['2026-01-16T00:00:00Z', '2026-01-17T00:00:00Z', 1]]);
    expect(await checkpoint()).toMatchObject({ syncedTo: '2026-01-17T00:00:00Z' });
  });

  test('a key the API refuses fails the run at once, saying which key', async () => {
    const wrong = join(dir, 'wrong-key');
    writeFileSync(wrong, 'not-the-key\n');
    const environment = { ...functionEnvironment(cqcSyncFunction), CQC_API_KEY_FILE: wrong };
    await expect(
      runWithEnvironment(cqcSyncFunction.id, environment, () => sync.syncCqcLocations({ now: DAY(8), firstRun: 'refuse', tuning: FAST, sleep })),
    ).rejects.toThrow(/refused the subscription key \(401\)/);
    expect(await checkpoint()).toMatchObject({ syncedTo: '2026-01-17T00:00:00Z' });
  });

  test('the scheduled function runs it from the checkpoint and answers with the counts', async () => {
    api.put(home(30), HOUR_AFTER(7, 4));
    const report = (await runFunction(cqcSyncFunction, { at: DAY(8).toISOString() })) as Record<string, unknown>;
    expect(report).toMatchObject({ from: '2026-01-17T00:00:00Z', to: '2026-01-18T00:00:00Z', complete: true, changes: 1, added: 1, changed: 0, notFound: 0, checkpointAfter: '2026-01-18T00:00:00Z' });
    expect(await location(home(30).locationId!)).toMatchObject({ name: 'Sync Test Home 30' });
  });
});
