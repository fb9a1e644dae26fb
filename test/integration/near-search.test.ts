import { beforeAll, describe, expect, test } from 'vitest';
import type { PostcodeDistrict } from '#shared/model/directory/postcodes';
import type { Location } from '#shared/model/schemas/location';
import { putPostcodeDistricts } from '#shared/repositories/places';
import { call, createLocation, designExample, returnPath, today, useGateway, type CallOptions } from '../helpers/api';
import { haversineMiles, postcodeDistricts, useAggregatorPoller } from '../helpers/search';
import { until } from '../helpers/wait';

/**
 * Searching near a place (DESIGN §10.3) on DynamoDB Local, with the real postcode district centres of
 * ../shared/data: homes placed at the districts around Oldham, searched near OL8 and checked against a
 * straight haversine computation over the same homes.
 */
const gateway = useGateway();
useAggregatorPoller();
const discharge: CallOptions['as'] = { sub: 'near-discharge', role: 'discharge' };
const search = (query: string) => call(gateway.url(), 'GET', `/v1/vacancies?${query}`, { as: discharge });
const idsOf = (items: Array<{ locationId: string }>) => items.map((item) => item.locationId);

// A council code of this file's own (not a real one), so area searches see only its homes.
const COUNCIL = 'E10000501';
const REGION = 'E12000002';

interface Home {
  location: Location;
  latitude: number;
  longitude: number;
  maleNursing: boolean;
  admissions: 'open' | 'restricted' | 'closed';
}
const homes: Home[] = [];
let centre: PostcodeDistrict;

/** Every page of a search, and whether each page but the last was full. */
async function allPages(query: string, limit: number): Promise<{ items: Array<{ locationId: string; distanceMiles?: number }>; sizes: number[] }> {
  const items: Array<{ locationId: string; distanceMiles?: number }> = [];
  const sizes: number[] = [];
  let token: string | null = null;
  do {
    const response = await search(`${query}&limit=${limit}${token ? `&nextToken=${token}` : ''}`);
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    items.push(...response.json.items);
    sizes.push(response.json.items.length);
    token = response.json.nextToken;
  } while (token);
  return { items, sizes };
}

beforeAll(async () => {
  const districts = postcodeDistricts();
  await putPostcodeDistricts(districts);
  centre = districts.find((district) => district.code === 'OL8')!;
  // A home at (a step away from) the centre of every other district within 30 miles of OL8.
  const around = districts.filter((district) => district.code !== 'OL8' && haversineMiles(centre, district) <= 30).filter((_, index) => index % 3 === 0);
  expect(around.length).toBeGreaterThan(30);
  for (const [index, district] of around.entries()) {
    const latitude = district.latitude + ((index % 5) - 2) * 0.001;
    const longitude = district.longitude + ((index % 3) - 1) * 0.001;
    const location = await createLocation({ name: `Near ${district.code} House`, localAuthority: COUNCIL, region: REGION, latitude, longitude, postcode: `${district.code} 1AA`, phone: `0161 496 0${String(index).padStart(3, '0')}`, address: `${index} High Street, ${district.town ?? district.area}` } as Partial<Location>);
    homes.push({ location, latitude, longitude, maleNursing: index % 7 === 0, admissions: index % 5 === 1 ? 'restricted' : index % 11 === 2 ? 'closed' : 'open' });
  }
  const { residential, nursing } = designExample().vacancies;
  for (const home of homes) {
    const body = {
      ...designExample(),
      vacancies: { residential: { ...residential, male: 0, female: 0, any: 1 }, nursing: { ...nursing, male: home.maleNursing ? 1 : 0, female: 0, any: 0 } },
      admissions: home.admissions === 'open' ? { status: 'open' } : { status: home.admissions, reason: 'outbreak' },
    };
    const put = await call(gateway.url(), 'PUT', returnPath(home.location.locationId, today()), { body });
    expect(put.status, JSON.stringify(put.json)).toBe(201);
  }
  await until(async () => (await allPages(`near=OL8&withinMiles=31`, 100)).items.length === homes.length, { timeoutMs: 120_000, intervalMs: 200, what: 'every home in the near-search index' });
}, 240_000);


