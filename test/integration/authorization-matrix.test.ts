import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '#scripts/local/gateway';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { putMemberships } from '#shared/repositories/memberships';
import { putUsers } from '#shared/repositories/users';
import { routes } from '#shared/model/routes';
import { putPostcodeDistricts } from '#shared/repositories/places';
import { postcodeDistricts } from '../helpers/search';
import { call, createLocation, daysAgo, designExample, today, useGateway, type CallOptions } from '../helpers/api';

/**
 * Runs the access matrix of docs/api.md cell by cell: the README is the table, this test is its proof. A cell
 * is `2xx`, `401` or `403`; a column is a caller and the location (or area) it aims at.
 */
const readme = readFileSync(join(REPO_ROOT, 'docs', 'api.md'), 'utf8');
const table = readme.split('<!-- access:start -->')[1]!.split('<!-- access:end -->')[0]!;
const [header, , ...rows] = table
  .trim()
  .split('\n')
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/`/g, '')),
  );
const columns = header!.slice(1);
// Revoking withdraws every link of the location, so that row runs last.
const revokes = (route: string) => route.endsWith('/update-links/revoke');
const matrix = rows.map(([route, ...cells]) => ({ route: route!, cells })).sort((a, b) => Number(revokes(a.route)) - Number(revokes(b.route)));

const gateway = useGateway();

// Two care homes in different local authorities and regions; the provider user is a member of `own` only.
const places = {
  own: { localAuthority: 'E08000021', region: 'E12000001' },
  other: { localAuthority: 'E06000045', region: 'E12000008' },
};
let own = '';
let other = '';
const providerUser = `matrix-provider-${Date.now()}`;
const managerUser = `matrix-manager-${Date.now()}`;

beforeAll(async () => {
  // Saved searches are near a place: the districts they are placed by.
  await putPostcodeDistricts(postcodeDistricts().filter((district) => district.code === 'OL8'));
  own = (await createLocation(places.own)).locationId;
  other = (await createLocation(places.other)).locationId;
  await putMemberships([
    { userId: providerUser, locationId: own, grantedAt: new Date().toISOString(), grantedBy: 'test' },
    { userId: managerUser, locationId: own, grantedAt: new Date().toISOString(), grantedBy: 'test', manager: true },
  ]);
  // Something to confirm and to read.
  const seeded = await call(gateway.url(), 'PUT', `/v1/locations/${own}/returns/${daysAgo(1)}`, { body: designExample() });
  expect(seeded.status).toBe(201);
});

/** Who calls, and at which location, for each column of the table. */
async function caller(column: string): Promise<{ as: CallOptions['as']; locationId: string; area: string; region: string }> {
  const at = (locationId: string, place: keyof typeof places) => ({ locationId, area: places[place].localAuthority, region: places[place].region });
  switch (column) {
    case 'none':
      return { as: null, ...at(own, 'own') };
    case 'provider (manager)':
      return { as: { sub: managerUser, role: 'provider' }, ...at(own, 'own') };
    case 'provider (member)':
      return { as: { sub: providerUser, role: 'provider' }, ...at(own, 'own') };
    case 'provider (other)':
      return { as: { sub: providerUser, role: 'provider' }, ...at(other, 'other') };
    case 'discharge':
    case 'national':
    case 'admin':
      return { as: { sub: `matrix-${column}`, role: column }, ...at(own, 'own') };
    case 'commissioner (own area)':
      return { as: { sub: 'matrix-commissioner', role: 'commissioner', areas: [places.own.region] }, ...at(own, 'own') };
    case 'commissioner (other area)':
      return { as: { sub: 'matrix-commissioner', role: 'commissioner', areas: [places.own.region] }, ...at(other, 'other') };
    case 'link (own)':
      return { as: { token: (await issueUpdateLink(own)).token }, ...at(own, 'own') };
    case 'link (other)':
      return { as: { token: (await issueUpdateLink(other)).token }, ...at(own, 'own') };
    default:
      throw new Error(`the access matrix (docs/api.md) has a column this test does not know: ${column}`);
  }
}

const AREA_ROUTES = ['/v1/aggregates', '/v1/exports/aggregates.csv', '/v1/completeness'];

/** A pending registration of a fresh location, for the approve and reject rows. */
async function pendingRegistration(): Promise<string> {
  const location = await createLocation();
  const { register } = await import('#shared/services/registrations/register');
  const { registration } = await register(location.locationId, { kind: 'user', userId: `matrix-asker-${location.locationId}`, role: 'provider', areas: [] }, new Date());
  return registration.registrationId;
}

/** A saved search of the discharge column's caller (the only one who may delete it; others are refused first). */
async function ownSavedSearch(): Promise<string> {
  const { saveSearch } = await import('#shared/services/saved-searches/manage');
  const saved = await saveSearch({ kind: 'user', userId: 'matrix-discharge', role: 'discharge', areas: [] }, { query: { near: 'OL8', withinMiles: 2, category: 'any', admitting: 'false', updatedWithinHours: 72 }, email: 'ward@matrix.example' }, new Date());
  return saved.searchId;
}

let made = 0;
/** A provider user in the users table (and, `memberOf`, a plain member of that location): the target of a users or members row. */
async function freshProvider(memberOf?: string): Promise<string> {
  made += 1;
  const userId = `matrix-target-${Date.now()}-${made}`;
  await putUsers([{ userId, email: `${userId}@matrix.example`, role: 'provider', areas: [], status: 'active', createdAt: new Date().toISOString(), createdBy: 'test' }]);
  if (memberOf) await putMemberships([{ userId, locationId: memberOf, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
  return userId;
}

/** An export job of the caller's (the only one who may read it; others are refused, or told it is not theirs). */
async function ownExport(as: CallOptions['as']): Promise<string> {
  const { putExportJob } = await import('#shared/repositories/export-jobs');
  const ownerId = as && typeof as === 'object' && 'sub' in as ? as.sub : 'matrix-nobody';
  const exportId = crypto.randomUUID();
  await putExportJob({ exportId, kind: 'aggregates', level: 'england', from: today(), to: today(), format: 'csv', compression: 'none', ownerId, ownerRole: 'national', ownerAreas: [], status: 'pending', createdAt: new Date().toISOString(), expiresAtEpoch: Math.floor(Date.now() / 1000) + 3600 });
  return exportId;
}

async function request(route: string, target: { locationId: string; area: string; region: string; as?: CallOptions['as'] }): Promise<{ method: string; path: string; options: CallOptions }> {
  const [method, template] = route.split(' ') as [string, string];
  if (template === '/v1/exports') return { method, path: template, options: { body: { kind: 'aggregates', level: 'region', area: target.region, from: today(), to: today(), format: 'csv' } } };
  if (template === '/v1/exports/{exportId}') return { method, path: template.replace('{exportId}', await ownExport(target.as)), options: {} };
  if (template === '/v1/users' && method === 'POST') return { method, path: template, options: { body: { email: `invited-${Date.now()}-${(made += 1)}@matrix.example`, role: 'discharge' } } };
  if (template === '/v1/users/{userId}') return { method, path: template.replace('{userId}', await freshProvider()), options: { body: { role: 'discharge' } } };
  if (template === '/v1/places') return { method, path: `${template}?name=Oldham`, options: {} };
  if (template === '/v1/reports/unreachable') return { method, path: `${template}?area=${target.region}`, options: {} };
  if (template === '/v1/providers/{providerId}/contact') return { method, path: template.replace('{providerId}', '1-700000009'), options: method === 'PUT' ? { body: { email: 'nominated@matrix.example' } } : {} };
  if (template.endsWith('/contact') && method === 'PUT') return { method, path: template.replace('{locationId}', target.locationId), options: { body: { reminderEmails: ['manager@matrix.example'] } } };
  // Each cell finds the location in the state its row changes: running, to pause it; paused, to resume it.
  if (template.endsWith('/pause') || template.endsWith('/resume')) {
    const { pauseLocation, resumeLocation } = await import('#shared/repositories/location-contacts');
    if (template.endsWith('/pause')) await resumeLocation(target.locationId, undefined, new Date());
    else await pauseLocation(target.locationId, { reason: 'matrix', since: new Date().toISOString(), by: 'test' }, { actor: 'test', action: 'location.pause', subject: `location#${target.locationId}`, before: null, after: null }, new Date());
    return { method, path: template.replace('{locationId}', target.locationId), options: template.endsWith('/pause') ? { body: { reason: 'refurbishment works' } } : {} };
  }
  if (template.endsWith('/members/{userId}')) {
    const userId = await freshProvider(method === 'DELETE' ? target.locationId : undefined);
    return { method, path: template.replace('{locationId}', target.locationId).replace('{userId}', userId), options: method === 'PUT' ? { body: { manager: false } } : {} };
  }
  if (template === '/v1/registrations' && method === 'POST') return { method, path: template, options: { body: { locationId: (await createLocation()).locationId } } };
  if (template === '/v1/saved-searches' && method === 'POST') return { method, path: template, options: { body: { query: { near: 'OL8', withinMiles: 5 }, email: 'ward@matrix.example' } } };
  if (template === '/v1/saved-searches/unsubscribe') {
    // Public: a genuine token for a search that is not there (already gone) is a 200 whoever sends it.
    const { issueUnsubscribeToken } = await import('#shared/services/saved-searches/unsubscribe-links');
    return { method, path: template, options: { body: { token: await issueUnsubscribeToken(crypto.randomUUID()) } } };
  }
  if (template === '/v1/saved-searches/{searchId}') return { method, path: template.replace('{searchId}', await ownSavedSearch()), options: {} };
  if (template.startsWith('/v1/registrations/')) return { method, path: template.replace('{registrationId}', await pendingRegistration()), options: {} };
  const path = template.replace('{locationId}', target.locationId).replace('{reportDate}', today());
  if (template === '/v1/locations') return { method, path: `${path}?area=${target.area}`, options: {} };
  if (AREA_ROUTES.includes(template)) return { method, path: `${path}?level=region&area=${target.region}`, options: {} };
  if (template === '/v1/vacancies') return { method, path: `${path}?area=${target.region}`, options: {} };
  if (method === 'PUT') return { method, path, options: { body: designExample() } };
  return { method, path, options: {} };
}

