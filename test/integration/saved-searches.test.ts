import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalSes, type LocalEmail, type LocalSes } from '#scripts/local/ses-local';
import type { StreamPoller } from '#scripts/local/stream-poller';
import type { PostcodeDistrict } from '#shared/model/directory/postcodes';
import type { Location } from '#shared/model/schemas/location';
import { putPostcodeDistricts } from '#shared/repositories/places';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { call, createLocation, designExample, returnPath, today, useGateway, type CallOptions } from '../helpers/api';
import { haversineMiles, postcodeDistricts } from '../helpers/search';
import { until } from '../helpers/wait';

/**
 * Saved searches (DESIGN §10.3) through the gateway on DynamoDB Local, with the real district centres, the
 * returns stream's saved-search consumer running as `npm start` runs it, and the local SES endpoint.
 */
const gateway = useGateway();
const run = `${Date.now()}`;
const discharge = (sub: string): CallOptions['as'] => ({ sub, role: 'discharge' });
const owner = discharge(`saved-owner-${run}`);
const address = `ward-${run}@hospital.example`;

let ses: LocalSes;
let poller: StreamPoller | undefined;
let centre: PostcodeDistrict;
const homes: Record<'a' | 'b' | 'c' | 'far', Location> = {} as never;
let searchId = '';

beforeAll(async () => {
  ses = await startLocalSes();
  process.env.SES_ENDPOINT = ses.endpoint;
  const { startSavedSearchAlerts } = await import('#scripts/local/system');
  const { localTableNames } = await import('#scripts/local/local-tables');
  const { TEST_TABLE_PREFIX } = await import('#test/setup/dynamodb-local');
  poller = await startSavedSearchAlerts(process.env.DYNAMODB_ENDPOINT!, localTableNames(TEST_TABLE_PREFIX), join(mkdtempSync(join(tmpdir(), 'ct-saved-')), 'dead-letters.jsonl'), undefined, () => undefined, {
    startingPosition: 'LATEST',
    pollIntervalMs: 50,
  });
  const districts = postcodeDistricts();
  await putPostcodeDistricts(districts);
  centre = districts.find((district) => district.code === 'OL8')!;
  // Three homes within 5 miles of OL8's centre (a step north, east and south-west of it), one 10 miles away.
  const at = (name: string, latitude: number, longitude: number) =>
    createLocation({ name: `${name} ${run}`, latitude, longitude, postcode: 'OL8 1AA', phone: '0161 496 0000', address: `1 ${name} Road, Oldham` } as Partial<Location>);
  homes.a = await at('Alder House', centre.latitude + 0.01, centre.longitude);
  homes.b = await at('Birch House', centre.latitude, centre.longitude + 0.02);
  homes.c = await at('Cedar House', centre.latitude - 0.02, centre.longitude - 0.02);
  homes.far = await at('Far House', centre.latitude + 0.145, centre.longitude);
  for (const home of [homes.a, homes.b, homes.c]) expect(haversineMiles(centre, home as never)).toBeLessThan(5);
  expect(haversineMiles(centre, homes.far as never)).toBeGreaterThan(9);
}, 120_000);

afterAll(async () => {
  await poller?.stop();
  await ses?.stop();
});

const ret = (nursing: number, admissions: 'open' | 'closed' = 'open') => {
  const example = designExample();
  return {
    ...example,
    vacancies: { residential: { male: 0, female: 0, any: 0 }, nursing: { male: 0, female: 0, any: nursing } },
    admissions: admissions === 'open' ? { status: 'open' } : { status: 'closed', reason: 'outbreak' },
  };
};
const put = async (home: Location, body: unknown) => {
  const response = await call(gateway.url(), 'PUT', returnPath(home.locationId, today()), { body });
  expect(response.status, JSON.stringify(response.json)).toBeLessThan(300);
};
const mine = async (): Promise<LocalEmail[]> => (await ses.emails()).filter((email) => email.to.includes(address));
const about = (emails: LocalEmail[], home: Location) => emails.filter((email) => email.subject.includes(home.name));

