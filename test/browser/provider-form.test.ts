/// <reference lib="dom" />
import { join } from 'node:path';
import { accessibilityViolations, chromiumAvailable, useChromium } from './chromium';
import { describe, expect, test } from 'vitest';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { putMemberships } from '#shared/repositories/memberships';
import { call, createLocation, today, tokenFor, useGateway } from '../helpers/api';

/**
 * The provider's form in a real browser (Debian's Chromium, which .ci/run installs): what a care-home
 * manager does, against the local gateway and DynamoDB Local. Screenshots land in test-results/.
 */
const available = chromiumAvailable;
const gateway = useGateway();
const chromium = useChromium();
const SHOTS = chromium.shots;
const signedInPage = (token: string, width = 360) => chromium.signedInPage(token, width);


describe.skipIf(!available)('the provider form in Chromium', () => {
  test('a provider fills in and sends the day’s figures, and the API has them', async () => {
    const location = await createLocation({ name: 'Browser House', categories: ['residential', 'nursing'] });
    const sub = `browser-provider-${Date.now()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const keys: string[] = [];
    for (const width of [360, 1280]) {
      const page = await signedInPage(await tokenFor({ sub, role: 'provider' }), width);
      page.on('request', (request) => {
        if (request.method() === 'PUT') keys.push(request.headers()['idempotency-key'] ?? 'none');
      });
      await page.goto(`${gateway.url()}/?location=${location.locationId}`);
      await page.waitForSelector('#return-form');
      await page.waitForSelector('#area h2');
      expect(await page.textContent('#area')).toMatch(/^Your area \(E08000004\)(Today|Yesterday): \d+ of \d+ homes have updated/);
      // A location with no figures yet: every box to fill.
      for (const input of await page.locator('#return-form input[type=number]').all()) await input.fill('0');
      await page.fill('[name="vacancies.nursing.any"]', '2');
      await page.fill('[name="beds.occupied"]', '40');
      await page.fill('[name="workforce.staffEmployed"]', '50');
      await page.fill('[name="ppe.gloves"]', '30');
      await page.click('button[type=submit]');
      await page.waitForSelector('#confirmation, #error-summary');
      expect(await page.textContent('#status')).toMatch(/^Saved/);
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(await page.textContent('#confirmation')).toMatch(/Your figures are saved.*version [12]/s);
      await page.screenshot({ path: join(SHOTS, `form-${width}.png`), fullPage: true });
      await page.close();
    }
    const stored = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`);
    expect(stored.json.latestReturn).toMatchObject({ reportDate: today(), version: 2, submittedBy: sub, vacancies: { nursing: { any: 2 } }, beds: { occupied: 40 } });
    // Each submission carried its own fresh Idempotency-Key (the draft's quoted form of a UUID).
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
    expect(new Set(keys).size).toBe(2);
  });

  test('a save whose answer is lost is sent again with the same key, and stored once', async () => {
    const location = await createLocation({ categories: ['residential'] });
    const sub = `browser-provider-retry-${Date.now()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const page = await signedInPage(await tokenFor({ sub, role: 'provider' }));
    const keys: string[] = [];
    // The first PUT reaches the server, which saves it, but its answer never reaches the page.
    await page.route('**/returns/**', async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      keys.push(route.request().headers()['idempotency-key'] ?? 'none');
      if (keys.length > 1) return route.continue();
      await route.fetch();
      return route.abort('connectionreset');
    });
    await page.goto(`${gateway.url()}/?location=${location.locationId}`);
    await page.waitForSelector('#return-form');
    for (const input of await page.locator('#return-form input[type=number]').all()) await input.fill('0');
    await page.fill('[name="beds.occupied"]', '12');
    await page.click('button[type=submit]');
    await page.waitForSelector('#confirmation, #error-summary');
    expect(await page.textContent('#confirmation')).toMatch(/Your figures are saved.*version 1\./s);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    const history = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}/returns`, { as: 'national' });
    expect(history.json.items.map((r: { version: number }) => r.version)).toEqual([1]);
    await page.close();
  });

  test('a gateway busy for a moment (429, Retry-After) delays the page and the save instead of failing them', async () => {
    const location = await createLocation({ categories: ['residential'] });
    const sub = `browser-provider-busy-${Date.now()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const page = await signedInPage(await tokenFor({ sub, role: 'provider' }));
    // The first call of each kind is refused as a throttled gateway refuses it (nothing run), as every
    // API call of the page is when more than LOCAL_MAX_IN_FLIGHT are in flight.
    const refused = new Map<string, number>();
    await page.route('**/v1/**', async (route) => {
      const kind = `${route.request().method()} ${new URL(route.request().url()).pathname}`;
      if (refused.has(kind)) {
        refused.set(kind, refused.get(kind)! + 1);
        return route.continue();
      }
      refused.set(kind, 1);
      return route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
        body: JSON.stringify({ type: 'https://capacity-tracker.example/problems/too-many-requests', title: 'Too many requests', status: 429 }),
      });
    });
    await page.goto(`${gateway.url()}/?location=${location.locationId}`);
    await page.waitForSelector('#return-form');
    for (const input of await page.locator('#return-form input[type=number]').all()) await input.fill('0');
    await page.fill('[name="beds.occupied"]', '9');
    await page.click('button[type=submit]');
    await page.waitForSelector('#confirmation, #error-summary');
    expect(await page.textContent('#confirmation')).toMatch(/Your figures are saved.*version 1\./s);
    // Every call was refused once and then sent again (some again later, as the page reloads them); the
    // save was sent twice and stored once.
    expect([...refused].filter(([kind]) => kind.startsWith('PUT ')).map(([, times]) => times)).toEqual([2]);
    for (const [kind, times] of refused) expect(times, kind).toBeGreaterThanOrEqual(2);
    const history = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}/returns`, { as: 'national' });
    expect(history.json.items.map((r: { version: number }) => r.version)).toEqual([1]);
    await page.close();
  });

  test('a value the server refuses is shown beside its field, and nothing changes', async () => {
    const location = await createLocation({ categories: ['residential'] });
    const sub = `browser-provider-bad-${Date.now()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const page = await signedInPage(await tokenFor({ sub, role: 'provider' }));
    await page.goto(`${gateway.url()}/?location=${location.locationId}`);
    await page.waitForSelector('#return-form');
    for (const input of await page.locator('#return-form input[type=number]').all()) await input.fill('0');
    // Past the form's own check, so the answer comes from the server.
    await page.evaluate(() => document.querySelector('[name="beds.occupied"]')!.setAttribute('max', '99999'));
    await page.fill('[name="beds.occupied"]', '20000');
    await page.click('button[type=submit]');
    await page.waitForSelector('#error-summary');
    expect(await page.textContent('#f-beds-occupied-error')).toBe('must be at most 10000');
    expect(await page.getAttribute('[name="beds.occupied"]', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#error-summary')).toContain('Occupied must be at most 10000');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'server-error-360.png') });
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.latestReturn).toBeNull();
    await page.close();
  });

  test('an update link opens the form without signing in, and takes the token out of the address', async () => {
    const location = await createLocation({ name: 'Linked House' });
    const { token } = await issueUpdateLink(location.locationId);
    const page = await chromium.newPage({ viewport: { width: 360, height: 900 } });
    await page.goto(`${gateway.url()}/?location=${location.locationId}#token=${token}`);
    await page.waitForSelector('#return-form');
    expect(await page.textContent('h1')).toBe('Linked House');
    expect(page.url()).not.toContain('token=');
    await page.close();
  });

  test('the location list, the bed search and the "nothing has changed" page pass the accessibility checks', async () => {
    const location = await createLocation({ name: 'Listed House' });
    const sub = `browser-list-${Date.now()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    const list = await signedInPage(await tokenFor({ sub, role: 'provider' }));
    await list.goto(`${gateway.url()}/`);
    await list.waitForSelector('#homes tbody a');
    expect(await list.textContent('#homes tbody')).toContain('Listed House');
    expect(await list.textContent('#homes tbody')).toContain('Never updated');
    expect(await accessibilityViolations(list)).toEqual([]);
    await list.close();

    const search = await signedInPage(await tokenFor({ sub: 'browser-discharge', role: 'discharge' }));
    await search.goto(`${gateway.url()}/search.html`);
    await search.waitForFunction(() => /Say near where/.test(document.getElementById('status')!.textContent ?? ''));
    expect(await accessibilityViolations(search)).toEqual([]);
    await search.screenshot({ path: join(SHOTS, 'search-360.png') });
    await search.close();

    // Yesterday's figures; the link is from an email sent two days ago (its old date is ignored).
    const { designExample, daysAgo } = await import('../helpers/api');
    await call(gateway.url(), 'PUT', `/v1/locations/${location.locationId}/returns/${daysAgo(1)}`, { body: { ...designExample(), beds: { ...designExample().beds, occupied: 37 } } });
    const { token } = await issueUpdateLink(location.locationId);
    const confirm = await chromium.newPage({ viewport: { width: 360, height: 900 } });
    const confirmKeys: string[] = [];
    confirm.on('request', (request) => {
      if (request.method() === 'POST') confirmKeys.push(request.headers()['idempotency-key'] ?? 'none');
    });
    await confirm.goto(`${gateway.url()}/confirm.html?location=${location.locationId}&date=${daysAgo(2)}#token=${token}`);
    await confirm.waitForSelector('#confirm');
    // The page shows what it would repeat and stores nothing until the click (a mail scanner runs pages).
    expect(await confirm.textContent('#figures')).toMatch(/Listed House.*Beds occupied\s*37/s);
    expect(confirmKeys).toEqual([]);
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.latestReturn.reportDate).toBe(daysAgo(1));
    expect(await accessibilityViolations(confirm)).toEqual([]);
    await confirm.screenshot({ path: join(SHOTS, 'confirm-360.png') });

    await confirm.click('#confirm');
    await confirm.waitForSelector('#status.done, #status.problem');
    expect(await confirm.textContent('#status')).toContain('your figures are confirmed');
    expect(confirmKeys).toEqual([expect.stringMatching(/^"[0-9a-f-]{36}"$/)]);
    // The London day of the click, not the day in the link.
    const latest = (await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.latestReturn;
    expect(latest).toMatchObject({ reportDate: today(), beds: { occupied: 37 }, confirmedFrom: { reportDate: daysAgo(1), version: 1 } });
    expect(await accessibilityViolations(confirm)).toEqual([]);
    await confirm.close();
  });

  test('"nothing has changed" racing a save shows the new figures and asks again instead of repeating the old ones', async () => {
    const { designExample } = await import('../helpers/api');
    const location = await createLocation({ name: 'Raced House' });
    const withOccupied = (occupied: number) => ({ ...designExample(), beds: { ...designExample().beds, occupied } });
    await call(gateway.url(), 'PUT', `/v1/locations/${location.locationId}/returns/${today()}`, { body: withOccupied(20) });
    const { token } = await issueUpdateLink(location.locationId);
    const confirm = await chromium.newPage({ viewport: { width: 360, height: 900 } });
    await confirm.goto(`${gateway.url()}/confirm.html?location=${location.locationId}#token=${token}`);
    await confirm.waitForSelector('#confirm');
    expect(await confirm.textContent('#figures')).toMatch(/Beds occupied\s*20/);
    // A colleague saves new figures while the manager is reading the page.
    await call(gateway.url(), 'PUT', `/v1/locations/${location.locationId}/returns/${today()}`, { body: withOccupied(25) });
    await confirm.click('#confirm');
    await confirm.waitForFunction(() => /changed meanwhile/.test(document.getElementById('status')?.textContent ?? ''));
    expect(await confirm.textContent('#figures')).toMatch(/Beds occupied\s*25/);
    await confirm.close();
  });

  test('a provider picks yesterday, corrects its figures, and sees the day’s versions and what changed', async () => {
    const { designExample, daysAgo } = await import('../helpers/api');
    const location = await createLocation({ name: 'History House' });
    const sub = `browser-history-${Date.now()}`;
    await putMemberships([{ userId: sub, locationId: location.locationId, grantedAt: new Date().toISOString(), grantedBy: 'test' }]);
    // The categories the location reports, as its form sends them.
    const { residential, nursing } = designExample().vacancies;
    const withOccupied = (occupied: number) => ({ ...designExample(), vacancies: { residential, nursing }, beds: { ...designExample().beds, occupied } });
    const provider = { as: { sub, role: 'provider' as const } };
    expect((await call(gateway.url(), 'PUT', `/v1/locations/${location.locationId}/returns/${daysAgo(3)}`, { ...provider, body: withOccupied(38) })).status).toBe(201);
    expect((await call(gateway.url(), 'PUT', `/v1/locations/${location.locationId}/returns/${daysAgo(1)}`, { ...provider, body: withOccupied(40) })).status).toBe(201);

    const page = await signedInPage(await tokenFor({ sub, role: 'provider' }));
    const puts: Array<{ url: string; ifMatch: string | undefined }> = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') puts.push({ url: request.url(), ifMatch: request.headers()['if-match'] });
    });
    await page.goto(`${gateway.url()}/?location=${location.locationId}`);
    await page.waitForSelector('#report-day');
    // Today and the 7 days before, by name; today is new, so it starts from yesterday's figures.
    const days = await page.locator('#report-day option').allTextContents();
    expect(days).toHaveLength(8);
    expect(days.slice(0, 2)).toEqual(['Today', 'Yesterday (saved)']);
    for (const day of days.slice(2)) expect(day).toMatch(/^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+( \(saved\))?$/);
    expect(days[3]).toMatch(/\(saved\)$/);
    expect(await page.inputValue('#report-day')).toBe(today());
    expect(await page.textContent('#form-intro')).toContain('last figures (Yesterday)');
    expect(await page.inputValue('[name="beds.occupied"]')).toBe('40');
    expect(await page.isVisible('#correcting')).toBe(false);

    // Yesterday: its own figures, as a correction, with its one version below.
    await page.selectOption('#report-day', daysAgo(1));
    await page.waitForSelector('#correcting');
    expect(await page.textContent('#correcting')).toMatch(/You are correcting yesterday’s figures.*Version 1 was saved/s);
    expect(await page.inputValue('[name="beds.occupied"]')).toBe('40');
    expect(await page.textContent('button[type=submit]')).toBe('Send yesterday’s figures');
    await page.waitForSelector('#history:not([hidden]) .history li');
    expect(await page.locator('#history .history > li').count()).toBe(1);
    expect(await page.textContent('#history')).toMatch(/Version 1, saved .* by browser-history-.*Changed from .*’s figures:.*Beds occupied: 38 → 40/s);

    // The day three days back starts from its own figures, and back to yesterday again.
    await page.selectOption('#report-day', daysAgo(3));
    await page.waitForFunction(() => (document.querySelector('[name="beds.occupied"]') as HTMLInputElement | null)?.value === '38');
    await page.selectOption('#report-day', daysAgo(2));
    await page.waitForFunction(() => /last figures/.test(document.getElementById('form-intro')?.textContent ?? ''));
    expect(await page.inputValue('[name="beds.occupied"]')).toBe('38');
    await page.selectOption('#report-day', daysAgo(1));
    await page.waitForSelector('#correcting');

    await page.fill('[name="beds.occupied"]', '41');
    await page.click('button[type=submit]');
    await page.waitForSelector('#confirmation, #error-summary');
    expect(await page.textContent('#status')).toMatch(/^Saved, version 2/);
    expect(puts).toEqual([{ url: expect.stringMatching(new RegExp(`/returns/${daysAgo(1)}$`)), ifMatch: '"1"' }]);
    await page.waitForFunction(() => document.querySelectorAll('#history .history > li').length === 2);
    const history = await page.locator('#history .history > li').allTextContents();
    expect(history[0]).toMatch(/^Version 2, saved .* by browser-history-.*Changed:Beds occupied: 40 → 41$/s);
    expect(await page.locator('#history .history > li').first().locator('.changes li').allTextContents()).toEqual(['Beds occupied: 40 → 41']);
    expect(history[1]).toMatch(/^Version 1, /);
    expect(await page.textContent('#correcting')).toContain('Version 2 was saved');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'form-history-360.png'), fullPage: true });
    await page.close();

    // Stored for yesterday; today still has no return.
    const stored = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}/returns?from=${daysAgo(1)}`, { as: 'national' });
    expect(stored.json.items.map((r: { reportDate: string; version: number; beds: { occupied: number } }) => [r.reportDate, r.version, r.beds.occupied])).toEqual([[daysAgo(1), 2, 41]]);
  });
});
