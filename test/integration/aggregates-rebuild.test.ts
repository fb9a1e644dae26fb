import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, daysAgo, designExample, newLocation, returnPath, today } from '../helpers/api';
import { scanAll } from '../helpers/scan';
import { loadHandler, REPO_ROOT } from '#scripts/local/lambda-runtime';
import { startStreamPoller, type StreamPoller, type StreamPollerOptions } from '#scripts/local/stream-poller';
import { startLocalSystem, type LocalSystem } from '#scripts/local/system';
import { aggregateKey, compareAggregates, recomputeAggregates, type StoredReturnItem } from '#scripts/oracle/recompute';
import type { Contribution } from '#shared/model/aggregates/metrics';
import type { Area } from '#shared/model/directory/ons';
import { aggregatorFunction } from '#shared/model/functions';
import type { DailyReturnInput } from '#shared/model/schemas/return';

/**
 * Issue 19: stream failures that cannot be recovered from the stream. Returns go through the real write
 * path (the local gateway, PUT) while the aggregator's stream poller fails every delivery, so the batches
 * are dead-lettered and the aggregates miss them; `rebuildAggregates` (npm run aggregates:rebuild) then
 * brings them up to the stored returns through the ledger, as the recomputation from the returns table
 * (the oracle) says they should be, for a region, a council and England; a second run changes nothing; a
 * run beside a working aggregator converges with it; records past the maximum record age are dead-lettered
 * and recovered the same way; and a damaged or lost aggregate item is reported, and repaired on request.
 * Tables of its own, so no other file's aggregator applies these returns behind the test's back.
 */
const PREFIX = `rebuild${process.pid}${Date.now() % 100_000}`;
const SOUTH_WEST = 'E12000009';
const SOUTH_EAST = 'E12000008';
const AREAS: Area[] = [
  { level: 'region', code: SOUTH_WEST, name: 'South West' },
  { level: 'region', code: SOUTH_EAST, name: 'South East' },
  { level: 'localAuthority', code: 'E06000971', name: 'Rebuildshire', parent: SOUTH_WEST },
  { level: 'localAuthority', code: 'E06000972', name: 'Redrive Vale', parent: SOUTH_WEST },
  { level: 'localAuthority', code: 'E06000973', name: 'Ledgerton', parent: SOUTH_EAST },
];
const LOCATIONS = [
  newLocation({ name: 'Rebuild House A1', localAuthority: 'E06000971', region: SOUTH_WEST }),
  newLocation({ name: 'Rebuild House A2', localAuthority: 'E06000971', region: SOUTH_WEST }),
  newLocation({ name: 'Rebuild House B1', localAuthority: 'E06000972', region: SOUTH_WEST }),
  newLocation({ name: 'Rebuild House C1', localAuthority: 'E06000973', region: SOUTH_EAST }),
  newLocation({ name: 'Rebuild House C2', localAuthority: 'E06000973', region: SOUTH_EAST }),
];
const [A1, , B1, C1] = LOCATIONS as [(typeof LOCATIONS)[number], (typeof LOCATIONS)[number], (typeof LOCATIONS)[number], (typeof LOCATIONS)[number]];

let system: LocalSystem;
let client: DynamoDBClient;
let token: string;
let scratch: string;
let modules: {
  rebuild: typeof import('#shared/services/aggregates/rebuild');
  searchVacancies: typeof import('#shared/repositories/vacancies').searchVacancies;
};
let aggregator: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

const figures = (occupied: number): DailyReturnInput => {
  const example = designExample();
  return { ...example, vacancies: { ...example.vacancies, nursing: { male: 0, female: 1, any: occupied % 3 } }, beds: { ...example.beds, occupied } };
};

async function put(locationId: string, day: string, occupied: number): Promise<number> {
  const answer = await call(system.url!, 'PUT', returnPath(locationId, day), { body: figures(occupied), as: { token } });
  expect([200, 201], answer.text).toContain(answer.status);
  return answer.status;
}

/** The aggregates against the recomputation from every stored return (the oracle), where `only` says. */
async function differences(only?: (key: string) => boolean) {
  const expected = recomputeAggregates((await scanAll(client, system.tables.returns)) as unknown as StoredReturnItem[]);
  const actual = new Map((await scanAll(client, system.tables.aggregates)).map((item) => [aggregateKey(String(item.areaKey), String(item.date)), item as Partial<Contribution>]));
  return compareAggregates(expected, actual, only);
}