describe('the access matrix (docs/api.md)', () => {
  test('has a row for every route and only those', () => {
    expect(matrix.map((row) => row.route).sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    for (const row of matrix) expect(row.cells).toHaveLength(columns.length);
  });

  // Within a row, update links go first: the revoke row's allowed callers withdraw every link of the
  // location, and a link used after that is (rightly) a 401 whatever the route.
  const order = columns.map((column, index) => ({ column, index })).sort((a, b) => Number(!a.column.startsWith('link')) - Number(!b.column.startsWith('link')));
  for (const row of matrix) {
    describe(row.route, () => {
      for (const { column, index } of order) {
        const expected = row.cells[index]!;
        test(`${column} → ${expected}`, async () => {
          const who = await caller(column);
          const { method, path, options } = await request(row.route, who);
          const response = await call(gateway.url(), method, path, { ...options, as: who.as });
          if (expected === '2xx') {
            expect(response.status, JSON.stringify(response.json)).toBeGreaterThanOrEqual(200);
            expect(response.status, JSON.stringify(response.json)).toBeLessThan(300);
          } else {
            expect(response.status, JSON.stringify(response.json)).toBe(Number(expected));
            expect(response.headers.get('content-type')).toBe('application/problem+json');
          }
        });
      }
    });
  }
});
