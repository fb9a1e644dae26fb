import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { toCsv } from '#shared/http/csv';
import { BULK_COLUMNS, flattenReturn } from '#shared/model/returns/bulk';
import { BULK_MAX_BODY_BYTES, MAX_BULK_ROWS } from '#shared/model/schemas/bulk';
import type { DailyReturnInput } from '#shared/model/schemas/return';
import type { Location } from '#shared/model/schemas/location';
import { putLocations } from '#shared/repositories/locations';
import { putMemberships } from '#shared/repositories/memberships';
import { dynamo, dynamoClient } from '#shared/runtime/dynamodb';
import { call, daysAgo, designExample, newLocation, returnPath, today, tokenFor, useGateway, type CallOptions } from '../helpers/api';

/**
 * `POST /v1/returns/bulk` and `GET /v1/returns/bulk/template.csv` through the local gateway (the real
 * authorizer and handlers) on DynamoDB Local: every row checked before any is written, each written as
 * its PUT would be, and the template a provider downloads uploaded again as it is.
 */
const gateway = useGateway();
const RETURN_VERSIONS_TABLE = () => process.env.RETURN_VERSIONS_TABLE!;

type Row = { locationId: string; reportDate: string; figures?: DailyReturnInput };

/** A CSV in the template's columns, written as the template is (neutralised cells, CRLF). */
const csvOf = (rows: readonly Row[], options: { bom?: boolean; lf?: boolean } = {}) => {
  const text = toCsv(BULK_COLUMNS, rows.map(({ locationId, reportDate, figures }) => flattenReturn({ locationId, reportDate }, figures)));
  return (options.bom ? '\ufeff' : '') + (options.lf ? text.replace(/\r\n/g, '\n') : text);
};

const upload = (csv: string, options: CallOptions = {}) =>
  call(gateway.url(), 'POST', '/v1/returns/bulk', { ...options, rawBody: csv, headers: { 'content-type': 'text/csv; charset=utf-8', ...options.headers } });
const uploadJson = (body: unknown, options: CallOptions = {}) => call(gateway.url(), 'POST', '/v1/returns/bulk', { ...options, body });

/** The example's figures, varied by `n` so every row is its own. */
const figures = (n: number): DailyReturnInput => {
  const example = designExample();
  return { ...example, beds: { ...example.beds, occupied: 30 + (n % 10) }, workforce: { ...example.workforce, agencyStaffShifts: n % 7 }, notes: `row ${n}, as typed` };
};

