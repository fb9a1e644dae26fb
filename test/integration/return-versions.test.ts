import { describe, expect, test } from 'vitest';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { putMemberships } from '#shared/repositories/memberships';
import { flattenAnswers } from '#shared/model/returns/changes';
import { call, createLocation, daysAgo, designExample, returnPath, today, useGateway, type CallOptions } from '../helpers/api';

const gateway = useGateway();
const versionsPath = (locationId: string, reportDate: string) => `${returnPath(locationId, reportDate)}/versions`;
const versions = (locationId: string, reportDate: string, as?: CallOptions['as']) => call(gateway.url(), 'GET', versionsPath(locationId, reportDate), as === undefined ? {} : { as });
const withOccupied = (occupied: number) => ({ ...designExample(), beds: { ...designExample().beds, occupied } });

/** Instants are stored to the second: wait for the next one, so "saved before" is unambiguous. */
async function nextSecond() {
  await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
}

async function memberOf(locationId: string, label: string) {
  const sub = `versions-${label}-${Date.now()}`;
  await putMemberships([{ userId: sub, locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
  return { sub, role: 'provider' as const };
}

describe('GET .../returns/{reportDate}/versions', () => {
  test('a PUT, a correction and a confirm: three versions newest first, each with what it changed', async () => {
    const location = await createLocation();
    const manager = await memberOf(location.locationId, 'manager');
    const write = (method: string, path: string, options: CallOptions = {}) => call(gateway.url(), method, path, { as: manager, ...options });
    const [before, day] = [daysAgo(2), daysAgo(1)];

    expect((await write('PUT', returnPath(location.locationId, before), { body: withOccupied(40) })).status).toBe(201);
    await nextSecond();
    const first = await write('PUT', returnPath(location.locationId, day), { body: withOccupied(41) });
    expect(first.status).toBe(201);
    await nextSecond();
    // The earlier day corrected afterwards: version 1 was made over its first figures, not these.
    expect((await write('PUT', returnPath(location.locationId, before), { body: withOccupied(39) })).status).toBe(200);
    const second = await write('PUT', returnPath(location.locationId, day), { body: { ...withOccupied(41), visiting: 'restricted' }, headers: { 'if-match': '"1"' } });
    expect(second.status).toBe(200);
    const third = await write('POST', `${returnPath(location.locationId, day)}/confirm`, { headers: { 'if-match': '"2"' } });
    expect(third.status).toBe(200);

    const response = await versions(location.locationId, day, manager);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toEqual({
      items: [
        {
          version: 3,
          submittedAt: third.json.submittedAt,
          submittedBy: manager.sub,
          confirmedFrom: { reportDate: day, version: 2 },
          comparedWith: { reportDate: day, version: 2 },
          changes: [],
        },
        {
          version: 2,
          submittedAt: second.json.submittedAt,
          submittedBy: manager.sub,
          comparedWith: { reportDate: day, version: 1 },
          changes: [{ path: 'visiting', from: 'open', to: 'restricted' }],
        },
        {
          version: 1,
          submittedAt: first.json.submittedAt,
          submittedBy: manager.sub,
          comparedWith: { reportDate: before, version: 1 },
          changes: [{ path: 'beds.occupied', from: 40, to: 41 }],
        },
      ],
    });
  });

  test('a first return with nothing before it lists every answer it gave', async () => {
    const location = await createLocation();
    expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: designExample() })).status).toBe(201);
    const response = await versions(location.locationId, today(), 'admin');
    expect(response.status).toBe(200);
    const [only] = response.json.items;
    expect(response.json.items).toHaveLength(1);
    expect(only).toMatchObject({ version: 1, submittedBy: 'admin', comparedWith: null });
    expect(only.changes).toHaveLength(flattenAnswers(designExample()).size);
    expect(only.changes).toContainEqual({ path: 'vacancies.nursing.any', from: null, to: 2 });
    expect(only.changes).toContainEqual({ path: 'admissions.status', from: null, to: 'open' });
  });

  test('a day with no return is an empty list, however long ago', async () => {
    const location = await createLocation();
    for (const day of [today(), daysAgo(30), '2020-02-29']) {
      const response = await versions(location.locationId, day, 'national');
      expect(response.status, day).toBe(200);
      expect(response.json, day).toEqual({ items: [] });
    }
  });

  test('who may read it: members, commissioners of the area, national and admin; not others, nor update links', async () => {
    const location = await createLocation({ localAuthority: 'E08000021', region: 'E12000001' });
    await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: designExample() });
    const member = await memberOf(location.locationId, 'member');
    const stranger = { sub: `versions-stranger-${Date.now()}`, role: 'provider' as const };
    const cases: Array<[string, CallOptions['as'], number]> = [
      ['member', member, 200],
      ['provider, not a member', stranger, 403],
      ['commissioner of the area', { sub: 'versions-commissioner', role: 'commissioner', areas: ['E12000001'] }, 200],
      ['commissioner of another area', { sub: 'versions-commissioner', role: 'commissioner', areas: ['E12000008'] }, 403],
      ['discharge', { sub: 'versions-discharge', role: 'discharge' }, 403],
      ['national', { sub: 'versions-national', role: 'national' }, 200],
      ['admin', { sub: 'versions-admin', role: 'admin' }, 200],
      ['update link for the location', { token: (await issueUpdateLink(location.locationId)).token }, 403],
      ['nobody', null, 401],
    ];
    for (const [who, as, status] of cases) {
      const response = await versions(location.locationId, today(), as);
      expect(response.status, who).toBe(status);
      if (status === 200) expect(response.json.items, who).toHaveLength(1);
      else expect(response.headers.get('content-type'), who).toBe('application/problem+json');
    }
  });

  test('an unknown location is a 404; a bad location id or date a 400 naming the path', async () => {
    const unknown = await versions('1-999999999', today(), 'national');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');

    const location = await createLocation();
    for (const bad of ['2026-02-30', 'yesterday', '2026-1-1']) {
      const response = await versions(location.locationId, bad, 'national');
      expect(response.status, bad).toBe(400);
      expect(response.headers.get('content-type'), bad).toBe('application/problem+json');
      expect(response.json.errors.length, bad).toBeGreaterThan(0);
      for (const error of response.json.errors) expect(error, bad).toEqual({ path: 'reportDate', message: expect.any(String) });
    }
    const badId = await versions('x-1', today(), 'national');
    expect(badId.status).toBe(400);
    expect(badId.json.errors).toEqual([{ path: 'locationId', message: expect.any(String) }]);
  });
});
