import { describe, expect, test } from 'vitest';
import { areasOf } from '#shared/model/aggregates/areas';
import { contributionOf, difference, isZero, LOW_PPE_DAYS, metricsForApi, sum, zeroContribution } from '#shared/model/aggregates/metrics';
import { toReturnItem } from '#shared/model/returns/return-item';
import { entryFor, vacancyEntries } from '#shared/model/vacancies/entries';
import {
  applyChangesRequest,
  areaAggregatesRequest,
  batchStateRequests,
  levelAggregatesRequest,
  MAX_BATCH_GET_KEYS,
  MAX_TRANSACTION_ITEMS,
  planTransactions,
  type LedgerEntry,
} from '#shared/repositories/aggregates';
import { packUnits, unitsFor } from '#shared/services/aggregates/newest-returns';
import { tableName } from '#shared/runtime/settings';
import { designExample } from './fixtures';

const stored = (overrides: Partial<ReturnType<typeof designExample>> = {}, warnings: unknown[] = []) => ({ ...designExample(), ...overrides, warnings });

describe('contributionOf', () => {
  test('the DESIGN example adds one reporting location and its figures', () => {
    const c = contributionOf(stored());
    expect(c.locationsReporting).toBe(1);
    expect(c['vacancies.total']).toBe(3);
    expect(c['vacancies.residential']).toBe(1);
    expect(c['vacancies.nursing']).toBe(2);
    expect(c['vacancies.inpatient']).toBe(0);
    expect(c).toMatchObject({ bedsOccupied: 41, bedsVacantReserved: 1, bedsVacantNotAdmittable: 0, staffEmployed: 52, staffAbsent: 2, staffAbsentCovid: 0 });
    expect(c).toMatchObject({ locationsClosedToAdmissions: 0, locationsInOutbreak: 0, residentsConfirmed: 0, locationsWithLowPpe: 0, returnsWithWarnings: 0 });
  });

  test('flags: closed (not restricted), outbreak, low PPE below 7 days, warnings', () => {
    expect(contributionOf(stored({ admissions: { status: 'closed', reason: 'outbreak' } })).locationsClosedToAdmissions).toBe(1);
    expect(contributionOf(stored({ admissions: { status: 'restricted', reason: 'staffing' } })).locationsClosedToAdmissions).toBe(0);
    expect(contributionOf(stored({ outbreak: { active: true, residentsConfirmed: 3, residentsSuspected: 1, staffConfirmed: 0 } }))).toMatchObject({ locationsInOutbreak: 1, residentsConfirmed: 3 });
    const ppe = designExample().ppe;
    expect(contributionOf(stored({ ppe: { ...ppe, ffp3Masks: LOW_PPE_DAYS - 1 } })).locationsWithLowPpe).toBe(1);
    expect(contributionOf(stored({ ppe: { ...ppe, ffp3Masks: LOW_PPE_DAYS } })).locationsWithLowPpe).toBe(0);
    expect(contributionOf(stored({}, [{ code: 'x' }])).returnsWithWarnings).toBe(1);
  });

  test('sum, difference and zero are consistent', () => {
    const a = contributionOf(stored());
    const b = contributionOf(stored({ beds: { occupied: 30, vacantReserved: 0, vacantNotAdmittable: 2, notAdmittableReason: 'staffing' } }));
    expect(difference(sum([a, b]), b)).toEqual(a);
    expect(isZero(difference(a, a))).toBe(true);
    expect(isZero(zeroContribution())).toBe(true);
    expect(metricsForApi(a).vacancies).toMatchObject({ total: 3, residential: 1, nursing: 2, inpatient: 0 });
  });
});

