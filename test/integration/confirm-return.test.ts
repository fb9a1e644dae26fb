import { describe, expect, test } from 'vitest';
import { call, createLocation, daysAgo, designExample, returnPath, today, useGateway } from '../helpers/api';

const gateway = useGateway();
const confirm = (locationId: string, reportDate: string, options: { headers?: Record<string, string>; rawBody?: string } = {}) =>
  call(gateway.url(), 'POST', `${returnPath(locationId, reportDate)}/confirm`, options);

describe('"nothing has changed"', () => {
  test('with no earlier return there is nothing to repeat: 409, nothing stored', async () => {
    const location = await createLocation();
    const response = await confirm(location.locationId, today());
    expect(response.status).toBe(409);
    expect(response.json.detail).toMatch(/no earlier return/);
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.latestReturn).toBeNull();
  });

  test("stores yesterday's figures as today's return in one click, then as a new version", async () => {
    const location = await createLocation();
    const yesterday = await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(1)), { body: designExample() });
    expect(yesterday.status).toBe(201);

    const confirmed = await confirm(location.locationId, today());
    expect(confirmed.status).toBe(201);
    expect(confirmed.json).toMatchObject({
      reportDate: today(),
      version: 1,
      vacancies: designExample().vacancies,
      beds: designExample().beds,
      confirmedFrom: { reportDate: daysAgo(1), version: 1 },
    });

    const again = await confirm(location.locationId, today(), { headers: { 'if-match': '"1"' } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ version: 2, confirmedFrom: { reportDate: today(), version: 1 } });
    expect((await confirm(location.locationId, today(), { headers: { 'if-match': '"1"' } })).status).toBe(412);
  });

  test('naming the return it was shown, a confirm is refused (409, nothing written) once another has been saved', async () => {
    const location = await createLocation();
    await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(1)), { body: designExample() });
    const shown = { repeats: { reportDate: daysAgo(1), version: 1 } };
    await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(1)), { body: { ...designExample(), beds: { ...designExample().beds, occupied: 9 } } });

    const stale = await call(gateway.url(), 'POST', `${returnPath(location.locationId, today())}/confirm`, { body: shown });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ type: expect.stringMatching(/changed-meanwhile$/), detail: expect.stringContaining('version 2') });
    expect(stale.headers.get('retry-after')).toBe('1');
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.latestReturn.reportDate).toBe(daysAgo(1));

    const current = await call(gateway.url(), 'POST', `${returnPath(location.locationId, today())}/confirm`, { body: { repeats: { reportDate: daysAgo(1), version: 2 } } });
    expect(current.status).toBe(201);
    expect(current.json).toMatchObject({ beds: { occupied: 9 }, confirmedFrom: { reportDate: daysAgo(1), version: 2 } });
    const badBody = await call(gateway.url(), 'POST', `${returnPath(location.locationId, today())}/confirm`, { body: { repeats: { reportDate: 'yesterday', version: 0 } } });
    expect(badBody.status).toBe(400);
    expect(new Set(badBody.json.errors.map((error: { path: string }) => error.path))).toEqual(new Set(['repeats.reportDate', 'repeats.version']));
  });

  test('an unexpected body or a future day is refused', async () => {
    const location = await createLocation();
    await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: designExample() });
    const withBody = await confirm(location.locationId, today(), { rawBody: '{"beds":1}', headers: { 'content-type': 'application/json' } });
    expect(withBody.status).toBe(400);
    expect(withBody.json.errors[0]).toEqual({ path: 'beds', message: 'is not a known field' });
    const future = await confirm(location.locationId, daysAgo(-1));
    expect(future.status).toBe(400);
    expect(future.json.errors[0].path).toBe('reportDate');
  });
});
