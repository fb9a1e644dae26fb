import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanAll as scanTable } from '../helpers/scan';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';
import { ensureTables, exportTableNames, localTableNames } from '#scripts/local/local-tables';
import type { StreamPoller } from '#scripts/local/stream-poller';
import { aggregateKey, compareAggregates, recomputeAggregates, type StoredReturnItem } from '#scripts/oracle/recompute';
import { designExample } from '#scripts/seed/design-example';
import type { Area } from '#shared/model/directory/ons';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import type { Contribution } from '#shared/model/aggregates/metrics';
import type { DirectoryEntry } from '#shared/model/schemas/location';

/**
 * `npm run migrate:areas` on a stack holding data placed the old way: locations in two-tier districts
 * (E07) and in a county since replaced, with returns counted in those areas by the real aggregator. After
 * the migration every location is in its council, the aggregates equal the sums recomputed from the stored
 * returns, the old areas' rows are gone, the vacancy search finds the homes under their council, and a
 * second run moves nothing. Tables of its own, so other files' returns cannot move its aggregates.
 */
const tables = localTableNames(`mig${process.pid}${Date.now() % 100000}`);
const savedEnv = { ...process.env };
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const ONS = join(REPO_ROOT, '..', 'shared', 'data', 'ons');

/** The real ONS areas where ../shared/data is; else the few these locations need. */
async function areas(): Promise<Area[]> {
  if (existsSync(ONS)) {
    const { onsAreas, readOnsFiles } = await import('#shared/model/directory/ons');
    return onsAreas(readOnsFiles(ONS));
  }
  return [
    { level: 'region', code: 'E12000009', name: 'South West' },
    { level: 'localAuthority', code: 'E10000008', name: 'Devon', parent: 'E12000009' },
    { level: 'localAuthority', code: 'E06000026', name: 'Plymouth', parent: 'E12000009' },
    { level: 'localAuthority', code: 'E06000066', name: 'Somerset', parent: 'E12000009' },
    { level: 'district', code: 'E07000041', name: 'Exeter', parent: 'E10000008' },
    { level: 'district', code: 'E07000040', name: 'East Devon', parent: 'E10000008' },
    { level: 'district', code: 'E07000187', name: 'Mendip', parent: 'E06000066' },
  ];
}

const place = (index: number, localAuthority: string, extra: Partial<DirectoryEntry> = {}): DirectoryEntry => ({
  locationId: `1-7${String(index).padStart(8, '0')}`,
  providerId: '1-700000000',
  name: `Old Place ${index}`,
  type: 'careHome',
  categories: ['residential', 'nursing'],
  registeredBeds: 40,
  localAuthority,
  region: 'E12000009',
  active: true,
  lastUpdated: null,
  ...extra,
});
// Placed the old way: two in Exeter's district, one in East Devon's, one in Somerset's old county, one in
// Plymouth (a unitary: already a council), one inactive in Mendip.
const LOCATIONS = [
  place(1, 'E07000041'),
  place(2, 'E07000041'),
  place(3, 'E07000040'),
  place(4, 'E10000027'),
  place(5, 'E06000026'),
  place(6, 'E07000187', { active: false }),
];

let poller: StreamPoller;
let modules: {
  migrateAreas: typeof import('#shared/services/directory/migrate-areas').migrateAreas;
  getLocation: typeof import('#shared/repositories/locations').getLocation;
  searchVacancies: typeof import('#shared/repositories/vacancies').searchVacancies;
};

const scanAll = (table: string) => scanTable(client, table);

async function aggregatesMatchReturns(): Promise<ReturnType<typeof compareAggregates>> {
  const expected = recomputeAggregates((await scanAll(tables.returns)) as unknown as StoredReturnItem[]);
  const actual = new Map((await scanAll(tables.aggregates)).map((item) => [aggregateKey(String(item.areaKey), String(item.date)), item as Partial<Contribution>]));
  return compareAggregates(expected, actual);
}