describe('applyChangesRequest', () => {
  const tables = { aggregates: 'agg', ledger: 'ledger' };
  const place = { localAuthority: 'E08000004', region: 'E12000002' };
  const entry = (version: number, occupied: number, where = place, locationId = '1-109570155', reportDate = '2026-11-22'): LedgerEntry => ({
    locationId,
    reportDate,
    appliedVersion: version,
    contribution: contributionOf(stored({ beds: { occupied, vacantReserved: 0, vacantNotAdmittable: 0 } })),
    ...where,
  });
  const addsOf = (update: { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> }) => {
    const adds = update.UpdateExpression!.split(' ADD ')[1]!.split(', ');
    return Object.fromEntries(adds.map((add) => {
      const [name, value] = add.split(' ') as [string, string];
      return [update.ExpressionAttributeNames![name], update.ExpressionAttributeValues![value]];
    }));
  };

  test('a first return creates the ledger entry and adds its figures to its three areas', () => {
    const request = applyChangesRequest([{ previous: undefined, next: entry(1, 41) }], () => 12, tables);
    const [ledger, ...updates] = request.TransactItems!;
    expect(ledger!.Put).toMatchObject({ TableName: 'ledger', ConditionExpression: 'attribute_not_exists(locationId)' });
    expect(updates.map((u) => u.Update!.Key)).toEqual(areasOf(place).map((ref) => ({ areaKey: `${ref.level}#${ref.area}`, date: '2026-11-22' })));
    for (const update of updates) {
      expect(addsOf(update.Update!)).toMatchObject({ locationsReporting: 1, bedsOccupied: 41 });
      expect(update.Update!.ExpressionAttributeValues![':expected']).toBe(12);
      expect(update.Update!.UpdateExpression).toContain('locationsExpected = if_not_exists(locationsExpected, :expected)');
    }
    // The local authority's aggregate knows its region, so a commissioner's region can see it.
    expect(updates[0]!.Update!.ExpressionAttributeValues![':region']).toBe('E12000002');
  });

  test('a correction moves each area by (new - old) only, guarded by the version it replaces', () => {
    const request = applyChangesRequest([{ previous: entry(1, 41), next: entry(2, 38) }], () => 12, tables);
    const [ledger, ...updates] = request.TransactItems!;
    expect(ledger!.Put).toMatchObject({ ConditionExpression: 'appliedVersion = :seen', ExpressionAttributeValues: { ':seen': 1 } });
    expect(updates).toHaveLength(3);
    for (const update of updates) expect(addsOf(update.Update!)).toEqual({ bedsOccupied: -3 });
  });

  test('a correction that changes nothing writes only the ledger', () => {
    expect(applyChangesRequest([{ previous: entry(1, 41), next: entry(2, 41) }], () => 12, tables).TransactItems).toHaveLength(1);
  });

  test('a location that moved area leaves the old areas and joins the new ones; England just moves by the difference', () => {
    const moved = { localAuthority: 'E06000027', region: 'E12000009' };
    const request = applyChangesRequest([{ previous: entry(1, 41), next: entry(2, 40, moved) }], () => 5, tables);
    const byArea = Object.fromEntries(request.TransactItems!.slice(1).map((item) => [item.Update!.Key!.areaKey, addsOf(item.Update!)]));
    expect(byArea['localAuthority#E08000004']).toMatchObject({ locationsReporting: -1, bedsOccupied: -41 });
    expect(byArea['region#E12000002']).toMatchObject({ locationsReporting: -1, bedsOccupied: -41 });
    expect(byArea['localAuthority#E06000027']).toMatchObject({ locationsReporting: 1, bedsOccupied: 40 });
    expect(byArea['england#E92000001']).toEqual({ bedsOccupied: -1 });
  });
});

