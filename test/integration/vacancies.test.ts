import { describe, expect, test } from 'vitest';
import { indexVacancies } from '#shared/repositories/vacancies';
import { toReturnItem } from '#shared/model/returns/return-item';
import { call, createLocation, designExample, returnPath, today, useGateway, type CallOptions } from '../helpers/api';
import { useAggregatorPoller } from '../helpers/search';
import { until } from '../helpers/wait';

const gateway = useGateway();
useAggregatorPoller();

// Authorities of the test's own, so searches by area see only its locations.
const AREA = 'E10000401';
const NEIGHBOUR = 'E10000402';
const REGION = 'E12000006';
const discharge: CallOptions['as'] = { sub: 'discharge-test', role: 'discharge' };
const search = (query: string, as: CallOptions['as'] = discharge) => call(gateway.url(), 'GET', `/v1/vacancies?${query}`, { as });
const ids = (response: Awaited<ReturnType<typeof search>>) => response.json.items.map((item: { locationId: string }) => item.locationId);

/**
 * Poll until the search says what is expected (the stream is asynchronous; this file's poller also carries
 * every other test file's returns); the benchmark measures how fast. The deadline is only for a failure.
 */
const eventually = (check: () => Promise<boolean>, what: string) => until(check, { timeoutMs: 60_000, intervalMs: 100, what });

const noVacancies = {
  residential: { male: 0, female: 0, any: 0 },
  nursing: { male: 0, female: 0, any: 0 },
};


describe('GET /v1/vacancies', () => {
  test('a vacancy appears after the PUT, filters combine, and it disappears when filled', async () => {
    const home = await createLocation({ localAuthority: AREA, region: REGION, name: 'Vacancy House' });
    const closed = await createLocation({ localAuthority: AREA, region: REGION, name: 'Closed House' });
    const put = (locationId: string, body: unknown) => call(gateway.url(), 'PUT', returnPath(locationId, today()), { body });
    // Home: one residential bed for a woman, two nursing beds for anyone.
    expect((await put(home.locationId, { ...designExample(), vacancies: { residential: { male: 0, female: 1, any: 0 }, nursing: { male: 0, female: 0, any: 2 } } })).status).toBe(201);
    // Instants are to the second: a second apart, so "freshest first" has an order to show.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Closed to admissions, yet reporting a nursing bed for a man.
    expect((await put(closed.locationId, { ...designExample(), admissions: { status: 'closed', reason: 'outbreak' }, vacancies: { residential: noVacancies.residential, nursing: { male: 1, female: 0, any: 0 } } })).status).toBe(201);

    await eventually(async () => ids(await search(`area=${AREA}`)).length === 2, 'both locations in the search');
    const everything = await search(`area=${AREA}`);
    // Freshest first: the closed house reported last.
    expect(ids(everything)).toEqual([closed.locationId, home.locationId]);
    expect(everything.json.items[1]).toMatchObject({ name: 'Vacancy House', localAuthority: AREA, region: REGION, matching: { category: 'any', total: 3, forMale: 2, forFemale: 3 }, admissions: { status: 'open' }, outbreakActive: false });

    expect(ids(await search(`area=${AREA}&category=residential`))).toEqual([home.locationId]);
    expect(ids(await search(`area=${AREA}&category=residential&sex=male`))).toEqual([]);
    expect(ids(await search(`area=${AREA}&category=residential&sex=female`))).toEqual([home.locationId]);
    expect(ids(await search(`area=${AREA}&category=nursing&sex=male`))).toEqual([closed.locationId, home.locationId]);
    expect(ids(await search(`area=${AREA}&category=nursing&sex=male&admitting=true`))).toEqual([home.locationId]);
    expect(ids(await search(`area=${NEIGHBOUR}`))).toEqual([]);
    // The region and England searches find it too.
    expect(ids(await search(`area=${REGION}&category=residential&sex=female&limit=100`))).toContain(home.locationId);

    // Filled: a correction with no vacancies takes it out of every search.
    expect((await put(home.locationId, { ...designExample(), vacancies: noVacancies })).status).toBe(200);
    await eventually(async () => !ids(await search(`area=${AREA}`)).includes(home.locationId), 'the filled home to drop out');
    expect(ids(await search(`area=${AREA}&category=nursing`))).toEqual([closed.locationId]);
  }, 150_000);

  test('a location that has not reported for 72 hours drops out, unless asked for', async () => {
    const old = await createLocation({ localAuthority: NEIGHBOUR, region: REGION });
    const submittedAt = new Date(Date.now() - 80 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await indexVacancies(toReturnItem({ ...designExample(), locationId: old.locationId, reportDate: '2026-01-01', version: 1, submittedAt, submittedBy: 'test', warnings: [], schemaVersion: 1 }, old));
    expect(ids(await search(`area=${NEIGHBOUR}`))).toEqual([]);
    expect(ids(await search(`area=${NEIGHBOUR}&updatedWithinHours=96`))).toEqual([old.locationId]);
  });

  test('commissioners search their own areas; bad queries are 400s naming the parameter', async () => {
    const east = { sub: 'c-east', role: 'commissioner' as const, areas: [REGION] };
    expect((await search(`area=${AREA}`, east)).status).toBe(200);
    expect((await search('area=E12000002', east)).status).toBe(403);
    expect((await search('', east)).status).toBe(200);
    for (const [query, field] of [
      ['category=castle', 'query.category'],
      ['sex=other', 'query.sex'],
      ['area=W06000001', 'query.area'],
      ['updatedWithinHours=0', 'query.updatedWithinHours'],
      ['admitting=yes', 'query.admitting'],
    ]) {
      const response = await search(query!);
      expect(response.status, query).toBe(400);
      expect(response.json.errors[0].path, query).toBe(field);
    }
  });

  test('a page token of the right shape from outside the window is a 400, not a 500 (found by fuzzing)', async () => {
    const token = Buffer.from(JSON.stringify({ searchKey: `${AREA}#nursing`, freshKey: '$where' })).toString('base64url');
    const response = await search(`area=${AREA}&category=nursing&nextToken=${token}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json.errors[0].path).toBe('query.nextToken');
  });
});
