import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';
import { ensureTables, exportTableNames, localTableNames } from '#scripts/local/local-tables';

/**
 * The directory import on the real 728 CQC care homes of ../shared/data, into tables of its own (so the
 * South West homes it adds cannot move other tests' counts).
 */
const DATA = join(REPO_ROOT, '..', 'shared', 'data');
const SAMPLE = join(DATA, 'cqc', 'devon-somerset-care-homes-2021.jsonl');
const ONS = join(DATA, 'ons');
const available = existsSync(SAMPLE) && existsSync(ONS);
const tables = localTableNames(`cqc${process.pid}${Date.now() % 100000}`);
const savedEnv = { ...process.env };
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
let importCqc: typeof import('#shared/services/directory/import').importCqc;
let getLocation: typeof import('#shared/repositories/locations').getLocation;

beforeAll(async () => {
  if (!available) return;
  exportTableNames(tables);
  await ensureTables(client, tables);
  importCqc = (await import('#shared/services/directory/import')).importCqc;
  getLocation = (await import('#shared/repositories/locations')).getLocation;
}, 60_000);

afterAll(() => {
  process.env = savedEnv;
  client.destroy();
});

describe.skipIf(!available)('npm run import:cqc on the real CQC sample', () => {
  const lines = available ? readFileSync(SAMPLE, 'utf8').split('\n').filter(Boolean) : [];

  test('the first import places all 728 homes in the councils responsible for them', async () => {
    const summary = await importCqc({ path: SAMPLE, onsDir: ONS });
    expect(summary.read).toBe(728);
    expect(summary.added).toBe(728);
    expect(summary.unplaced).toEqual({});
    expect(summary.skipped).toEqual({});
    expect(summary.changed).toEqual([]);

    // Counted back from the directory: Devon (a county, E10), Somerset (a unitary since 2023), Plymouth, Torbay.
    const { getLocations } = await import('#shared/repositories/locations');
    const ids = lines.map((line) => (JSON.parse(line) as { locationId: string }).locationId);
    const stored = (await Promise.all(Array.from({ length: Math.ceil(ids.length / 100) }, (_, n) => getLocations(ids.slice(n * 100, n * 100 + 100))))).flat();
    const perCouncil: Record<string, number> = {};
    for (const location of stored) perCouncil[location.localAuthority] = (perCouncil[location.localAuthority] ?? 0) + 1;
    expect(perCouncil).toEqual({ E10000008: 324, E06000066: 222, E06000026: 97, E06000027: 85 });
    expect(new Set(stored.map(({ region }) => region))).toEqual(new Set(['E12000009']));
    expect(stored.filter(({ active }) => !active)).toHaveLength(4);
    // County homes carry the district where their town or constituency names one of the county's (117 of Devon's 324).
    const devon = stored.filter(({ localAuthority }) => localAuthority === 'E10000008');
    expect(devon.filter(({ district }) => district?.startsWith('E07')).length).toBeGreaterThan(100);

    const home = JSON.parse(lines.find((line) => line.includes('"localAuthority": "Plymouth"'))!) as { locationId: string; numberOfBeds: number; name: string };
    expect(await getLocation(home.locationId)).toMatchObject({ name: home.name, registeredBeds: home.numberOfBeds, localAuthority: 'E06000026', district: 'E06000026', region: 'E12000009', type: 'careHome', active: true });
    const exeter = JSON.parse(lines.find((line) => line.includes('"postalAddressTownCity": "Exeter"') && line.includes('"localAuthority": "Devon"'))!) as { locationId: string };
    expect(await getLocation(exeter.locationId)).toMatchObject({ localAuthority: 'E10000008', district: 'E07000041' });

    // Where each is and how to call it, for "find a bed near here": every home has coordinates in
    // England (the sample's are all in Devon and Somerset), 716 a phone number, as the CQC gives them.
    expect(stored.filter(({ latitude, longitude }) => latitude !== undefined && longitude !== undefined)).toHaveLength(728);
    for (const { latitude, longitude } of stored) {
      expect(latitude).toBeGreaterThan(50);
      expect(latitude).toBeLessThan(51.5);
      expect(longitude).toBeGreaterThan(-4.7);
      expect(longitude).toBeLessThan(-2.2);
    }
    expect(stored.filter(({ phone }) => phone !== undefined)).toHaveLength(716);
    expect(stored.filter(({ address, postcode }) => address && postcode)).toHaveLength(728);
    expect(await getLocation('1-1000587219')).toMatchObject({
      name: 'Highlands Borders Care Home',
      address: '22 Salutary Mount, Heavitree, Exeter, Devon',
      postcode: 'EX1 2QE',
      phone: '01392491261',
      latitude: 50.721541,
      longitude: -3.508053,
    });
    // One without a phone number (the CQC gives none) has no phone, not an empty one.
    const silent = stored.find(({ locationId }) => locationId === '1-6418545700');
    expect(silent).toBeDefined();
    expect(silent).not.toHaveProperty('phone');
  });

  test('importing the same file again changes nothing', async () => {
    const summary = await importCqc({ path: SAMPLE, onsDir: ONS });
    expect(summary.added).toBe(0);
    expect(summary.changed).toEqual([]);
    expect(summary.unchanged).toBe(728);
  });

  test('a changed record updates that one location and keeps what the system owns; a dormant one is deactivated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-cqc-'));
    const torbay = lines.filter((line) => line.includes('"localAuthority": "Torbay"'));
    const first = JSON.parse(torbay[0]!);
    const second = JSON.parse(torbay[1]!);
    const third = JSON.parse(torbay[2]!);
    const fourth = JSON.parse(torbay[3]!);
    expect(third.mainPhoneNumber).toBeTruthy();
    expect(fourth.mainPhoneNumber).toBeTruthy();
    // Meanwhile the home reported: the import must not lose that.
    const { dynamo } = await import('#shared/runtime/dynamodb');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await dynamo.send(new UpdateCommand({ TableName: tables.locations, Key: { locationId: first.locationId }, UpdateExpression: 'SET lastUpdated = :at, freshness = :at', ExpressionAttributeValues: { ':at': '2026-11-24T08:00:00Z' } }));

    const edited = lines.map((line) => {
      const record = JSON.parse(line);
      if (record.locationId === first.locationId) return JSON.stringify({ ...record, numberOfBeds: record.numberOfBeds + 5 });
      if (record.locationId === second.locationId) return JSON.stringify({ ...record, dormancy: 'Y' });
      // A new phone number and a move next door; a number the CQC no longer gives.
      if (record.locationId === third.locationId) return JSON.stringify({ ...record, mainPhoneNumber: '1632960001', onspdLatitude: record.onspdLatitude + 0.001 });
      if (record.locationId === fourth.locationId) return JSON.stringify({ ...record, mainPhoneNumber: '' });
      return line;
    });
    writeFileSync(join(dir, 'edited.jsonl'), `${edited.join('\n')}\n`);
    const summary = await importCqc({ path: join(dir, 'edited.jsonl'), onsDir: ONS });
    // In file order: the first Torbay home, then the second.
    expect(summary.changed).toEqual([
      { locationId: first.locationId, fields: ['registeredBeds'] },
      { locationId: second.locationId, fields: ['active'] },
      { locationId: third.locationId, fields: ['phone', 'latitude'] },
      { locationId: fourth.locationId, fields: ['phone'] },
    ]);
    expect(summary.deactivated).toEqual([second.locationId]);
    expect(summary.added).toBe(0);
    expect(summary.unchanged).toBe(724);
    expect(await getLocation(first.locationId)).toMatchObject({ registeredBeds: first.numberOfBeds + 5, lastUpdated: '2026-11-24T08:00:00Z' });
    expect((await getLocation(second.locationId))?.active).toBe(false);
    expect(await getLocation(third.locationId)).toMatchObject({ phone: '01632960001', latitude: third.onspdLatitude + 0.001, longitude: third.onspdLongitude, postcode: third.postalCode });
    const unreachable = await getLocation(fourth.locationId);
    expect(unreachable).not.toHaveProperty('phone');
    expect(unreachable).toMatchObject({ postcode: fourth.postalCode, latitude: fourth.onspdLatitude, longitude: fourth.onspdLongitude });
  });

  test('the same records as a JSON array, or a folder of files, import the same; an operator places a name the lookups do not know', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-cqc-'));
    // Somerset's homes as a record might name the council: a spelling the ONS lookups have never seen.
    const somerset = lines
      .filter((line) => line.includes('"localAuthority": "Somerset"'))
      .slice(0, 3)
      .map((line) => JSON.stringify({ ...JSON.parse(line), localAuthority: 'Somerset Council (unitary)' }));
    writeFileSync(join(dir, 'array.json'), `[${somerset.join(',')}]`);
    expect((await importCqc({ path: join(dir, 'array.json'), onsDir: ONS })).unplaced).toEqual({ 'Somerset Council (unitary)': 3 });
    const asArray = await importCqc({ path: join(dir, 'array.json'), onsDir: ONS, places: { 'Somerset Council (unitary)': 'E06000066' } });
    expect(asArray.read).toBe(3);
    expect(asArray.added + asArray.unchanged).toBe(3);
    expect(asArray.unplaced).toEqual({});
    const folder = join(dir, 'each');
    mkdirSync(folder);
    somerset.forEach((line, index) => writeFileSync(join(folder, `${index}.json`), line));
    const asFolder = await importCqc({ path: folder, onsDir: ONS, places: { 'Somerset Council (unitary)': 'E06000066' } });
    expect(asFolder).toMatchObject({ read: 3, added: 0, unchanged: 3 });
  });
});