/** Fresh care homes, each with the provider user (if given) as a member. */
async function homes(count: number, user?: string, overrides: Partial<Location> = {}): Promise<Location[]> {
  const made = Array.from({ length: count }, () => newLocation(overrides));
  await putLocations(made);
  if (user) await putMemberships(made.map(({ locationId }) => ({ userId: user, locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' })));
  return made;
}

async function versionsOf(locationId: string) {
  const { Items } = await dynamo.send(new QueryCommand({ TableName: RETURN_VERSIONS_TABLE(), KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId } }));
  return Items ?? [];
}

/** Every stored return of these locations, through the API, by `locationId#reportDate`. */
async function storedReturns(locationIds: readonly string[]): Promise<Map<string, any>> {
  const found = new Map<string, any>();
  for (let start = 0; start < locationIds.length; start += 20) {
    const pages = await Promise.all(
      locationIds.slice(start, start + 20).map((id) => call(gateway.url(), 'GET', `/v1/locations/${id}/returns?from=${daysAgo(7)}&to=${today()}`, { as: 'national' })),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      for (const stored of page.json.items) found.set(`${stored.locationId}#${stored.reportDate}`, stored);
    }
  }
  return found;
}

/** Each home × 5 days: a provider's week. */
function weekOf(locations: readonly Location[]): Row[] {
  return locations.flatMap((location, home) => [4, 3, 2, 1, 0].map((back, day) => ({ locationId: location.locationId, reportDate: daysAgo(back), figures: figures(home * 5 + day) })));
}

describe('POST /v1/returns/bulk', () => {
  const provider = `bulk-provider-${randomUUID()}`;
  const as = { sub: provider, role: 'provider' as const };

  test('a week of 40 homes (200 rows; 500 are timed by npm run bench, not here, so a loaded machine cannot fail it): every row written as its PUT would be, answered row by row in order, and readable afterwards', async () => {
    const locations = await homes(40, provider);
    const rows = weekOf(locations);
    const csv = csvOf(rows);
    expect(Buffer.byteLength(csv)).toBeLessThan(BULK_MAX_BODY_BYTES);

    const answer = await upload(csv, { as });
    expect(answer.status, answer.text.slice(0, 500)).toBe(200);
    expect(answer.json.items).toHaveLength(rows.length);
    expect(answer.json.items.map((item: any) => [item.row, item.locationId, item.reportDate, item.status, item.version])).toEqual(
      rows.map((row, index) => [index, row.locationId, row.reportDate, 201, 1]),
    );

    const stored = await storedReturns(locations.map(({ locationId }) => locationId));
    expect(stored.size).toBe(rows.length);
    for (const row of rows) {
      const saved = stored.get(`${row.locationId}#${row.reportDate}`);
      expect(saved).toMatchObject({ ...row.figures, version: 1, submittedBy: provider, schemaVersion: 1 });
    }
    // Freshness as the PUTs would leave it: each home's latest return is today's, and lastUpdated is when it was saved.
    for (const location of locations.slice(0, 3)) {
      const shown = (await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json;
      expect(shown.latestReturn.reportDate).toBe(today());
      expect(shown.lastUpdated).toBe(shown.latestReturn.submittedAt);
    }
  }, 120_000);

  test(`${MAX_BULK_ROWS} rows with one bad row: a 400 naming rows[k] and its field, and nothing written`, async () => {
    const locations = await homes(100, provider);
    const rows = weekOf(locations);
    const k = 317;
    const bad = figures(k);
    rows[k] = { ...rows[k]!, figures: { ...bad, vacancies: { ...bad.vacancies, nursing: { ...bad.vacancies.nursing!, male: -3 } } } };
    const answer = await upload(csvOf(rows), { as });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.json.errors).toEqual([{ path: `rows[${k}].vacancies.nursing.male`, message: 'must be 0 or more' }]);
    expect(answer.json.detail).toMatch(/Nothing was written/);
    expect((await storedReturns(locations.map(({ locationId }) => locationId))).size).toBe(0);
  }, 60_000);

  test('a file with a BOM and CRLF, and one with LF only, are both read', async () => {
    const [a, b] = await homes(2, provider);
    const withBom = await upload(csvOf([{ locationId: a!.locationId, reportDate: today(), figures: figures(1) }], { bom: true }), { as });
    expect(withBom.status, withBom.text).toBe(200);
    const withLf = await upload(csvOf([{ locationId: b!.locationId, reportDate: today(), figures: figures(2) }], { lf: true }), { as });
    expect(withLf.status, withLf.text).toBe(200);
    const stored = await storedReturns([a!.locationId, b!.locationId]);
    expect(stored.get(`${a!.locationId}#${today()}`).notes).toBe('row 1, as typed');
    expect(stored.get(`${b!.locationId}#${today()}`).beds.occupied).toBe(32);
  });

  test('a second upload of the same days is a correction of each (200, version 2), with the warnings a PUT would get', async () => {
    const [home] = await homes(1, provider, { registeredBeds: 20 });
    const rows = [{ locationId: home!.locationId, reportDate: daysAgo(1), figures: figures(0) }];
    expect((await upload(csvOf(rows), { as })).json.items[0]).toMatchObject({ status: 201, version: 1, warnings: ['bedsAboveRegistered'] });
    const again = await upload(csvOf(rows), { as });
    expect(again.json.items).toEqual([{ row: 0, locationId: home!.locationId, reportDate: daysAgo(1), status: 200, version: 2, warnings: ['bedsAboveRegistered'] }]);
    const stored = (await storedReturns([home!.locationId])).get(`${home!.locationId}#${daysAgo(1)}`);
    expect(stored.warnings.map((warning: any) => warning.code)).toEqual(['bedsAboveRegistered']);
    expect(await versionsOf(home!.locationId)).toHaveLength(2);
  });

  test("several days of one home in one upload: versions, warnings against the day before as PUTs in the upload's order would see it, version records, and freshness moved only by a day on or after the newest", async () => {
    const [home] = await homes(1, provider);
    const id = home!.locationId;
    const occupied = (beds: number): DailyReturnInput => ({ ...figures(0), beds: { ...figures(0).beds, occupied: beds } });
    const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
    const location = async () => (await call(gateway.url(), 'GET', `/v1/locations/${id}`)).json;
    const versions = async (day: string) => {
      const answer = await call(gateway.url(), 'GET', `${returnPath(id, day)}/versions`, { as: 'national' });
      expect(answer.status).toBe(200);
      return answer.json.items as any[];
    };
    // Stored first: yesterday (the newest report date) and 4 days ago, 30 beds occupied each. A swing over 15 beds is flagged.
    expect((await call(gateway.url(), 'PUT', returnPath(id, daysAgo(1)), { body: occupied(30) })).status).toBe(201);
    expect((await call(gateway.url(), 'PUT', returnPath(id, daysAgo(4)), { body: occupied(30) })).status).toBe(201);
    const before = await location();
    expect(before.latestReturn.reportDate).toBe(daysAgo(1));
    await nextSecond();

    // Every day older than the newest report date: 3 days ago (new; its day before is the stored 30: a swing), 4 days ago
    // corrected (after row 0, so row 0 saw the stored figures), 2 days ago (its day before is row 0's 50: no swing).
    const older = await upload(csvOf([
      { locationId: id, reportDate: daysAgo(3), figures: occupied(50) },
      { locationId: id, reportDate: daysAgo(4), figures: occupied(52) },
      { locationId: id, reportDate: daysAgo(2), figures: occupied(55) },
    ]), { as });
    expect(older.status, older.text).toBe(200);
    expect(older.json.items).toEqual([
      { row: 0, locationId: id, reportDate: daysAgo(3), status: 201, version: 1, warnings: ['largeSwing'] },
      { row: 1, locationId: id, reportDate: daysAgo(4), status: 200, version: 2 },
      { row: 2, locationId: id, reportDate: daysAgo(2), status: 201, version: 1 },
    ]);
    // Not an update: freshness stays where yesterday's PUT left it.
    const afterOlder = await location();
    expect(afterOlder.lastUpdated).toBe(before.lastUpdated);
    expect(afterOlder.latestReturn).toMatchObject({ reportDate: daysAgo(1), version: 1 });
    await nextSecond();

    // Today (new; the day before is yesterday's stored 30: a swing to 10) and yesterday corrected (its day before is the 55 above).
    const newer = await upload(csvOf([
      { locationId: id, reportDate: today(), figures: occupied(10) },
      { locationId: id, reportDate: daysAgo(1), figures: occupied(31) },
    ]), { as });
    expect(newer.status, newer.text).toBe(200);
    expect(newer.json.items).toEqual([
      { row: 0, locationId: id, reportDate: today(), status: 201, version: 1, warnings: ['largeSwing'] },
      { row: 1, locationId: id, reportDate: daysAgo(1), status: 200, version: 2, warnings: ['largeSwing'] },
    ]);

    const stored = await storedReturns([id]);
    expect([...stored.values()].map((day) => [day.reportDate, day.version, day.beds.occupied, day.warnings.map((warning: any) => warning.code)]).sort()).toEqual(
      [
        [daysAgo(4), 2, 52, []],
        [daysAgo(3), 1, 50, ['largeSwing']],
        [daysAgo(2), 1, 55, []],
        [daysAgo(1), 2, 31, ['largeSwing']],
        [today(), 1, 10, ['largeSwing']],
      ].sort(),
    );
    for (const day of stored.values()) expect(day).toMatchObject({ submittedBy: provider, schemaVersion: 1 });
    const uploadedAt = stored.get(`${id}#${today()}`).submittedAt;
    expect(stored.get(`${id}#${daysAgo(1)}`).submittedAt).toBe(uploadedAt);
    expect(stored.get(`${id}#${daysAgo(3)}`).submittedAt).not.toBe(uploadedAt);
    // The newest day was in it: freshness is the upload's time, and today is the latest return.
    const afterNewer = await location();
    expect(afterNewer.lastUpdated).toBe(uploadedAt);
    expect(afterNewer.lastUpdated > before.lastUpdated).toBe(true);
    expect(afterNewer.latestReturn).toMatchObject({ reportDate: today(), version: 1 });

    // A version record for every version written, the corrections' over what they replaced.
    const corrected = await versions(daysAgo(4));
    expect(corrected.map((version) => [version.version, version.submittedBy])).toEqual([[2, provider], [1, expect.any(String)]]);
    expect(corrected[0].changes).toEqual([{ path: 'beds.occupied', from: 30, to: 52 }]);
    expect(corrected[0].submittedAt).toBe(stored.get(`${id}#${daysAgo(3)}`).submittedAt);
    const yesterday = await versions(daysAgo(1));
    expect(yesterday.map((version) => version.version)).toEqual([2, 1]);
    expect(yesterday[0]).toMatchObject({ submittedAt: uploadedAt, comparedWith: { reportDate: daysAgo(1), version: 1 }, changes: [{ path: 'beds.occupied', from: 30, to: 31 }] });
    expect((await versions(daysAgo(2))).map((version) => [version.version, version.comparedWith])).toEqual([[1, { reportDate: daysAgo(3), version: 1 }]]);
    expect(await versionsOf(id)).toHaveLength(7);
  }, 60_000);

  test('a row for a home the caller is not a member of: the whole upload is a 403 naming the row, and nothing is written', async () => {
    const own = await homes(5, provider);
    const [stranger] = await homes(1);
    const rows: Row[] = own.map((location, index) => ({ locationId: location.locationId, reportDate: today(), figures: figures(index) }));
    rows.splice(3, 0, { locationId: stranger!.locationId, reportDate: today(), figures: figures(9) });
    const answer = await upload(csvOf(rows), { as });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.json.errors).toEqual([{ path: 'rows[3].locationId', message: `you are not a member of location ${stranger!.locationId}` }]);
    expect((await storedReturns([...own, stranger!].map(({ locationId }) => locationId))).size).toBe(0);
  });

  test('an unknown location is a 404 and an inactive one a 409, each naming the row; nothing is written', async () => {
    const [home] = await homes(1);
    const [closed] = await homes(1, undefined, { active: false });
    const unknown = await uploadJson({ items: [{ locationId: home!.locationId, reportDate: today(), return: figures(1) }, { locationId: '1-999999999', reportDate: today(), return: figures(2) }] });
    expect(unknown.status).toBe(404);
    expect(unknown.json.errors).toEqual([{ path: 'rows[1].locationId', message: 'no location 1-999999999 in the directory' }]);
    const inactive = await uploadJson({ items: [{ locationId: home!.locationId, reportDate: today(), return: figures(1) }, { locationId: closed!.locationId, reportDate: today(), return: figures(2) }] });
    expect(inactive.status).toBe(409);
    expect(inactive.json.errors).toEqual([{ path: 'rows[1].locationId', message: `location ${closed!.locationId} is not active; it takes no returns` }]);
    expect((await storedReturns([home!.locationId, closed!.locationId])).size).toBe(0);
  });

  test('the same location and day twice is a 400 on the second row; a category the location cannot have is a 400 at its row', async () => {
    const [home] = await homes(1, provider);
    const twice = await upload(csvOf([{ locationId: home!.locationId, reportDate: today(), figures: figures(1) }, { locationId: home!.locationId, reportDate: daysAgo(1), figures: figures(2) }, { locationId: home!.locationId, reportDate: today(), figures: figures(3) }]), { as });
    expect(twice.status).toBe(400);
    expect(twice.json.errors).toEqual([{ path: 'rows[2]', message: expect.stringContaining('the same location and day as rows[0]') }]);
    const [hospice] = await homes(1, provider, { type: 'hospice', categories: ['inpatient'] });
    const wrong = await upload(csvOf([{ locationId: home!.locationId, reportDate: today(), figures: figures(1) }, { locationId: hospice!.locationId, reportDate: today(), figures: figures(2) }]), { as });
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors[0]).toEqual({ path: 'rows[1].vacancies.residential', message: expect.stringContaining('is not reported by a hospice location') });
    expect((await storedReturns([home!.locationId, hospice!.locationId])).size).toBe(0);
  });

  test('the JSON form: items of { locationId, reportDate, return }, answered like the CSV; its errors name rows[n] too', async () => {
    const [a, b] = await homes(2, provider);
    const answer = await uploadJson({ items: [{ locationId: a!.locationId, reportDate: today(), return: figures(1) }, { locationId: b!.locationId, reportDate: daysAgo(2), return: figures(2) }] }, { as });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({
      items: [
        { row: 0, locationId: a!.locationId, reportDate: today(), status: 201, version: 1 },
        { row: 1, locationId: b!.locationId, reportDate: daysAgo(2), status: 201, version: 1 },
      ],
    });
    const bad = await uploadJson({ items: [{ locationId: a!.locationId, reportDate: today(), return: { ...figures(1), visiting: 'maybe' } }] }, { as });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([{ path: 'rows[0].visiting', message: expect.any(String) }]);
  });

  test('Idempotency-Key: a retry is the stored answer again and writes nothing; the key with another upload is a 422', async () => {
    const [home] = await homes(1, provider);
    const csv = csvOf([{ locationId: home!.locationId, reportDate: today(), figures: figures(4) }]);
    const key = randomUUID();
    const first = await upload(csv, { as, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(200);
    const retry = await upload(csv, { as, headers: { 'idempotency-key': key } });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect(await versionsOf(home!.locationId)).toHaveLength(1);
    const other = await upload(csvOf([{ locationId: home!.locationId, reportDate: today(), figures: figures(5) }]), { as, headers: { 'idempotency-key': key } });
    expect(other.status).toBe(422);
    expect(await versionsOf(home!.locationId)).toHaveLength(1);
  });

  test('without a token 401; a discharge user 403; an update link 403', async () => {
    const [home] = await homes(1, provider);
    const csv = csvOf([{ locationId: home!.locationId, reportDate: today(), figures: figures(1) }]);
    const anonymous = await upload(csv, { as: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    const discharge = await upload(csv, { as: { sub: 'bulk-discharge', role: 'discharge' } });
    expect(discharge.status).toBe(403);
    const { issueUpdateLink } = await import('#shared/services/auth/update-links');
    expect((await upload(csv, { as: { token: (await issueUpdateLink(home!.locationId)).token } })).status).toBe(403);
    expect(await versionsOf(home!.locationId)).toHaveLength(0);
  });

  test('the limits: more than 500 rows a 400 at rows, a body over 1 MiB a 413, another media type a 415; an empty body is no rows', async () => {
    const rows = Array.from({ length: MAX_BULK_ROWS + 1 }, (_, index) => ({ locationId: `1-8${String(index).padStart(8, '0')}`, reportDate: today(), figures: figures(index) }));
    const over = await upload(csvOf(rows));
    expect(over.status).toBe(400);
    expect(over.json.errors).toEqual([{ path: 'rows', message: expect.stringContaining(`this file has ${MAX_BULK_ROWS + 1}`) }]);
    const huge = await upload(`${BULK_COLUMNS.join(',')}\r\n${'x'.repeat(BULK_MAX_BODY_BYTES)}\r\n`);
    expect(huge.status).toBe(413);
    const plain = await call(gateway.url(), 'POST', '/v1/returns/bulk', { rawBody: 'a,b\r\n', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
    const latin1 = await upload('a,b\r\n', { headers: { 'content-type': 'text/csv; charset=windows-1252' } });
    expect(latin1.status).toBe(415);
    const empty = await call(gateway.url(), 'POST', '/v1/returns/bulk', {});
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({ items: [] });
  });
});

describe('an upload that stops part-way', () => {
  const provider = `bulk-stop-${randomUUID()}`;
  const as = { sub: provider, role: 'provider' as const };
  /** DynamoDB failing, as a network error (DESIGN §9: a mock only for a fault that cannot be produced for real). */
  let failWritesOf: string | undefined;
  beforeAll(() => {
    dynamoClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (failWritesOf !== undefined && context.commandName === 'TransactWriteItemsCommand' && JSON.stringify(args.input).includes(failWritesOf)) {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
        }
        return next(args);
      },
      { step: 'initialize', name: `bulkTestFault-${randomUUID()}` },
    );
  });
  afterEach(() => {
    failWritesOf = undefined;
  });

  test('a failed write: 503 naming the row, with what was written and what was not; the same upload again (same key) writes the rest', async () => {
    const locations = await homes(40, provider);
    const rows = weekOf(locations);
    // The first row of home 3 of 40: a home's rows are written in one go, 16 homes at a time, so the failure
    // comes in the first 16 (a home of a later 16 would start with 15 others, all of which would be written).
    const k = 15;
    failWritesOf = rows[k]!.locationId;
    const key = randomUUID();
    const stopped = await upload(csvOf(rows), { as, headers: { 'idempotency-key': key } });
    expect(stopped.status, stopped.text.slice(0, 500)).toBe(503);
    expect(stopped.headers.get('content-type')).toBe('application/problem+json');
    expect(stopped.headers.get('retry-after')).toBeTruthy();
    expect(stopped.json.errors[0]).toEqual({ path: `rows[${k}]`, message: expect.stringMatching(/database could not be reached/) });
    const written: any[] = stopped.json.written;
    const notWritten: any[] = stopped.json.notWritten;
    expect(written.length + notWritten.length).toBe(rows.length);
    expect(notWritten.map((row) => row.row)).toContain(k);
    expect(written.length).toBeGreaterThan(0);
    expect(notWritten.length).toBeGreaterThan(rows.length / 2);
    // A home's rows are one write: all of them written, or none (the failed home's five among those not).
    const writtenOf = (locationId: string) => written.filter((row) => row.locationId === locationId).length;
    expect(locations.map(({ locationId }) => writtenOf(locationId)).every((count) => count === 0 || count === 5)).toBe(true);
    expect(notWritten.map((row) => row.row)).toEqual(expect.arrayContaining([k, k + 1, k + 2, k + 3, k + 4]));

    const stored = await storedReturns(locations.map(({ locationId }) => locationId));
    expect([...stored.keys()].sort()).toEqual(written.map((row) => `${row.locationId}#${row.reportDate}`).sort());

    // Not a 2xx, so the key was not spent: the same upload again is processed, rows already written get a new version.
    failWritesOf = undefined;
    const again = await upload(csvOf(rows), { as, headers: { 'idempotency-key': key } });
    expect(again.status, again.text.slice(0, 500)).toBe(200);
    const wasWritten = new Set(written.map((row) => row.row));
    expect(again.json.items.map((item: any) => item.status)).toEqual(rows.map((_, index) => (wasWritten.has(index) ? 200 : 201)));
    expect((await storedReturns(locations.map(({ locationId }) => locationId))).size).toBe(rows.length);
  }, 120_000);
});

describe('GET /v1/returns/bulk/template.csv', () => {
  const provider = `bulk-template-${randomUUID()}`;
  const as = { sub: provider, role: 'provider' as const };
  let locations: Location[] = [];

  beforeAll(async () => {
    // Five homes of the provider's: three with returns (one a hospice), one with none, one closed; and one of someone else's.
    locations = [
      ...(await homes(1, provider, { name: 'Beech House', localAuthority: 'E08000021', region: 'E12000001' })),
      ...(await homes(1, provider, { name: 'Ash Court', categories: ['residential'] })),
      ...(await homes(1, provider, { name: 'Cedar Hospice', type: 'hospice', categories: ['inpatient'] })),
      ...(await homes(1, provider, { name: 'Damson Lodge' })),
      ...(await homes(1, provider, { name: 'Elm House (closed)', active: false })),
    ];
    await homes(1);
    const example = designExample();
    const put = (location: Location, body: DailyReturnInput, day: string) => call(gateway.url(), 'PUT', returnPath(location.locationId, day), { body });
    expect((await put(locations[0]!, { ...example, notes: '=see the rota, -2 agency' }, daysAgo(2))).status).toBe(201);
    expect((await put(locations[0]!, { ...example, beds: { ...example.beds, occupied: 44 }, notes: '=see the rota, -2 agency' }, daysAgo(1))).status).toBe(201);
    // Ash Court reports only residential beds; its latest return also had nursing vacancies (a warning).
    expect((await put(locations[1]!, example, daysAgo(3))).status).toBe(201);
    const { vacancies: _careHome, ...rest } = example;
    expect((await put(locations[2]!, { ...rest, vacancies: { inpatient: { male: 1, female: 0, any: 2 } }, beds: { occupied: 12, vacantReserved: 0, vacantNotAdmittable: 0 } }, daysAgo(1))).status).toBe(201);
  });

  const template = (options: CallOptions = {}, query = '') => call(gateway.url(), 'GET', `/v1/returns/bulk/template.csv${query}`, options);
  /** The template exactly as sent: fetch's text() drops a byte order mark, so its bytes are read as they are. */
  const templateText = async () => {
    const response = await fetch(`${gateway.url()}/v1/returns/bulk/template.csv`, { headers: { authorization: `Bearer ${await tokenFor(as)}` } });
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  };

  test("a row per active home of the provider's, by name, for today, with its latest figures; UTF-8 with a BOM, CRLF", async () => {
    const answer = await template({ as });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="returns-${today()}.csv"`);
    const sent = await templateText();
    expect(sent.startsWith(`\ufeff${BULK_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(sent.replace(/\r\n/g, '').includes('\n')).toBe(false);
    const rows = parse(answer.text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => [row.name, row.reportDate])).toEqual([
      ['Ash Court', today()],
      ['Beech House', today()],
      ['Cedar Hospice', today()],
      ['Damson Lodge', today()],
    ]);
    const [ash, beech, cedar, damson] = rows as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    expect(beech['beds.occupied']).toBe('44');
    expect(beech.notes).toBe("'=see the rota, -2 agency");
    expect(beech['vacancies.nursing.any']).toBe('2');
    expect(beech['vacancies.dementiaNursing.any']).toBe('');
    expect(beech['outbreak.active']).toBe('false');
    // Only the categories the home reports are filled.
    expect([ash['vacancies.residential.female'], ash['vacancies.nursing.any']]).toEqual(['1', '']);
    expect([cedar['vacancies.inpatient.any'], cedar['vacancies.residential.any']]).toEqual(['2', '']);
    expect(Object.entries(damson).filter(([column]) => !['locationId', 'reportDate', 'name'].includes(column)).every(([, cell]) => cell === '')).toBe(true);
  });

  test('uploaded again unchanged, it is accepted: each home with figures gets them as today’s return, the one without is skipped (204)', async () => {
    const csv = await templateText();
    expect(csv.startsWith('\ufeff')).toBe(true);
    const answer = await upload(csv, { as });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json.items.map((item: any) => item.status)).toEqual([201, 201, 201, 204]);
    const beech = (await call(gateway.url(), 'GET', `/v1/locations/${locations[0]!.locationId}`)).json.latestReturn;
    expect(beech).toMatchObject({ reportDate: today(), notes: '=see the rota, -2 agency', beds: { occupied: 44 } });
    const damson = await call(gateway.url(), 'GET', `/v1/locations/${locations[3]!.locationId}/returns`, { as: 'national' });
    expect(damson.json.items).toEqual([]);
  });

  test('an admin: its own memberships (none: the header alone), or an area’s active locations with ?area=', async () => {
    const none = await template({ as: { sub: `bulk-admin-${randomUUID()}`, role: 'admin' } });
    expect(none.status).toBe(200);
    // (fetch's text() has dropped the byte order mark)
    expect(none.text).toBe(`${BULK_COLUMNS.join(',')}\r\n`);
    const area = await template({ as: 'admin' }, '?area=E08000021');
    expect(area.status).toBe(200);
    const ids = (parse(area.text, { bom: true, columns: true }) as Array<Record<string, string>>).map((row) => row.locationId);
    expect(ids).toContain(locations[0]!.locationId);
    expect(ids).not.toContain(locations[1]!.locationId);
  });

  test('a provider may narrow its template to an area; a bad area is a 400; a discharge user 403; no token 401', async () => {
    const narrowed = await template({ as }, '?area=E12000001');
    expect((parse(narrowed.text, { bom: true, columns: true }) as Array<Record<string, string>>).map((row) => row.name)).toEqual(['Beech House']);
    const bad = await template({ as }, '?area=nowhere');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('query.area');
    expect((await template({ as: { sub: 'bulk-discharge', role: 'discharge' } })).status).toBe(403);
    expect((await template({ as: null })).status).toBe(401);
  });
});