describe('a batch of changes', () => {
  const tables = { aggregates: 'agg', ledger: 'ledger' };
  const at = (index: number, where = { localAuthority: 'E08000004', region: 'E12000002' }, reportDate = '2026-11-22'): LedgerEntry => ({
    locationId: `1-1000000${String(index).padStart(2, '0')}`,
    reportDate,
    appliedVersion: 1,
    contribution: contributionOf(stored()),
    ...where,
  });

  test('sums the changes of one area-day into one update, with a ledger item per location-day', () => {
    const request = applyChangesRequest([{ previous: undefined, next: at(1) }, { previous: undefined, next: at(2) }], () => 9, tables);
    const items = request.TransactItems!;
    expect(items.filter((item) => item.Put)).toHaveLength(2);
    const updates = items.filter((item) => item.Update);
    expect(updates).toHaveLength(3);
    for (const update of updates) expect(update.Update!.ExpressionAttributeValues).toMatchObject({ ':m0': 2 }); // locationsReporting
  });

  test('separates days: the same area on two days is two aggregate items', () => {
    const request = applyChangesRequest([{ previous: undefined, next: at(1) }, { previous: undefined, next: at(1, undefined, '2026-11-23') }], () => 9, tables);
    expect(request.TransactItems!.filter((item) => item.Update)).toHaveLength(6);
  });

  test('groups never exceed the transaction limit, and keep every change once', () => {
    const authorities = ['E08000001', 'E08000002', 'E08000003', 'E08000004', 'E08000005', 'E08000006', 'E08000007', 'E08000008'];
    const changes = Array.from({ length: 200 }, (_, i) => ({
      previous: undefined,
      next: at(i % 90, { localAuthority: authorities[i % authorities.length]!, region: `E1200000${(i % 9) + 1}` }, `2026-11-${String(10 + (i % 5)).padStart(2, '0')}`),
    }));
    const groups = planTransactions(changes);
    expect(groups.flat()).toEqual(changes);
    for (const group of groups) expect(applyChangesRequest(group, () => 1, tables).TransactItems!.length).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    expect(groups.length).toBeLessThan(changes.length / 10);
  });
});

describe('aggregate read requests', () => {
  test('one area: its key and the date range; a token for another area is refused', () => {
    const request = areaAggregatesRequest({ level: 'region', area: 'E12000002' }, '2026-11-01', '2026-11-30', 50, undefined, 'agg');
    expect(request.ExpressionAttributeValues).toEqual({ ':areaKey': 'region#E12000002', ':from': '2026-11-01', ':to': '2026-11-30' });
    const token = Buffer.from(JSON.stringify({ areaKey: 'region#E12000001', date: '2026-11-02' })).toString('base64url');
    expect(() => areaAggregatesRequest({ level: 'region', area: 'E12000002' }, '2026-11-01', '2026-11-30', 50, token, 'agg')).toThrow();
  });

  test('a token whose day lies outside the range asked for is refused (DynamoDB would refuse the query: a 500)', () => {
    const area = (date: string) => Buffer.from(JSON.stringify({ areaKey: 'region#E12000002', date })).toString('base64url');
    expect(areaAggregatesRequest({ level: 'region', area: 'E12000002' }, '2026-11-01', '2026-11-30', 50, area('2026-11-30'), 'agg').ExclusiveStartKey).toEqual({ areaKey: 'region#E12000002', date: '2026-11-30' });
    for (const date of ['2026-10-31', '2026-12-01']) expect(() => areaAggregatesRequest({ level: 'region', area: 'E12000002' }, '2026-11-01', '2026-11-30', 50, area(date), 'agg')).toThrow();
    const level = (dateArea: string) => Buffer.from(JSON.stringify({ areaKey: 'localAuthority#E08000004', date: '2026-11-02', level: 'localAuthority', dateArea })).toString('base64url');
    expect(levelAggregatesRequest('localAuthority', '2026-11-01', '2026-11-30', 50, level('2026-11-30#E09000033'), 'agg').ExclusiveStartKey).toMatchObject({ dateArea: '2026-11-30#E09000033' });
    for (const dateArea of ['2026-10-31#E08000004', '2026-12-01#', '2026-11-30#~~']) expect(() => levelAggregatesRequest('localAuthority', '2026-11-01', '2026-11-30', 50, level(dateArea), 'agg')).toThrow();
  });

  test('a level: the byLevel index from the first day to the whole of the last', () => {
    const request = levelAggregatesRequest('localAuthority', '2026-11-01', '2026-11-30', 50, undefined, 'agg');
    expect(request.IndexName).toBe('byLevel');
    expect(request.ExpressionAttributeValues).toEqual({ ':level': 'localAuthority', ':from': '2026-11-01#', ':to': '2026-11-30#~' });
    expect('2026-11-30#E09000033' <= '2026-11-30#~').toBe(true);
  });
});

