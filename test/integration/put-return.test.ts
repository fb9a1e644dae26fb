import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { dynamo } from '#shared/runtime/dynamodb';
import { call, createLocation, daysAgo, designExample, returnPath, today, tokenFor, useGateway } from '../helpers/api';

const gateway = useGateway();
const put = (path: string, body: unknown, headers: Record<string, string> = {}) => call(gateway.url(), 'PUT', path, { body, headers });
const get = (path: string, user?: string) => call(gateway.url(), 'GET', path, user ? { as: user } : {});
/** The DESIGN example with these bytes (an overlong '/', say) as its notes. */
function notesWithBytes(bytes: number[]): Buffer {
  const [before, after] = JSON.stringify({ ...designExample(), notes: 'BYTES' }).split('BYTES') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}
/** A body as bytes, which `call` (text) cannot send. */
async function putBytes(path: string, body: Buffer) {
  const response = await fetch(gateway.url() + path, { method: 'PUT', headers: { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' }, body: new Uint8Array(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

async function storedVersions(locationId: string) {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: process.env.RETURN_VERSIONS_TABLE, KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId } }),
  );
  return Items ?? [];
}

describe('PUT a daily return', () => {
  test('the DESIGN example is stored (201), shown on the location, and a second PUT is a correction (200, version 2)', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());

    const first = await put(path, designExample());
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ locationId: location.locationId, reportDate: today(), version: 1, submittedBy: 'admin', schemaVersion: 1, warnings: [] });
    expect(first.json.submittedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(first.headers.get('etag')).toBe('"1"');
    expect(first.headers.get('location')).toBe(path);

    const shown = await get(`/v1/locations/${location.locationId}`);
    expect(shown.status).toBe(200);
    expect(shown.json.latestReturn).toEqual(first.json);
    expect(shown.json.lastUpdated).toBe(first.json.submittedAt);

    const second = await put(path, { ...designExample(), beds: { ...designExample().beds, occupied: 40 } });
    expect(second.status).toBe(200);
    expect(second.json.version).toBe(2);
    expect((await get(`/v1/locations/${location.locationId}`)).json.latestReturn.beds.occupied).toBe(40);

    // Every version is kept for audit, not just the latest.
    const versions = await storedVersions(location.locationId);
    expect(versions.map((v) => [v.version, v.beds.occupied])).toEqual([
      [1, 41],
      [2, 40],
    ]);
  });

  test('If-Match: a stale version gets 412 and changes nothing; the current version is accepted', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    expect((await put(path, designExample(), { 'if-match': '"1"' })).status).toBe(412); // nothing to match yet
    expect((await put(path, designExample())).status).toBe(201);
    await put(path, designExample());

    const stale = await put(path, { ...designExample(), visiting: 'closed' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe('application/problem+json');
    expect((await get(`/v1/locations/${location.locationId}`)).json.latestReturn).toMatchObject({ version: 2, visiting: 'open' });

    const current = await put(path, { ...designExample(), visiting: 'closed' }, { 'if-match': '"2"' });
    expect(current.status).toBe(200);
    expect(current.json).toMatchObject({ version: 3, visiting: 'closed' });
    expect((await put(path, designExample(), { 'if-match': 'W/"3"' })).status).toBe(400);
  });

  test('simultaneous corrections of one day each get their own version and none is lost', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => put(path, { ...designExample(), workforce: { ...designExample().workforce, agencyStaffShifts: i } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(results.map((r) => r.json.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await storedVersions(location.locationId)).length).toBe(6);
  });

  test('implausible values are stored with warnings, in the response and the stored return', async () => {
    const location = await createLocation({ registeredBeds: 40 });
    const body = { ...designExample(), workforce: { staffEmployed: 10, staffAbsent: 12, staffAbsentCovid: 0, agencyStaffShifts: 0 } };
    const response = await put(returnPath(location.locationId, today()), body);
    expect(response.status).toBe(201);
    const codes = response.json.warnings.map((w: { code: string }) => w.code).sort();
    expect(codes).toEqual(['absentAboveEmployed', 'bedsAboveRegistered']);
    expect(response.json.warnings.find((w: { code: string }) => w.code === 'absentAboveEmployed').path).toBe('workforce.staffAbsent');
    expect((await get(`/v1/locations/${location.locationId}`)).json.latestReturn.warnings).toEqual(response.json.warnings);
  });

  test('a large swing from the previous day is flagged', async () => {
    const location = await createLocation({ registeredBeds: 60 });
    await put(returnPath(location.locationId, daysAgo(1)), designExample());
    const swung = await put(returnPath(location.locationId, today()), { ...designExample(), beds: { ...designExample().beds, occupied: 10 } });
    expect(swung.status).toBe(201);
    expect(swung.json.warnings.map((w: { code: string }) => w.code)).toContain('largeSwing');
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  const cases: Array<{ name: string; status: number; path?: string; send: (p: string) => Promise<{ status: number; json: any; headers: Headers }> }> = [
    { name: 'malformed JSON', status: 400, path: '', send: (p) => call(gateway.url(), 'PUT', p, { rawBody: '{"vacancies": ', headers: { 'content-type': 'application/json' } }) },
    { name: 'an unknown field', status: 400, path: 'colour', send: (p) => put(p, { ...designExample(), colour: 'blue' }) },
    { name: 'a negative count', status: 400, path: 'vacancies.nursing.male', send: (p) => put(p, { ...designExample(), vacancies: { ...designExample().vacancies, nursing: { male: -1, female: 0, any: 0 } } }) },
    { name: 'a closed home without a reason', status: 400, path: 'admissions.reason', send: (p) => put(p, { ...designExample(), admissions: { status: 'closed' } }) },
    { name: 'a count above 10,000', status: 400, path: 'beds.occupied', send: (p) => put(p, { ...designExample(), beds: { ...designExample().beds, occupied: 10_001 } }) },
    { name: 'a missing section', status: 400, path: 'ppe', send: (p) => put(p, { ...designExample(), ppe: undefined }) },
    { name: 'a body over 64 KiB', status: 413, send: (p) => put(p, { ...designExample(), notes: 'x'.repeat(70_000) }) },
    { name: 'a form-encoded body', status: 415, send: (p) => call(gateway.url(), 'PUT', p, { rawBody: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }) },
    // Found by fuzzing: the gateway decoded the bytes as text, U+FFFD in place of the bad ones, and the return was stored.
    { name: 'bytes that are not UTF-8 in a string', status: 400, path: '', send: (p) => putBytes(p, notesWithBytes([0xc0, 0xaf])) },
    { name: 'a weak If-Match', status: 400, path: 'headers.If-Match', send: (p) => put(p, designExample(), { 'if-match': 'W/"1"' }) },
  ];

  for (const testCase of cases) {
    test(`${testCase.name} → ${testCase.status}`, async () => {
      const location = await createLocation();
      const path = returnPath(location.locationId, today());
      const original = await put(path, designExample());
      const response = await testCase.send(path);
      expect(response.status).toBe(testCase.status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.json).toMatchObject({ status: testCase.status, title: expect.any(String), type: expect.any(String) });
      if (testCase.path !== undefined) expect(response.json.errors.map((e: { path: string }) => e.path)).toContain(testCase.path);
      const after = await get(`/v1/locations/${location.locationId}`);
      expect(after.json.latestReturn).toEqual(original.json);
    });
  }

  test('dates outside the window: future, more than 7 days back, not a real date', async () => {
    const location = await createLocation();
    const tomorrow = daysAgo(-1);
    const future = await put(returnPath(location.locationId, tomorrow), designExample());
    expect(future.status).toBe(400);
    expect(future.json.errors).toEqual([{ path: 'reportDate', message: expect.stringContaining('future') }]);
    const old = await put(returnPath(location.locationId, daysAgo(8)), designExample());
    expect(old.status).toBe(400);
    expect(old.json.errors[0].path).toBe('reportDate');
    expect((await put(returnPath(location.locationId, daysAgo(7)), designExample())).status).toBe(201);
    const unreal = await put(returnPath(location.locationId, '2026-02-30'), designExample());
    expect(unreal.status).toBe(400);
    expect(unreal.json.errors[0].path).toBe('reportDate');
    expect((await get(`/v1/locations/${location.locationId}/returns`, 'national')).json.items.map((r: { reportDate: string }) => r.reportDate)).toEqual([daysAgo(7)]);
  });

  test('unknown location → 404; malformed location id → 400; inactive location → 409', async () => {
    const missing = await put(returnPath('1-000000001', today()), designExample());
    expect(missing.status).toBe(404);
    const malformed = await put(returnPath('not-an-id', today()), designExample());
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].path).toBe('locationId');
    const inactive = await createLocation({ active: false });
    expect((await put(returnPath(inactive.locationId, today()), designExample())).status).toBe(409);
  });

  test('a hospice reports inpatient beds, not care-home categories', async () => {
    const hospice = await createLocation({ type: 'hospice', categories: ['inpatient'], registeredBeds: 20 });
    const { vacancies: _careHome, ...rest } = designExample();
    const wrong = await put(returnPath(hospice.locationId, today()), { ...rest, beds: { occupied: 12, vacantReserved: 0, vacantNotAdmittable: 0 }, vacancies: { residential: { male: 0, female: 0, any: 1 } } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['vacancies.inpatient', 'vacancies.residential']);
    const right = await put(returnPath(hospice.locationId, today()), { ...rest, beds: { occupied: 12, vacantReserved: 0, vacantNotAdmittable: 0 }, vacancies: { inpatient: { male: 1, female: 0, any: 2 } } });
    expect(right.status).toBe(201);
  });
});
