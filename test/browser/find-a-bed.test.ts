/// <reference lib="dom" />
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { toReturnItem } from '#shared/model/returns/return-item';
import type { Location } from '#shared/model/schemas/location';
import { putPostcodeDistricts } from '#shared/repositories/places';
import { indexVacancies } from '#shared/repositories/vacancies';
import { accessibilityViolations, chromiumAvailable, useChromium } from './chromium';
import { call, createLocation, designExample, returnPath, today, tokenFor, useGateway } from '../helpers/api';
import { haversineMiles as miles, postcodeDistricts, useAggregatorPoller } from '../helpers/search';
import { until } from '../helpers/wait';

/**
 * "Find a bed" (search.html) in Chromium against the local gateway and DynamoDB Local: a discharge
 * coordinator types a town, sees the nearest homes with their distance, address and a phone link, the age
 * of the figures in words, and pages on without losing their place.
 */
const gateway = useGateway();
const chromium = useChromium();
const SHOTS = chromium.shots;
useAggregatorPoller();
const COUNCIL = 'E10000502';
const stale: { location?: Location } = {};
const homes: Location[] = [];

beforeAll(async () => {
  if (!chromiumAvailable) return;
  const districts = postcodeDistricts();
  await putPostcodeDistricts(districts);
  const exeter = districts.find((district) => district.code === 'EX1')!;
  const around = districts.filter((district) => district.code !== 'EX1' && miles(exeter, district) <= 19).slice(0, 30);
  expect(around.length).toBeGreaterThan(20);
  for (const [index, district] of around.entries()) {
    homes.push(
      await createLocation({
        name: `${district.town ?? district.area} Bed House ${index}`,
        localAuthority: COUNCIL,
        region: 'E12000009',
        latitude: district.latitude + 0.002,
        longitude: district.longitude,
        postcode: `${district.code} 4QS`,
        phone: `01392 49${String(1000 + index)}`,
        address: `${index + 1} Bartholomew Street, ${district.town ?? district.area}`,
      } as Partial<Location>),
    );
  }
  const { residential, nursing } = designExample().vacancies;
  for (const home of homes) {
    const put = await call(gateway.url(), 'PUT', returnPath(home.locationId, today()), { body: { ...designExample(), vacancies: { residential: { ...residential, male: 0, female: 1, any: 1 }, nursing } } });
    expect(put.status).toBe(201);
  }
  // One whose figures are 30 hours old, indexed as the stream would have then.
  stale.location = await createLocation({ name: 'Yesterday House', localAuthority: COUNCIL, region: 'E12000009', latitude: exeter.latitude, longitude: exeter.longitude + 0.01 } as Partial<Location>);
  const submittedAt = new Date(Date.now() - 30 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await indexVacancies(
    toReturnItem({ ...designExample(), locationId: stale.location.locationId, reportDate: today(), version: 1, submittedAt, submittedBy: 'test', warnings: [] } as never, { ...stale.location, type: 'careHome' } as never),
    { latitude: exeter.latitude, longitude: exeter.longitude + 0.01, postcode: 'EX1 1AA' },
  );
  await until(async () => (await call(gateway.url(), 'GET', '/v1/vacancies?near=EX1&withinMiles=20&limit=100', { as: 'discharge' })).json.items.length === homes.length + 1, { timeoutMs: 120_000, intervalMs: 200, what: 'the homes in the search' });
}, 240_000);


describe.skipIf(!chromiumAvailable)('Find a bed in Chromium', () => {
  test('near a town: nearest first, with distance, address, a phone link and the age of the figures; "Show more" keeps the place', async () => {
    for (const width of [360, 1280]) {
      const page = await chromium.signedInPage(await tokenFor({ sub: 'bed-discharge', role: 'discharge' }), width);
      await page.goto(`${gateway.url()}/search.html`);
      await page.waitForFunction(() => /Say near where/.test(document.getElementById('status')?.textContent ?? ''));
      await page.fill('#near', 'Exeter');
      await page.click('#search button[type=submit]');
      await page.waitForFunction(() => /places? near Exeter/.test(document.getElementById('status')?.textContent ?? ''));
      expect(await page.textContent('#status')).toMatch(/^20 places near Exeter \(EX\d+\) so far, nearest first/);
      expect(await page.locator('#near-choices button').count()).toBeGreaterThan(0);
      const first = page.locator('#results li').first();
      expect(await first.locator('.where').textContent()).toMatch(/^\d+(\.\d)? miles? away · Care home · /);
      const distances = await page.$$eval('#results li .where', (nodes) => nodes.map((node) => Number(/^([\d.]+)/.exec(node.textContent ?? '')![1])));
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      // Yesterday House sits by the centre of EX1: near the top, marked as not updated for a day.
      const yesterday = page.locator(`#results li[data-location="${stale.location!.locationId}"]`);
      expect(await yesterday.locator('.fresh').textContent()).toBe('Updated 30 hours ago');
      expect(await yesterday.locator('.stale.tag').textContent()).toBe('Not updated for over 24 hours');
      const home = page.locator('#results li:not([data-location="' + stale.location!.locationId + '"])').first();
      expect(await home.locator('.fresh').textContent()).toMatch(/^Updated (just now|\d+ minutes ago)$/);
      expect(await home.locator('a.phone').getAttribute('href')).toMatch(/^tel:013924\d{5}$/);
      expect(await home.locator('.address').textContent()).toMatch(/Bartholomew Street, .*, EX\d+ 4QS$/);
      expect(await accessibilityViolations(page)).toEqual([]);

      await page.click('#more');
      await page.waitForFunction(() => document.querySelectorAll('#results li').length > 20);
      expect(await page.locator('#results li').count()).toBe(homes.length + 1);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-location'))).toBe(await page.locator('#results li').nth(20).getAttribute('data-location'));
      expect(await page.isHidden('#more')).toBe(true);
      expect(await page.textContent('#status')).toMatch(/that is all within 20 miles/);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `find-a-bed-${width}.png`), fullPage: width === 360 });
      await page.close();
    }
  }, 120_000);

  test("a search is saved for an email, listed, and stopped from the email's link with one click (not by opening it)", async () => {
    const sub = `bed-saver-${Date.now()}`;
    const page = await chromium.signedInPage(await tokenFor({ sub, role: 'discharge' }), 360);
    await page.goto(`${gateway.url()}/search.html?near=EX1`);
    await page.waitForFunction(() => /places? near EX1/.test(document.getElementById('status')?.textContent ?? ''));
    await page.waitForSelector('#save-search:not([hidden])');
    await page.fill('#save-email', 'not an address');
    await page.click('#save-form button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('save-email-error')?.textContent ?? '') !== '');
    await page.fill('#save-email', 'Ward7.Discharge@Hospital.example');
    await page.click('#save-form button[type=submit]');
    await page.waitForSelector('#saved:not([hidden]) #saved-list li');
    expect(await page.textContent('#saved-list li')).toContain('ward7.discharge@hospital.example');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'saved-search-360.png'), fullPage: true });
    const saved = (await call(gateway.url(), 'GET', '/v1/saved-searches', { as: { sub, role: 'discharge' } })).json.items;
    expect(saved).toHaveLength(1);
    await page.close();

    // The email's link: opening it (as a mail scanner would) deletes nothing; the click does.
    const { issueUnsubscribeToken } = await import('#shared/services/saved-searches/unsubscribe-links');
    const token = await issueUnsubscribeToken(saved[0].searchId);
    const link = await chromium.newPage({ viewport: { width: 360, height: 900 } });
    await link.goto(`${gateway.url()}/unsubscribe.html#token=${token}`);
    await link.waitForSelector('#unsubscribe:not([hidden])');
    expect(link.url()).not.toContain(token);
    expect((await call(gateway.url(), 'GET', '/v1/saved-searches', { as: { sub, role: 'discharge' } })).json.items).toHaveLength(1);
    expect(await accessibilityViolations(link)).toEqual([]);
    await link.click('#unsubscribe');
    await link.waitForSelector('#status.done');
    expect(await link.textContent('#status h2')).toBe('Done: no more emails from this search');
    expect((await call(gateway.url(), 'GET', '/v1/saved-searches', { as: { sub, role: 'discharge' } })).json.items).toEqual([]);
    expect(await accessibilityViolations(link)).toEqual([]);
    await link.close();
  }, 60_000);

  test('a postcode the service does not know, or a town it cannot find, is said beside the field', async () => {
    const page = await chromium.signedInPage(await tokenFor({ sub: 'bed-discharge', role: 'discharge' }), 360);
    await page.goto(`${gateway.url()}/search.html`);
    await page.waitForFunction(() => /Say near where/.test(document.getElementById('status')?.textContent ?? ''));
    await page.fill('#near', 'ZZ99 9ZZ');
    await page.click('#search button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('near-error')?.textContent ?? '') !== '');
    expect(await page.textContent('#near-error')).toBe('Near: ZZ99 is not a postcode district we know');
    await page.fill('#near', 'Nowhere-on-Sea');
    await page.click('#search button[type=submit]');
    await page.waitForFunction(() => /Nowhere/.test(document.getElementById('near-error')?.textContent ?? ''));
    expect(await page.getAttribute('#near', 'aria-invalid')).toBe('true');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);
});
