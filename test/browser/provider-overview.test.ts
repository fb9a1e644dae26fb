/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { putMemberships } from '#shared/repositories/memberships';
import { putLocations } from '#shared/repositories/locations';
import { submitReturn } from '#shared/services/returns/submit';
import type { Location } from '#shared/model/schemas/location';
import { accessibilityViolations, chromiumAvailable, useChromium } from './chromium';
import { call, daysAgo, designExample, newLocation, today, tokenFor, useGateway } from '../helpers/api';

/**
 * The provider overview in Chromium: a care group's manager with many locations sees them all a page at a
 * time, says "nothing has changed" for many at once, and updates them through the spreadsheet.
 */
const available = chromiumAvailable;
const gateway = useGateway();
const chromium = useChromium();
const SHOTS = chromium.shots;

async function signedInPage(sub: string, width = 1280): Promise<Page> {
  return chromium.signedInPage(await tokenFor({ sub, role: 'provider' }), width, { acceptDownloads: true });
}

/** Figures for a residential-and-nursing home, with `occupied` beds. */
function figures(occupied: number) {
  const { residential, nursing } = designExample().vacancies;
  return { ...designExample(), vacancies: { residential, nursing }, beds: { ...designExample().beds, occupied } };
}

/** `count` locations named "<prefix> 001"…, members of `sub`; the first `withFigures` sent figures three days ago. */
async function careGroup(sub: string, prefix: string, count: number, withFigures: number): Promise<Location[]> {
  const locations = Array.from({ length: count }, (_, index) => newLocation({ name: `${prefix} ${String(index + 1).padStart(3, '0')}`, categories: ['residential', 'nursing'] }));
  await putLocations(locations);
  const grantedAt = new Date().toISOString();
  await putMemberships(locations.map(({ locationId }) => ({ userId: sub, locationId, grantedAt, grantedBy: 'test' })));
  const then = new Date(Date.now() - 3 * 24 * 3600_000);
  for (const location of locations.slice(0, withFigures)) {
    await submitReturn({ locationId: location.locationId, reportDate: daysAgo(3), submittedBy: { userId: sub }, now: then }, figures(30));
  }
  return locations;
}

const status = (page: Page) => page.textContent('#status');

