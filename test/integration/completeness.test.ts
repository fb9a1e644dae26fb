import { beforeAll, describe, expect, test } from 'vitest';
import { putLocations } from '#shared/repositories/locations';
import { toInstant } from '#shared/model/returns/report-date';
import { call, newLocation, useGateway, type CallOptions } from '../helpers/api';

const gateway = useGateway();
const get = (path: string, as: CallOptions['as'] = 'national') => call(gateway.url(), 'GET', path, { as });

// Authorities of their own (valid codes no other test uses), so the counts are exactly ours.
const WEST = 'E10000301';
const EAST = 'E10000302';
const REGION = 'E12000006';
const hoursAgo = (hours: number) => toInstant(new Date(Date.now() - hours * 3_600_000));

beforeAll(async () => {
  await putLocations([
    newLocation({ localAuthority: WEST, region: REGION, lastUpdated: hoursAgo(2) }),
    newLocation({ localAuthority: WEST, region: REGION, lastUpdated: hoursAgo(30) }),
    newLocation({ localAuthority: WEST, region: REGION, lastUpdated: hoursAgo(60) }),
    newLocation({ localAuthority: WEST, region: REGION, lastUpdated: null }),
    // Closed: not expected to report, so not counted at all.
    newLocation({ localAuthority: WEST, region: REGION, lastUpdated: hoursAgo(500), active: false }),
    newLocation({ localAuthority: EAST, region: REGION, lastUpdated: hoursAgo(1) }),
  ]);
});

describe('GET /v1/completeness', () => {
  test('per authority: active locations, updated within 24 h and 48 h, and stale (including never)', async () => {
    const response = await get(`/v1/completeness?level=localAuthority&area=${WEST}`);
    expect(response.status).toBe(200);
    expect(response.json.items).toEqual([{ level: 'localAuthority', area: WEST, locations: 4, updatedWithin24h: 1, updatedWithin48h: 2, stale: 2 }]);
  });

  test('a region groups its authorities; an England-wide request has every region', async () => {
    const byAuthority = await get(`/v1/completeness?level=localAuthority`);
    const ours = byAuthority.json.items.filter((row: { area: string }) => [WEST, EAST].includes(row.area));
    expect(ours).toEqual([
      { level: 'localAuthority', area: WEST, locations: 4, updatedWithin24h: 1, updatedWithin48h: 2, stale: 2 },
      { level: 'localAuthority', area: EAST, locations: 1, updatedWithin24h: 1, updatedWithin48h: 1, stale: 0 },
    ]);
    const region = await get(`/v1/completeness?level=region&area=${REGION}`);
    const row = region.json.items[0];
    expect(row.locations).toBeGreaterThanOrEqual(5);
    expect(row.updatedWithin24h + (row.updatedWithin48h - row.updatedWithin24h) + row.stale).toBe(row.locations);
  });

  test('an area with no active locations answers zeros; commissioners see only their areas', async () => {
    expect((await get('/v1/completeness?level=localAuthority&area=E10000399')).json.items).toEqual([
      { level: 'localAuthority', area: 'E10000399', locations: 0, updatedWithin24h: 0, updatedWithin48h: 0, stale: 0 },
    ]);
    const east = { sub: 'c-east', role: 'commissioner' as const, areas: [REGION] };
    const mine = await get('/v1/completeness?level=localAuthority', east);
    expect(mine.json.items.map((row: { area: string }) => row.area)).toEqual(expect.arrayContaining([WEST, EAST]));
    expect(mine.json.items.every((row: { area: string }) => row.area.startsWith('E10'))).toBe(true);
    expect((await get('/v1/completeness?level=region&area=E12000002', east)).status).toBe(403);
    expect((await get('/v1/completeness?level=localAuthority&area=E08000004', east)).status).toBe(403);
    expect((await get('/v1/completeness?level=region&area=E08000004')).status).toBe(400);
  });
});