describe("a stream batch's state: one read of 100 keys at a time, over whichever tables", () => {
  const days = Array.from({ length: 100 }, (_, i) => ({ locationId: `1-2000000${String(i).padStart(3, '0')}`, reportDate: '2026-11-22' }));
  const ids = days.map(({ locationId }) => locationId);

  test('100 records of 100 locations: ledger entries, locations and manifests in 3 BatchGetItem requests, strongly consistent', () => {
    const requests = batchStateRequests([...days, ...days.slice(0, 10)], [...ids, ids[0]!]);
    expect(requests).toHaveLength(3);
    const keysIn = (request: (typeof requests)[number]) => Object.values(request.RequestItems!).reduce((total, { Keys }) => total + Keys!.length, 0);
    for (const request of requests) {
      expect(keysIn(request)).toBeLessThanOrEqual(MAX_BATCH_GET_KEYS);
      for (const table of Object.values(request.RequestItems!)) expect(table.ConsistentRead).toBe(true);
    }
    // Each key once (DynamoDB refuses a batch that names one twice), all 300 of them.
    expect(requests.reduce((total, request) => total + keysIn(request), 0)).toBe(300);
    const locations = requests.flatMap((request) => (request.RequestItems![tableName('locations')] ? [request.RequestItems![tableName('locations')]!] : []));
    // A location's place and its copy's version, not the copy itself.
    const projection = locations[0]!.ProjectionExpression!.replace(/#p\d+/g, (name) => locations[0]!.ExpressionAttributeNames![name]!);
    expect(projection).toBe('locationId, address, postcode, phone, latitude, longitude, latestReturn.reportDate, latestReturn.version');
    expect(requests.flatMap((request) => Object.keys(request.RequestItems!)).sort()).toEqual(
      [tableName('aggregateLedger'), tableName('locations'), tableName('vacancyIndex')].sort(),
    );
  });
});

describe("each location's newest return: its copy and its search entries", () => {
  const item = (version: number, reportDate = '2026-11-22') =>
    toReturnItem(
      { ...designExample(), locationId: '1-300000001', reportDate, version, submittedAt: `${reportDate}T08:0${version}:00Z`, submittedBy: 'test', warnings: [], schemaVersion: 1 },
      { localAuthority: 'E08000004', region: 'E12000002', name: 'Unit House', type: 'careHome' },
    );
  const place = { address: '1 Unit Road', latitude: 53.5, longitude: -2.1 };
  const manifestOf = (of: ReturnType<typeof item>, where = place) => ({
    reportDate: of.reportDate,
    version: of.version,
    entries: vacancyEntries(of, where).map(({ searchKey, freshKey }) => ({ searchKey, freshKey })),
  });
  const kinds = (units: ReturnType<typeof unitsFor>) => units.map(({ kind }) => kind);

  test('a newer return: the copy (one item) and the entries (manifest, stale ones deleted, new ones put) as two units', () => {
    const units = unitsFor(item(2), { latest: { reportDate: '2026-11-22', version: 1 }, place }, manifestOf(item(1)));
    expect(kinds(units)).toEqual(['copy', 'entries']);
    expect(units[0]!.parts).toHaveLength(1);
    expect(units[0]!.parts[0]!.Update!.ConditionExpression).toContain('latestReturn.version < :version');
    const entries = vacancyEntries(item(2), place);
    // The manifest, the old day's area entries (their keys carry the submit time), and the new entries.
    expect(units[1]!.parts.length).toBe(1 + entries.filter((entry) => !entry.searchKey.startsWith('near#')).length + entries.length);
  });

  test('a copy a return\'s own write keeps already, an index as new: nothing to do', () => {
    expect(unitsFor(item(2), { latest: { reportDate: '2026-11-22', version: 2 }, place }, manifestOf(item(2)))).toEqual([]);
    expect(unitsFor(item(2), { latest: { reportDate: '2026-11-23', version: 1 }, place }, manifestOf(item(1, '2026-11-23')))).toEqual([]);
  });

  test('the same version again, but the location has moved: indexed again, the copy left alone', () => {
    expect(kinds(unitsFor(item(2), { latest: { reportDate: '2026-11-22', version: 2 }, place: { ...place, latitude: 51.5 } }, manifestOf(item(2))))).toEqual(['entries']);
  });

  test('one entry per area and one in the latitude row, each with every category the return has a vacancy in', () => {
    const entries = vacancyEntries(item(2), place);
    expect(entries.map(({ searchKey }) => searchKey)).toEqual(['area#E08000004', 'area#E12000002', 'area#E92000001', 'near#2675']);
    // designExample: one residential bed for a woman, two nursing beds for anyone.
    expect(entries[0]!.byCategory).toEqual({
      residential: { forMale: 0, forFemale: 1, total: 1 },
      nursing: { forMale: 2, forFemale: 2, total: 2 },
      any: { forMale: 2, forFemale: 3, total: 3 },
    });
    expect(entryFor(entries[0]!, 'nursing')).toMatchObject({ category: 'nursing', forMale: 2, forFemale: 2, total: 2, locationId: '1-300000001' });
    expect(entryFor(entries[0]!, 'mentalHealth')).toBeUndefined();
  });

  test('no vacancy before and none now: nothing written, not even the manifest', () => {
    const none = { ...item(2), vacancies: { residential: { male: 0, female: 0, any: 0 }, nursing: { male: 0, female: 0, any: 0 } } };
    const noneBefore = { reportDate: '2026-11-21', version: 1, entries: [] };
    expect(unitsFor(none, { latest: { reportDate: '2026-11-22', version: 2 }, place }, noneBefore)).toEqual([]);
    expect(unitsFor(none, { latest: { reportDate: '2026-11-22', version: 2 }, place }, undefined)).toEqual([]);
    // Entries to take away: the manifest moves, and they go.
    expect(kinds(unitsFor(none, { latest: { reportDate: '2026-11-22', version: 2 }, place }, manifestOf(item(1))))).toEqual(['entries']);
  });

  test('a return older than the copy (a newer one is stored, and its record indexes it): its entries are left alone', () => {
    expect(unitsFor(item(1), { latest: { reportDate: '2026-11-22', version: 2 }, place }, manifestOf(item(1, '2026-11-21')))).toEqual([]);
  });

  test('a location not in the directory: no copy (the update would find no item), its entries all the same', () => {
    expect(kinds(unitsFor(item(1), undefined, undefined))).toEqual(['entries']);
  });

  test('units packed into transactions of at most 100 items, none split, no two both half empty', () => {
    const units = [...Array.from({ length: 90 }, (_, i) => ({ id: `e${i}`, parts: Array.from({ length: 19 + (i % 7) }) })), ...Array.from({ length: 90 }, (_, i) => ({ id: `c${i}`, parts: [0] }))];
    const packs = packUnits(units);
    const sizes = packs.map((pack) => pack.reduce((total, unit) => total + unit.parts.length, 0));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    expect(packs.flat().map(({ id }) => id).sort()).toEqual(units.map(({ id }) => id).sort());
    expect(sizes.filter((size) => size <= MAX_TRANSACTION_ITEMS / 2).length).toBeLessThanOrEqual(1);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(packs.length).toBeLessThanOrEqual(Math.ceil(total / 90) + 1);
  });
});