describe.skipIf(!available)('the provider overview in Chromium', () => {
  test('120 locations, a page at a time, and "nothing has changed" for the selected ones in one action', async () => {
    const sub = `overview-${Date.now()}`;
    const locations = await careGroup(sub, 'Overview House', 120, 100);
    const page = await signedInPage(sub);
    await page.goto(`${gateway.url()}/`);
    await page.waitForSelector('#homes tbody tr');
    // More than one page of the API (100 a request) and of the table (50 a screen): every location counted.
    expect(await page.textContent('#overview-summary')).toBe('120 locations; 120 not updated in the last 24 hours.');
    expect(await page.locator('#homes tbody tr').count()).toBe(50);
    expect(await page.textContent('#page-position')).toBe('Page 1 of 3 (1–50 of 120)');
    expect(await page.locator('#homes tbody tr td:nth-child(2)').first().textContent()).toBe('Overview House 001');
    expect(await page.locator('#homes tbody tr').first().locator('.tag').textContent()).toBe('Over 48 hours ago');
    expect(await page.locator('#homes tbody tr[data-location="' + locations[119]!.locationId + '"]').count()).toBe(0);
    await page.click('#page-next');
    await page.click('#page-next');
    expect(await page.textContent('#page-position')).toBe('Page 3 of 3 (101–120 of 120)');
    expect(await page.locator('#homes tbody tr').last().locator('.tag').textContent()).toBe('Never updated');
    await page.click('#page-previous');
    expect(await page.locator('#homes tbody tr td:nth-child(2)').first().textContent()).toBe('Overview House 051');

    // Finding by name narrows the table; clearing it gives them all back.
    await page.fill('#filter-name', 'house 11');
    expect(await page.textContent('#homes caption')).toBe('10 locations match');
    expect(await page.locator('#homes tbody tr').count()).toBe(10);
    await page.fill('#filter-name', '');
    expect(await page.textContent('#page-position')).toBe('Page 1 of 3 (1–50 of 120)');
    expect(await page.textContent('#select-shown')).toBe('Select all 120 locations');
    await page.click('#page-next');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Everything selected, one click: the 100 with figures repeat them for today; the 20 without cannot.
    const confirms: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/confirm')) confirms.push(request.url());
    });
    await page.click('#select-shown');
    expect(await page.textContent('#confirm-selected')).toBe('Nothing has changed: repeat the latest figures for 120 selected locations');
    await page.click('#confirm-selected');
    await page.waitForFunction(() => /confirmed for today/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await status(page)).toBe('100 of 120 confirmed for today; 20 not: the reason is beside each, and they stay selected.');
    expect(confirms).toHaveLength(120);
    for (const url of confirms) expect(url).toMatch(new RegExp(`/returns/${today()}/confirm$`));
    expect(await page.textContent('#overview-summary')).toBe('120 locations; 20 not updated in the last 24 hours.');
    expect(await page.textContent('#confirm-selected')).toBe('Nothing has changed: repeat the latest figures for 20 selected locations');
    // The table kept its place (page 2); the last page shows why the 20 were not confirmed.
    expect(await page.textContent('#page-position')).toBe('Page 2 of 3 (51–100 of 120)');
    expect(await page.locator(`#homes tr[data-location="${locations[60]!.locationId}"] .result`).textContent()).toBe('Confirmed for today (version 1)');
    await page.click('#page-next');
    expect(await page.locator(`#homes tr[data-location="${locations[110]!.locationId}"] .result`).textContent()).toMatch(/^Not confirmed: .*earlier return/);
    await page.screenshot({ path: join(SHOTS, 'overview-1280.png'), fullPage: true });
    await page.close();

    // The API has today's return for a confirmed location: the figures of three days ago, repeated.
    const stored = await call(gateway.url(), 'GET', `/v1/locations/${locations[60]!.locationId}`);
    expect(stored.json.latestReturn).toMatchObject({ reportDate: today(), version: 1, confirmedFrom: { reportDate: daysAgo(3), version: 1 }, beds: { occupied: 30 } });
    expect((await call(gateway.url(), 'GET', `/v1/locations/${locations[110]!.locationId}`)).json.latestReturn ?? null).toBeNull();
  }, 240_000);

  test('the spreadsheet: download, a bad cell shown beside its row with nothing saved, then the corrected file saved', async () => {
    const sub = `spreadsheet-${Date.now()}`;
    const locations = await careGroup(sub, 'Sheet House', 3, 3);
    const page = await signedInPage(sub, 360);
    await page.goto(`${gateway.url()}/`);
    await page.waitForSelector('#download-template');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-template')]);
    expect(download.suggestedFilename()).toBe(`capacity-tracker-${today()}.csv`);
    const template = readFileSync((await download.path())!, 'utf8');
    const lines = template.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    const header = lines[0]!.split(',');
    const occupied = header.indexOf('beds.occupied');
    const rows = lines.slice(1).map((line) => line.split(','));
    expect(rows.map((row) => [row[header.indexOf('name')], row[header.indexOf('reportDate')], row[occupied]])).toEqual(
      locations.map((location) => [location.name, today(), '30']),
    );

    // Row 3 of the spreadsheet (the second location) says "lots" where a number goes: nothing is saved.
    const withOccupied = (values: string[]) => [lines[0], ...rows.map((row, index) => row.map((cell, column) => (column === occupied ? values[index] : cell)).join(','))].join('\r\n') + '\r\n';
    await page.setInputFiles('#upload-file', { name: 'figures.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFF' + withOccupied(['31', 'lots', '33'])) });
    await page.click('#upload');
    await page.waitForSelector('#upload-problem');
    expect(await page.textContent('#upload-problem h2')).toBe('Nothing was saved');
    expect(await status(page)).toMatch(/^Not saved: /);
    expect(await page.locator('#upload-errors tbody tr').count()).toBe(1);
    expect(await page.locator('#upload-errors tbody tr th').textContent()).toBe('Row 3');
    expect(await page.locator('#upload-errors tbody tr td').first().textContent()).toBe('Sheet House 002');
    expect(await page.locator('#upload-errors tbody tr td').last().textContent()).toMatch(/^beds\.occupied: .*whole number/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'overview-upload-problem-360.png'), fullPage: true });
    for (const location of locations) {
      expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.latestReturn.reportDate).toBe(daysAgo(3));
    }

    // Corrected: all three saved for today, and the table shows them fresh.
    await page.setInputFiles('#upload-file', { name: 'figures.csv', mimeType: 'text/csv', buffer: Buffer.from(withOccupied(['31', '32', '33'])) });
    await page.click('#upload');
    await page.waitForSelector('#upload-saved');
    expect(await page.textContent('#upload-saved')).toContain('3 new returns, 0 corrections, 0 blank rows skipped.');
    await page.waitForFunction(() => /all updated in the last 24 hours/.test(document.getElementById('overview-summary')?.textContent ?? ''));
    expect(await page.locator('#homes .tag.warn').count()).toBe(0);
    await page.close();
    const stored = await Promise.all(locations.map((location) => call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)));
    expect(stored.map(({ json }) => [json.latestReturn.reportDate, json.latestReturn.beds.occupied, json.latestReturn.submittedBy])).toEqual([
      [today(), 31, sub],
      [today(), 32, sub],
      [today(), 33, sub],
    ]);
  }, 120_000);
});