const inAreas = (...areaKeys: string[]) => (key: string) => areaKeys.some((areaKey) => key.startsWith(`${areaKey}|`));

const deadLetters = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { condition: string; records: Array<{ dynamodb: { NewImage: { locationId: { S: string }; reportDate: { S: string } } } }> });

/** A stream poller on this file's returns table, from the records written after it starts. */
function poller(options: Partial<StreamPollerOptions> & Pick<StreamPollerOptions, 'handler' | 'deadLetterFile'>): Promise<StreamPoller> {
  return startStreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    tableName: system.tables.returns,
    functionName: aggregatorFunction.id,
    startingPosition: 'LATEST',
    pollIntervalMs: 20,
    retryDelayMs: 10,
    maxRetryDelayMs: 40,
    log: () => undefined,
    ...options,
  });
}

/** The aggregator failing every delivery, as when DynamoDB or the function itself is broken for longer than the retries. */
const broken = async (): Promise<never> => {
  throw new Error('injected: the aggregator cannot reach DynamoDB');
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ct-rebuild-'));
  system = await startLocalSystem({ dynamodb: { endpoint: process.env.DYNAMODB_ENDPOINT! }, tablePrefix: PREFIX, gateway: { port: 0 } });
  client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
  token = await system.issuer!.sign({ sub: 'rebuild-test-admin', role: 'admin' });
  const { putAreas } = await import('#shared/repositories/areas');
  const { putLocations } = await import('#shared/repositories/locations');
  await putAreas(AREAS);
  await putLocations(LOCATIONS);
  modules = {
    rebuild: await import('#shared/services/aggregates/rebuild'),
    searchVacancies: (await import('#shared/repositories/vacancies')).searchVacancies,
  };
  aggregator = (await loadHandler(aggregatorFunction.handler)) as typeof aggregator;
}, 120_000);