describe('GET /v1/vacancies near a place', () => {
  test('nearest first, as a straight haversine over the same homes says, every page but the last full, with how to reach each home', async () => {
    const expected = homes
      .map((home) => ({ id: home.location.locationId, miles: haversineMiles(centre, home) }))
      .filter((home) => home.miles <= 20)
      .sort((a, b) => a.miles - b.miles);
    const { items, sizes } = await allPages('near=OL8', 7);
    expect(idsOf(items)).toEqual(expected.map((home) => home.id));
    expect(sizes.slice(0, -1).every((size) => size === 7)).toBe(true);
    items.forEach((item, index) => expect(item.distanceMiles).toBeCloseTo(expected[index]!.miles, 1));
    const first = (await search('near=OL8&limit=1')).json.items[0];
    const home = homes.find((candidate) => candidate.location.locationId === first.locationId)!;
    expect(first).toMatchObject({ localAuthority: COUNCIL, postcode: (home.location as Location & { postcode: string }).postcode, phone: expect.stringMatching(/^0161 496 0\d{3}$/), address: expect.stringContaining('High Street') });

    // A full postcode is placed by its district; a smaller radius finds fewer.
    expect(idsOf((await search('near=ol8%201ab&limit=100')).json.items)).toEqual(expected.map((home) => home.id));
    const five = (await search('near=OL8&withinMiles=5&limit=100')).json.items;
    expect(idsOf(five)).toEqual(expected.filter((home) => home.miles <= 5).map((home) => home.id));
  });

  test('a sparse filter still fills every page but the last, near a place and in an area', async () => {
    const male = homes.filter((home) => home.maleNursing);
    expect(male.length).toBeGreaterThan(3);
    const near = await allPages('near=OL8&withinMiles=30&category=nursing&sex=male', 2);
    expect(new Set(idsOf(near.items))).toEqual(new Set(male.filter((home) => haversineMiles(centre, home) <= 30).map((home) => home.location.locationId)));
    expect(near.sizes.slice(0, -1).every((size) => size === 2)).toBe(true);
    // In the area, freshest first: 1 home in 7 matches, so a page of 2 takes several Queries of 2.
    const inArea = await allPages(`area=${COUNCIL}&category=nursing&sex=male`, 2);
    expect(new Set(idsOf(inArea.items))).toEqual(new Set(male.map((home) => home.location.locationId)));
    expect(inArea.sizes.slice(0, -1).every((size) => size === 2)).toBe(true);
    expect(inArea.sizes.at(-1)).toBeGreaterThan(0);
  });

  test('admitting means open to admissions: restricted and closed homes are left out', async () => {
    const admitting = await allPages('near=OL8&withinMiles=30&admitting=true', 50);
    expect(new Set(idsOf(admitting.items))).toEqual(new Set(homes.filter((home) => home.admissions === 'open').map((home) => home.location.locationId)));
    const inArea = await allPages(`area=${COUNCIL}&admitting=true`, 50);
    expect(inArea.items.length).toBe(homes.filter((home) => home.admissions === 'open').length);
  });

  test('the type and the area narrow a near search', async () => {
    expect((await search('near=OL8&withinMiles=30&type=hospice')).json.items).toEqual([]);
    expect((await search('near=OL8&withinMiles=30&type=careHome&limit=100')).json.items.length).toBe(homes.length);
    expect((await search(`near=OL8&withinMiles=30&area=${COUNCIL}&limit=100`)).json.items.length).toBe(homes.length);
    expect((await search('near=OL8&withinMiles=30&area=E08000004')).json.items).toEqual([]);
  });

  test('a place typed by name: its postcode districts, best match first', async () => {
    const places = async (name: string) => (await call(gateway.url(), 'GET', `/v1/places?name=${encodeURIComponent(name)}`, { as: discharge })).json;
    const exeter = (await places('exeter')).items;
    expect(exeter[0]).toMatchObject({ town: 'Exeter' });
    expect(exeter.every((place: { code: string }) => place.code.startsWith('EX'))).toBe(true);
    expect((await places('OL8')).items[0]).toMatchObject({ code: 'OL8', area: 'Oldham' });
    expect((await places('Torbay')).items.map((place: { area: string }) => place.area)).toContain('Torbay');
    expect((await places('Nowhere-on-Sea')).items).toEqual([]);
    const blank = await call(gateway.url(), 'GET', '/v1/places?name=%20', { as: discharge });
    expect(blank.json.errors[0].path).toBe('query.name');
  });

  test('bad input: a 400 at the part that is wrong', async () => {
    const cases: Array<[string, string]> = [
      ['near=ZZ99', 'query.near'],
      ['near=not%20a%20postcode', 'query.near'],
      ['near=OL8&withinMiles=0', 'query.withinMiles'],
      ['near=OL8&withinMiles=101', 'query.withinMiles'],
      ['withinMiles=5', 'query.withinMiles'],
      ['near=OL8&type=castle', 'query.type'],
      ['near=OL8&nextToken=garbage', 'query.nextToken'],
      ['near=OL8&nextToken=', 'query.nextToken'],
      [`area=${COUNCIL}&nextToken=`, 'query.nextToken'],
      // Exeter is 200 miles from every home of this council (around Oldham).
      [`near=EX1&area=${COUNCIL}`, 'query.near'],
    ];
    for (const [query, path] of cases) {
      const response = await search(query);
      expect(response.status, query).toBe(400);
      expect(response.json.errors.map((error: { path: string }) => error.path), query).toContain(path);
    }
  });
});