beforeAll(async () => {
  exportTableNames(tables);
  await ensureTables(client, tables);
  const { putLocations, getLocation } = await import('#shared/repositories/locations');
  const { submitReturn } = await import('#shared/services/returns/submit');
  const aggregator = await import('#functions/aggregator');
  const { startStreamPoller } = await import('#scripts/local/stream-poller');
  modules = {
    migrateAreas: (await import('#shared/services/directory/migrate-areas')).migrateAreas,
    getLocation,
    searchVacancies: (await import('#shared/repositories/vacancies')).searchVacancies,
  };
  poller = await startStreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    tableName: tables.returns,
    functionName: 'aggregator',
    handler: aggregator.handler as unknown as (event: DynamoDBStreamEvent, context: Context) => Promise<void>,
    pollIntervalMs: 20,
    deadLetterFile: join(mkdtempSync(join(tmpdir(), 'ct-migrate-')), 'dead-letters.jsonl'),
  });
  // The old placing: written while the district (or old county) was the local authority.
  await putLocations(LOCATIONS.map((location) => ({ ...location, active: true })));
  const now = new Date();
  const example = designExample();
  const figures = (occupied: number) => ({ ...example, vacancies: { residential: example.vacancies.residential, nursing: { male: 0, female: 1, any: 2 } }, beds: { ...example.beds, occupied } });
  for (const [index, location] of LOCATIONS.entries()) {
    for (const back of [2, 1, 0]) {
      await submitReturn({ locationId: location.locationId, reportDate: addDays(londonDay(now), -back), submittedBy: { userId: 'migration-test' }, now }, figures(20 + index + back));
    }
  }
  await putLocations(LOCATIONS.filter(({ active }) => !active));
  await poller.drain(60_000);
}, 120_000);

afterAll(async () => {
  await poller?.stop();
  process.env = savedEnv;
  client.destroy();
});

describe('npm run migrate:areas on data placed the old way', () => {
  test('before: the aggregates count the districts and the old county', async () => {
    expect(await aggregatesMatchReturns()).toEqual([]);
    const areasCounted = new Set((await scanAll(tables.aggregates)).filter((row) => row.level === 'localAuthority').map((row) => String(row.area)));
    expect(areasCounted).toEqual(new Set(['E07000041', 'E07000040', 'E10000027', 'E06000026', 'E07000187']));
    // Readable as stored, before it is moved.
    expect((await modules.getLocation(LOCATIONS[0]!.locationId))?.localAuthority).toBe('E07000041');
  });

  test('after: every location in its council with its district, the aggregates exact, the old rows gone, the search by council', async () => {
    const summary = await modules.migrateAreas(await areas());
    expect(summary).toMatchObject({ locations: 6, moved: 6, returnsMoved: 15, returnsRaced: 0, daysMoved: 15, unplaceable: [], rowsStillCounting: 0 });
    expect(summary.emptyRowsDeleted).toBe(4 * 3);
    await poller.drain(60_000);

    const placed = await Promise.all(LOCATIONS.map((location) => modules.getLocation(location.locationId)));
    expect(placed.map((location) => [location?.localAuthority, location?.district ?? null])).toEqual([
      ['E10000008', 'E07000041'],
      ['E10000008', 'E07000041'],
      ['E10000008', 'E07000040'],
      ['E06000066', null],
      ['E06000026', 'E06000026'],
      ['E06000066', 'E07000187'],
    ]);
    expect(await aggregatesMatchReturns()).toEqual([]);
    const rows = (await scanAll(tables.aggregates)).filter((row) => row.level === 'localAuthority');
    expect(new Set(rows.map((row) => String(row.area)))).toEqual(new Set(['E10000008', 'E06000066', 'E06000026']));
    const devonToday = rows.find((row) => row.area === 'E10000008' && row.date === londonDay(new Date()));
    expect(devonToday).toMatchObject({ locationsReporting: 3 });
    // The returns carry the council; the vacancy search finds Devon's three under Devon, none under Exeter.
    const returns = await scanAll(tables.returns);
    expect(returns.filter((item) => String(item.localAuthority).startsWith('E07'))).toEqual([]);
    const search = (area: string) => modules.searchVacancies({ area, category: 'nursing', admittingOnly: false, updatedSince: '2000-01-01T00:00:00Z', limit: 50 });
    expect((await search('E10000008')).items.map((entry) => entry.locationId).sort()).toEqual(LOCATIONS.slice(0, 3).map(({ locationId }) => locationId));
    expect((await search('E07000041')).items).toEqual([]);
  });

  test('a second run moves nothing', async () => {
    expect(await modules.migrateAreas(await areas())).toMatchObject({ moved: 0, returnsMoved: 0, daysMoved: 0, emptyRowsDeleted: 0, rowsStillCounting: 0 });
    expect(await aggregatesMatchReturns()).toEqual([]);
  });
});
