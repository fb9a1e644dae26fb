import { describe, expect, test } from 'vitest';
import { putLocations } from '#shared/repositories/locations';
import { routes } from '#shared/model/routes';
import { call, daysAgo, designExample, newLocation, returnPath, useGateway } from '../helpers/api';

const gateway = useGateway();
const get = (path: string, user?: string | null) => call(gateway.url(), 'GET', path, user !== undefined ? { as: user } : {});

/** Every page of a listing, following nextToken. */
async function allPages(path: string, user?: string) {
  const items: any[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await get(token ? `${path}${separator}nextToken=${encodeURIComponent(token)}` : path, user);
    expect(response.status).toBe(200);
    items.push(...response.json.items);
    token = response.json.nextToken;
    pages += 1;
  } while (token);
  return { items, pages };
}

describe('GET /v1/locations', () => {
  // A local authority code of our own, so other tests' locations cannot appear in these listings.
  const area = 'E10000908';
  const seeded = [
    ...Array.from({ length: 7 }, () => newLocation({ localAuthority: area, region: 'E12000006' })),
    newLocation({ localAuthority: area, region: 'E12000006', type: 'hospice', categories: ['inpatient'] }),
    newLocation({ localAuthority: area, region: 'E12000006', type: 'substanceMisuse', categories: ['inpatient'] }),
  ];

  test('filters by local authority, region and type, and pages through with nextToken', async () => {
    await putLocations(seeded);
    const byArea = await allPages(`/v1/locations?area=${area}&limit=4`);
    expect(byArea.pages).toBeGreaterThanOrEqual(3);
    expect(byArea.items.map((l) => l.locationId).sort()).toEqual(seeded.map((l) => l.locationId).sort());
    expect(byArea.items[0]).toMatchObject({ localAuthority: area, active: true, lastUpdated: null });
    expect(byArea.items[0]).not.toHaveProperty('listingKey');

    const hospices = await allPages(`/v1/locations?area=${area}&type=hospice`);
    expect(hospices.items.map((l) => l.locationId)).toEqual([seeded[7]!.locationId]);

    const region = await allPages('/v1/locations?area=E12000006&type=substanceMisuse');
    expect(region.items.map((l) => l.locationId)).toContain(seeded[8]!.locationId);
    expect(region.items.every((l) => l.type === 'substanceMisuse' && l.region === 'E12000006')).toBe(true);

    const england = await get('/v1/locations?area=E92000001&limit=100');
    expect(england.status).toBe(200);
    expect(england.json.items.length).toBeGreaterThan(0);
  });

  test('bad filters and forged tokens are 400 with the parameter named', async () => {
    expect((await get('/v1/locations?area=W06000001')).json.errors[0].path).toBe('query.area');
    expect((await get('/v1/locations?type=castle')).json.errors[0].path).toBe('query.type');
    expect((await get('/v1/locations?limit=0')).json.errors[0].path).toBe('query.limit');
    expect((await get('/v1/locations?colour=red')).json.errors[0].path).toBe('query.colour');
    // A genuine token, but from another listing: DynamoDB would refuse the start key.
    await putLocations([newLocation(), newLocation()]);
    const page = await get('/v1/locations?area=E08000004&limit=1');
    expect(page.json.nextToken).toEqual(expect.any(String));
    const elsewhere = await get(`/v1/locations?area=E08000003&nextToken=${page.json.nextToken}`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json.errors[0].path).toBe('query.nextToken');
    expect((await get(`/v1/locations?area=E08000004&type=hospice&nextToken=${page.json.nextToken}`)).status).toBe(400);
    const forged = await get(`/v1/locations?nextToken=${Buffer.from('{"locationId":{"S":"x"}}').toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect(forged.json.errors[0].path).toBe('query.nextToken');
  });
});

describe('GET /v1/locations/{id} and its history', () => {
  test('history is newest first, bounded by from/to, and paginated', async () => {
    const location = newLocation();
    await putLocations([location]);
    for (const days of [6, 4, 3, 1, 0]) {
      expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(days)), { body: designExample() })).status).toBe(201);
    }
    const history = await allPages(`/v1/locations/${location.locationId}/returns?limit=2`, 'national');
    expect(history.items.map((r) => r.reportDate)).toEqual([0, 1, 3, 4, 6].map(daysAgo));
    expect(history.pages).toBe(3);

    const window = await get(`/v1/locations/${location.locationId}/returns?from=${daysAgo(4)}&to=${daysAgo(1)}`, 'national');
    expect(window.json.items.map((r: { reportDate: string }) => r.reportDate)).toEqual([1, 3, 4].map(daysAgo));

    const backwards = await get(`/v1/locations/${location.locationId}/returns?from=${daysAgo(1)}&to=${daysAgo(4)}`, 'national');
    expect(backwards.status).toBe(400);
    expect(backwards.json.errors[0].path).toBe('query.from');

    // A token of this history whose day lies outside from..to: DynamoDB refused the query (a 500) until fuzzing found it.
    const outside = Buffer.from(JSON.stringify({ locationId: location.locationId, reportDate: daysAgo(6) })).toString('base64url');
    const forged = await get(`/v1/locations/${location.locationId}/returns?from=${daysAgo(4)}&to=${daysAgo(1)}&nextToken=${outside}`, 'national');
    expect(forged.status).toBe(400);
    expect(forged.json.errors[0].path).toBe('query.nextToken');

    const located = await get(`/v1/locations/${location.locationId}`);
    expect(located.json.latestReturn.reportDate).toBe(daysAgo(0));
  });

  test('unknown and malformed locations', async () => {
    expect((await get('/v1/locations/1-000000002')).status).toBe(404);
    expect((await get('/v1/locations/1-000000002/returns', 'national')).status).toBe(404);
    const malformed = await get('/v1/locations/..%2F..%2Fetc');
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].path).toBe('locationId');
  });

  test('roles the route table does not allow get 403; a caller without a token gets 401', async () => {
    const history = await get('/v1/locations/1-000000002/returns', 'discharge');
    expect(history.status).toBe(403);
    expect(history.headers.get('content-type')).toBe('application/problem+json');
    expect((await get('/v1/locations', null)).status).toBe(401);
  });
});

describe('the rest of the surface', () => {
  test('health needs no identity', async () => {
    const health = await get('/v1/health', null);
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
  });

  test('the OpenAPI document describes every route', async () => {
    const doc = await get('/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    for (const route of routes) expect(doc.json.paths[route.path][route.method.toLowerCase()].operationId).toBe(route.id);
    expect(doc.json.components.schemas.DailyReturnInput.required).toContain('vacancies');
  });

  test('unknown paths and methods get problem+json, not a bare gateway error', async () => {
    const missing = await get('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrongMethod = await call(gateway.url(), 'DELETE', '/v1/health');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  test('the "nothing has changed" page a reminder links to is served with its script and styles', async () => {
    const page = await get('/confirm.html', null);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script src="/confirm.js" defer></script>');
    const script = await get('/confirm.js', null);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.text).toContain("'/confirm'");
    expect((await get('/confirm.css', null)).status).toBe(200);
    expect((await get('/../package.json', null)).status).toBe(404);
  });

  test("the discharge team's search page is served with its scripts", async () => {
    const page = await get('/search.html', null);
    expect(page.status).toBe(200);
    for (const asset of ['/site.css', '/session.js', '/search.js']) {
      expect(page.text).toContain(asset);
      expect((await get(asset, null)).status).toBe(200);
    }
    expect((await get('/search.js', null)).text).toContain('/v1/vacancies?');
  });

  test('the local endpoints list the demo users of every role', async () => {
    const users = await get('/local/users');
    expect(users.status).toBe(200);
    expect(new Set(users.json.map((u: { role: string }) => u.role))).toEqual(new Set(['provider', 'discharge', 'commissioner', 'national', 'admin']));
  });
});