afterAll(async () => {
  await system?.stop();
  client?.destroy();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const FIRST_DEAD_LETTERS = () => join(scratch, 'first-dead-letters.jsonl');
const DAYS = () => [daysAgo(2), daysAgo(1), today()];
const nursingIn = async (area: string) =>
  (await modules.searchVacancies({ area, category: 'nursing', admittingOnly: false, updatedSince: '2000-01-01T00:00:00Z', limit: 50 })).items.map((entry) => entry.locationId).sort();

describe('npm run aggregates:rebuild after the stream lost returns', { timeout: 90_000 }, () => {
  test('a batch the aggregator keeps failing on is dead-lettered, and the aggregates miss its returns', async () => {
    const failing = await poller({ handler: broken, maximumRetryAttempts: 2, bisectBatchOnError: true, deadLetterFile: FIRST_DEAD_LETTERS() });
    try {
      for (const [index, location] of LOCATIONS.entries()) for (const [back, day] of DAYS().entries()) await put(location.locationId, day, 20 + index * 3 + back);
      // A correction: the same location-day again, version 2.
      expect(await put(A1.locationId, today(), 33)).toBe(200);
      await failing.drain(60_000);
      expect(failing.stats()).toMatchObject({ delivered: 0, deadLettered: 16 });
    } finally {
      await failing.stop();
    }
    const lines = deadLetters(FIRST_DEAD_LETTERS());
    expect(lines.every((line) => line.condition === 'RetryAttemptsExhausted')).toBe(true);
    expect(lines.flatMap((line) => line.records)).toHaveLength(16);
    // Nothing counted anywhere: every area-day the returns make is missing.
    expect((await scanAll(client, system.tables.aggregates)).length).toBe(0);
    expect((await differences()).filter((difference) => difference.metric === '(no aggregate item)')).toHaveLength(3 * 3 + 2 * 3 + 3);
    expect(await nursingIn('E06000973')).toEqual([]);
  });

  test('one region: its councils and its share of England brought up to the stored returns through the ledger', async () => {
    const report = await modules.rebuild.rebuildAggregates({ from: daysAgo(2), to: today(), area: SOUTH_WEST });
    expect(report).toMatchObject({ area: { level: 'region', area: SOUTH_WEST }, days: 3, returnsRead: 9, applied: 9, alreadyCurrent: 0, failed: [], mismatches: [], unsettled: [] });
    // Before applying there was nothing to judge: no aggregate items and no ledger entries.
    expect(report.areaDaysChecked).toBe(0);
    expect(await differences(inAreas(`region#${SOUTH_WEST}`, 'localAuthority#E06000971', 'localAuthority#E06000972'))).toEqual([]);
    // The other region's council is still short; England holds the South West's share only.
    expect(await differences(inAreas('localAuthority#E06000973'))).not.toEqual([]);
    expect(await differences(inAreas('england#E92000001'))).not.toEqual([]);
    expect(await nursingIn('E06000971')).toEqual([LOCATIONS[0]!.locationId, LOCATIONS[1]!.locationId].sort());
  });

  test('one council by its code (its region from the areas table): then every aggregate equals the recomputation', async () => {
    const report = await modules.rebuild.rebuildAggregates({ from: daysAgo(2), to: today(), area: 'E06000973' });
    expect(report).toMatchObject({ area: { level: 'localAuthority', area: 'E06000973' }, returnsRead: 6, applied: 6, alreadyCurrent: 0, locationsRefreshed: 2, failed: [], mismatches: [] });
    expect(await differences()).toEqual([]);
    // The latest-return copy and the vacancy search follow each location's newest return.
    expect(await nursingIn('E06000973')).toEqual([LOCATIONS[3]!.locationId, LOCATIONS[4]!.locationId].sort());
  });

  test('again, for the days and area the dead-letter file names: nothing applied, every area-day checked, no mismatch', async () => {
    const window = modules.rebuild.deadLetterWindow(readFileSync(FIRST_DEAD_LETTERS(), 'utf8'));
    expect(window).toEqual({ from: daysAgo(2), to: today(), area: 'E92000001', batches: deadLetters(FIRST_DEAD_LETTERS()).length, records: 16, exact: true });
    const report = await modules.rebuild.rebuildAggregates({ from: window.from, to: window.to, area: window.area });
    // 3 councils, 2 regions and England on each of 3 days.
    expect(report).toMatchObject({ returnsRead: 15, applied: 0, alreadyCurrent: 15, failed: [], areaDaysChecked: 18, unsettled: [], mismatches: [] });
    expect(await differences()).toEqual([]);
  });

  test('records past the maximum record age are dead-lettered without a delivery, as Lambda does, and recovered the same way', async () => {
    const file = join(scratch, 'aged-dead-letters.jsonl');
    let delivered = 0;
    const late = await poller({
      handler: async (event, context) => {
        delivered += event.Records.length;
        return aggregator(event, context);
      },
      deadLetterFile: file,
      maximumRecordAgeSeconds: aggregatorFunction.stream.maximumRecordAgeSeconds,
      // Seven hours on: the poller reads the records as the event source mapping would after an outage that long.
      now: () => Date.now() + 7 * 3_600_000,
    });
    try {
      await put(B1.locationId, today(), 45);
      await late.drain(30_000);
      expect(late.stats()).toMatchObject({ delivered: 0, deadLettered: 1 });
    } finally {
      await late.stop();
    }
    expect(delivered).toBe(0);
    const lines = deadLetters(file);
    expect(lines.map((line) => line.condition)).toEqual(['RecordAgeExceeded']);
    expect(await differences(inAreas('localAuthority#E06000972'))).not.toEqual([]);

    const window = modules.rebuild.deadLetterWindow(readFileSync(file, 'utf8'));
    expect(window).toMatchObject({ from: today(), to: today(), area: 'E06000972', exact: true });
    const report = await modules.rebuild.rebuildAggregates(window);
    expect(report).toMatchObject({ returnsRead: 1, applied: 1, alreadyCurrent: 0, areaDaysChecked: 1, mismatches: [] });
    expect(await differences()).toEqual([]);
  });

  test('beside an aggregator at work on newer returns of the same days: both converge on the stored returns', async () => {
    const file = join(scratch, 'second-dead-letters.jsonl');
    const failing = await poller({ handler: broken, maximumRetryAttempts: 1, deadLetterFile: file });
    try {
      for (const [index, location] of LOCATIONS.entries()) await put(location.locationId, daysAgo(1), 50 + index);
      await failing.drain(30_000);
      expect(failing.stats().deadLettered).toBe(LOCATIONS.length);
    } finally {
      await failing.stop();
    }
    expect(await differences()).not.toEqual([]);

    const working = await poller({ handler: aggregator, deadLetterFile: join(scratch, 'working-dead-letters.jsonl') });
    try {
      // Two rebuilds of England at once, while providers correct the same location-days again (which the
      // aggregator applies) and write a new day: every ledger write races someone else's.
      const writes = (async () => {
        for (const [index, location] of LOCATIONS.entries()) {
          await put(location.locationId, daysAgo(1), 60 + index);
          await put(location.locationId, daysAgo(3), 70 + index);
        }
      })();
      const rebuilds = await Promise.all([
        modules.rebuild.rebuildAggregates({ from: daysAgo(3), to: today() }),
        modules.rebuild.rebuildAggregates({ from: daysAgo(3), to: today() }),
        writes,
      ]);
      for (const report of rebuilds.slice(0, 2) as Array<Awaited<ReturnType<typeof modules.rebuild.rebuildAggregates>>>) {
        expect(report.failed).toEqual([]);
        expect(report.mismatches).toEqual([]);
      }
      await working.drain(60_000);
      expect(working.stats().deadLettered).toBe(0);
      expect(await differences()).toEqual([]);
      const quiet = await modules.rebuild.rebuildAggregates({ from: daysAgo(3), to: today() });
      expect(quiet).toMatchObject({ returnsRead: 20, applied: 0, alreadyCurrent: 20, failed: [], unsettled: [], mismatches: [] });
      expect(quiet.areaDaysChecked).toBe(4 * 6);
    } finally {
      await working.stop();
    }
  });

  test('an aggregate item damaged or lost outside the ledger is reported, and repaired only when asked, conditionally', async () => {
    // Damage one council's figures and lose a region's item: nothing the ledger knows about.
    await client.send(
      new UpdateItemCommand({
        TableName: system.tables.aggregates,
        Key: { areaKey: { S: 'localAuthority#E06000971' }, date: { S: daysAgo(1) } },
        UpdateExpression: 'ADD locationsReporting :five',
        ExpressionAttributeValues: { ':five': { N: '5' } },
      }),
    );
    await client.send(new DeleteItemCommand({ TableName: system.tables.aggregates, Key: { areaKey: { S: `region#${SOUTH_EAST}` }, date: { S: daysAgo(2) } } }));
    expect(await differences()).not.toEqual([]);

    const checked = await modules.rebuild.rebuildAggregates({ from: daysAgo(2), to: today() });
    expect(checked).toMatchObject({ applied: 0, repaired: [] });
    const found = checked.mismatches.map((mismatch) => [mismatch.ref.level, mismatch.ref.area, mismatch.date, mismatch.aggregate === undefined]).sort();
    expect(found).toEqual([['localAuthority', 'E06000971', daysAgo(1), false], ['region', SOUTH_EAST, daysAgo(2), true]].sort());
    const damaged = checked.mismatches.find((mismatch) => mismatch.ref.area === 'E06000971')!;
    expect(damaged.differences).toEqual([{ metric: 'locationsReporting', aggregate: 7, ledger: 2 }]);
    // A council's own rebuild sees its own item only.
    expect((await modules.rebuild.rebuildAggregates({ from: daysAgo(1), to: daysAgo(1), area: 'E06000971' })).mismatches.map((mismatch) => mismatch.ref.area)).toEqual(['E06000971']);
    // Repairing needs every ledger entry of an area-day: all of England.
    await expect(modules.rebuild.rebuildAggregates({ from: daysAgo(1), to: daysAgo(1), area: 'E06000971', repair: true })).rejects.toThrow(/all England/);

    const repaired = await modules.rebuild.rebuildAggregates({ from: daysAgo(2), to: today(), repair: true, settleMs: 50 });
    expect(repaired).toMatchObject({ mismatches: [], repairSkipped: 0 });
    expect(repaired.repaired).toHaveLength(2);
    expect(await differences()).toEqual([]);
    const remade = (await scanAll(client, system.tables.aggregates)).find((item) => item.areaKey === `region#${SOUTH_EAST}` && item.date === daysAgo(2));
    expect(remade).toMatchObject({ level: 'region', area: SOUTH_EAST, dateArea: `${daysAgo(2)}#${SOUTH_EAST}`, locationsExpected: 2, locationsReporting: 2 });
    expect((await modules.rebuild.rebuildAggregates({ from: daysAgo(2), to: today() })).mismatches).toEqual([]);
  });

  test('the command: from the dead-letter file, against the tables in the environment, reports nothing left', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/aggregates-rebuild.ts'), '--from-dead-letters', FIRST_DEAD_LETTERS()], {
      cwd: REPO_ROOT,
      env: process.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`report dates ${daysAgo(2)} to ${today()}, in England (E92000001)`);
    expect(run.stdout).toMatch(/area-days checked\s+18/);
    expect(run.stdout).toMatch(/location-days applied\s+0/);
    expect(run.stdout).toMatch(/mismatches\s+0/);
    expect(run.stdout).toContain('nothing applied and no mismatches');
  });
});
