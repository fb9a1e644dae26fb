import { beforeAll, describe, expect, test } from 'vitest';
import type { Area } from '#shared/model/directory/ons';
import { putAreas } from '#shared/repositories/areas';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { call, createLocation, useGateway, type CallOptions } from '../helpers/api';

/**
 * `GET /v1/areas` (DESIGN §10.3): the named areas, so pages offer names rather than bare ONS codes,
 * through the local gateway and DynamoDB Local.
 */
const gateway = useGateway();
const url = () => gateway.url();

// Real ONS codes and names, as the CQC import and the demo seed write them: writing them again changes nothing.
const AREAS: Area[] = [
  { level: 'region', code: 'E12000002', name: 'North West' },
  { level: 'region', code: 'E12000007', name: 'London' },
  { level: 'localAuthority', code: 'E08000004', name: 'Oldham', parent: 'E12000002' },
  { level: 'localAuthority', code: 'E08000003', name: 'Manchester', parent: 'E12000002' },
  { level: 'localAuthority', code: 'E08000001', name: 'Bolton', parent: 'E12000002' },
  { level: 'localAuthority', code: 'E06000008', name: 'Blackburn with Darwen', parent: 'E12000002' },
  { level: 'localAuthority', code: 'E10000017', name: 'Lancashire', parent: 'E12000002' },
  { level: 'localAuthority', code: 'E09000007', name: 'Camden', parent: 'E12000007' },
  { level: 'district', code: 'E07000117', name: 'Burnley', parent: 'E10000017' },
  { level: 'district', code: 'E07000127', name: 'West Lancashire', parent: 'E10000017' },
];

interface Item {
  level: string;
  code: string;
  name: string;
  parent: string | null;
}

const collator = new Intl.Collator('en-GB');
const sortedByName = (items: Item[]) => items.every((item, index) => index === 0 || collator.compare(items[index - 1]!.name, item.name) <= 0);

async function areas(query = '', as?: CallOptions['as']) {
  return call(url(), 'GET', `/v1/areas${query}`, as === undefined ? {} : { as });
}

beforeAll(async () => {
  await putAreas(AREAS);
});

describe('GET /v1/areas', () => {
  test('without a level: councils and regions by name, each with its level, code, name and parent; no districts, no paging', async () => {
    const response = await areas();
    expect(response.status).toBe(200);
    expect(Object.keys(response.json)).toEqual(['items']);
    const items = response.json.items as Item[];
    expect(items).toContainEqual({ level: 'region', code: 'E12000002', name: 'North West', parent: null });
    expect(items).toContainEqual({ level: 'localAuthority', code: 'E08000004', name: 'Oldham', parent: 'E12000002' });
    expect(items.some((item) => item.level === 'district')).toBe(false);
    expect(new Set(items.map((item) => item.level))).toEqual(new Set(['localAuthority', 'region']));
    expect(sortedByName(items)).toBe(true);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['code', 'level', 'name', 'parent']);
  });

  test('a level: only its areas, sorted by name (en-GB)', async () => {
    const regions = (await areas('?level=region')).json.items as Item[];
    expect(regions.every((item) => item.level === 'region' && item.parent === null)).toBe(true);
    expect(regions.map((item) => item.name)).toEqual(expect.arrayContaining(['London', 'North West']));
    expect(sortedByName(regions)).toBe(true);

    const districts = (await areas('?level=district')).json.items as Item[];
    expect(districts.every((item) => item.level === 'district')).toBe(true);
    expect(districts).toContainEqual({ level: 'district', code: 'E07000117', name: 'Burnley', parent: 'E10000017' });
    expect(sortedByName(districts)).toBe(true);

    const councils = (await areas('?level=localAuthority')).json.items as Item[];
    const names = councils.map((item) => item.name);
    expect(names.indexOf('Blackburn with Darwen')).toBeLessThan(names.indexOf('Bolton'));
    expect(names.indexOf('Bolton')).toBeLessThan(names.indexOf('Camden'));
    expect(names.indexOf('Manchester')).toBeLessThan(names.indexOf('Oldham'));
    expect(sortedByName(councils)).toBe(true);
  });

  test('parent: the councils of a region, the districts of a county council', async () => {
    const northWest = (await areas('?level=localAuthority&parent=E12000002')).json.items as Item[];
    expect(northWest.every((item) => item.parent === 'E12000002' && item.level === 'localAuthority')).toBe(true);
    const codes = northWest.map((item) => item.code);
    expect(codes).toEqual(expect.arrayContaining(['E08000004', 'E08000003', 'E08000001', 'E06000008', 'E10000017']));
    expect(codes).not.toContain('E09000007');
    expect(sortedByName(northWest)).toBe(true);

    // Without a level, the same: regions have no parent.
    expect(((await areas('?parent=E12000002')).json.items as Item[]).map((item) => item.code).sort()).toEqual([...codes].sort());

    const lancashire = (await areas('?level=district&parent=E10000017')).json.items as Item[];
    expect(lancashire.map((item) => item.name)).toEqual(expect.arrayContaining(['Burnley', 'West Lancashire']));
    expect(lancashire.every((item) => item.parent === 'E10000017')).toBe(true);

    expect((await areas('?level=region&parent=E12000002')).json).toEqual({ items: [] });
  });

  test('every signed-in role may read them', async () => {
    for (const role of ['provider', 'discharge', 'commissioner', 'national', 'admin'] as const) {
      const response = await areas('?level=region', { sub: `areas-${role}`, role, ...(role === 'commissioner' ? { areas: ['E12000007'] } : {}) });
      expect(response.status, role).toBe(200);
      // A commissioner is not held to its areas here: names are not figures.
      expect((response.json.items as Item[]).map((item) => item.code), role).toContain('E12000002');
    }
  });

  test('400 at the field: an unknown level, a malformed parent, an unknown parameter', async () => {
    for (const level of ['england', 'Region', 'district ', '']) {
      const response = await areas(`?level=${encodeURIComponent(level)}`);
      expect(response.status, level).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.json.errors.map((error: { path: string }) => error.path), level).toEqual(['query.level']);
    }
    for (const parent of ['E92000001', 'E07000117', 'e12000002', 'North West', 'E12000010']) {
      const response = await areas(`?parent=${encodeURIComponent(parent)}`);
      expect(response.status, parent).toBe(400);
      expect(response.json.errors.map((error: { path: string }) => error.path), parent).toEqual(['query.parent']);
    }
    const both = await areas('?level=county&parent=Oldham');
    expect(both.json.errors.map((error: { path: string }) => error.path).sort()).toEqual(['query.level', 'query.parent']);
    expect((await areas('?area=E12000002')).status).toBe(400);
  });

  test('no token is a 401; an update link is refused (403)', async () => {
    expect((await areas('', null)).status).toBe(401);
    const location = await createLocation();
    const refused = await areas('', { token: (await issueUpdateLink(location.locationId)).token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });
});