describe('saved searches', () => {
  test('a search near OL8 emails once per home that newly matches, once a day, never about a home outside the circle', async () => {
    const saved = await call(gateway.url(), 'POST', '/v1/saved-searches', { as: owner, body: { query: { near: 'ol8 1ab', withinMiles: 5, category: 'nursing', admitting: 'true' }, email: ` ${address.toUpperCase()} ` } });
    expect(saved.status, JSON.stringify(saved.json)).toBe(201);
    expect(saved.json).toMatchObject({ email: address, query: { near: 'OL8', withinMiles: 5, category: 'nursing', admitting: 'true' }, centre: { district: 'OL8', latitude: centre.latitude, longitude: centre.longitude } });
    searchId = saved.json.searchId;
    const listed = await call(gateway.url(), 'GET', '/v1/saved-searches', { as: owner });
    expect(listed.json.items.map((item: { searchId: string }) => item.searchId)).toEqual([searchId]);

    // Two homes inside newly match; the third has no nursing bed; the far one matches all but the distance.
    await put(homes.a, ret(2));
    await put(homes.b, ret(1));
    await put(homes.c, ret(0));
    await put(homes.far, ret(3));
    await until(async () => (await mine()).length >= 2, { timeoutMs: 30_000, intervalMs: 100, what: 'two saved-search emails' });
    await poller!.drain();
    let emails = await mine();
    expect(about(emails, homes.a)).toHaveLength(1);
    expect(about(emails, homes.b)).toHaveLength(1);
    expect(about(emails, homes.c)).toHaveLength(0);
    expect(about(emails, homes.far)).toHaveLength(0);
    const email = about(emails, homes.a)[0]!;
    expect(email.text).toContain('1 Alder House Road, Oldham');
    expect(email.text).toContain('0161 496 0000');
    expect(email.text).toMatch(/Distance: 0\.\d miles/);
    expect(email.text).toContain('/search.html?near=OL8');
    expect(email.text).toMatch(/\/unsubscribe\.html#token=[\w-]+\.[\w-]+\.[\w-]+/);

    // The same home again the same day: still matching, no second email. One that fills up and reopens: none either.
    await put(homes.a, ret(3));
    await put(homes.b, ret(0));
    await poller!.drain();
    await put(homes.b, ret(1));
    await put(homes.c, ret(1, 'closed'));
    await poller!.drain();
    emails = await mine();
    expect(about(emails, homes.a)).toHaveLength(1);
    expect(about(emails, homes.b)).toHaveLength(1);
    expect(about(emails, homes.c)).toHaveLength(0);
    // Now C opens: it newly matches, and is emailed about once.
    await put(homes.c, ret(1));
    await until(async () => about(await mine(), homes.c).length === 1, { timeoutMs: 30_000, intervalMs: 100, what: 'the email about C' });
    await poller!.drain();
    expect(about(await mine(), homes.c)).toHaveLength(1);
  }, 120_000);

  test('the unsubscribe link deletes the search without signing in; a forged token or an update link is refused', async () => {
    const email = about(await mine(), homes.a)[0]!;
    const token = /#token=([\w.-]+)/.exec(email.text)![1]!;
    const forged = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const bad = await call(gateway.url(), 'POST', '/v1/saved-searches/unsubscribe', { as: null, body: { token: forged } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    const link = await call(gateway.url(), 'POST', '/v1/saved-searches/unsubscribe', { as: null, body: { token: (await issueUpdateLink(homes.a.locationId)).token } });
    expect(link.status).toBe(401);
    // ...and the unsubscribe token is no update link.
    const asLink = await call(gateway.url(), 'GET', `/v1/locations/${homes.a.locationId}`, { as: { token } });
    expect(asLink.status).toBe(401);
    const empty = await call(gateway.url(), 'POST', '/v1/saved-searches/unsubscribe', { as: null, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json.errors).toEqual([expect.objectContaining({ path: 'token' })]);

    const done = await call(gateway.url(), 'POST', '/v1/saved-searches/unsubscribe', { as: null, body: { token } });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json).toEqual({ searchId, status: 'deleted' });
    const again = await call(gateway.url(), 'POST', '/v1/saved-searches/unsubscribe', { as: null, body: { token } });
    expect(again.json).toEqual({ searchId, status: 'alreadyDeleted' });
    expect((await call(gateway.url(), 'GET', '/v1/saved-searches', { as: owner })).json.items).toEqual([]);

    // Deleted: a home newly matching sends nothing more.
    const before = (await mine()).length;
    await put(homes.far, ret(0));
    const near = await createLocation({ name: `Dogwood House ${run}`, latitude: centre.latitude, longitude: centre.longitude + 0.005 } as Partial<Location>);
    await put(near, ret(2));
    await poller!.drain();
    expect((await mine()).length).toBe(before);
  }, 60_000);

  test("someone else's search is a 404 to delete; the 21st is a 409; bad bodies are 400s at their paths", async () => {
    const other = discharge(`saved-other-${run}`);
    const body = { query: { near: 'OL8', withinMiles: 2 }, email: address };
    const created = await call(gateway.url(), 'POST', '/v1/saved-searches', { as: other, body });
    expect(created.status).toBe(201);
    expect((await call(gateway.url(), 'DELETE', `/v1/saved-searches/${created.json.searchId}`, { as: owner })).status).toBe(404);
    expect((await call(gateway.url(), 'DELETE', '/v1/saved-searches/not-an-id', { as: other })).status).toBe(400);
    expect((await call(gateway.url(), 'DELETE', `/v1/saved-searches/${created.json.searchId}`, { as: other })).status).toBe(204);
    expect((await call(gateway.url(), 'DELETE', `/v1/saved-searches/${created.json.searchId}`, { as: other })).status).toBe(404);

    const many = discharge(`saved-many-${run}`);
    for (let index = 0; index < 20; index += 1) expect((await call(gateway.url(), 'POST', '/v1/saved-searches', { as: many, body })).status).toBe(201);
    const over = await call(gateway.url(), 'POST', '/v1/saved-searches', { as: many, body });
    expect(over.status).toBe(409);
    expect(over.headers.get('content-type')).toBe('application/problem+json');
    const list = (await call(gateway.url(), 'GET', '/v1/saved-searches', { as: many })).json.items as Array<{ createdAt: string }>;
    expect(list).toHaveLength(20);
    expect(list.map((item) => item.createdAt)).toEqual([...list.map((item) => item.createdAt)].sort().reverse());
    // Deleting one makes room again.
    expect((await call(gateway.url(), 'DELETE', `/v1/saved-searches/${(list[0] as unknown as { searchId: string }).searchId}`, { as: many })).status).toBe(204);
    expect((await call(gateway.url(), 'POST', '/v1/saved-searches', { as: many, body })).status).toBe(201);

    const paths = async (payload: unknown) => {
      const response = await call(gateway.url(), 'POST', '/v1/saved-searches', { as: owner, body: payload });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      return (response.json.errors as Array<{ path: string }>).map((error) => error.path).sort();
    };
    expect(await paths({ query: { withinMiles: 5 }, email: 'not-an-address' })).toEqual(['email', 'query.near']);
    expect(await paths({ query: { near: 'OL8', withinMiles: 500, sex: 'other', colour: 'blue' }, email: address })).toEqual(['query.colour', 'query.sex', 'query.withinMiles']);
    expect(await paths({ query: { near: 'ZZ99' }, email: address })).toEqual(['query.near']);
    expect(await paths({ email: address })).toEqual(['query']);
    // Only discharge teams keep saved searches.
    expect((await call(gateway.url(), 'POST', '/v1/saved-searches', { as: { sub: 'saved-national', role: 'national' }, body })).status).toBe(403);
  }, 60_000);
});
