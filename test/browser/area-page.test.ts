/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Area } from '#shared/model/directory/ons';
import type { Location } from '#shared/model/schemas/location';
import { putAreas } from '#shared/repositories/areas';
import { accessibilityViolations, chromiumAvailable, useChromium } from './chromium';
import { call, createLocation, daysAgo, designExample, returnPath, today, tokenFor, useGateway } from '../helpers/api';
import { useAggregatorPoller } from '../helpers/search';
import { until } from '../helpers/wait';

/**
 * The area page (areas.html) in Chromium against the local gateway and DynamoDB Local, for commissioners
 * and national teams: areas chosen by name, a region's councils in a table sortable by any column with
 * the share of locations that reported, two charts over time with a table of the same figures, a
 * commissioner kept to their own areas, and a download prepared as an export job.
 *
 * The West Midlands is this file's own: no other test places locations there. Returns are written
 * through the API and reach the aggregates through the returns stream (an aggregator of this file's own).
 */
const gateway = useGateway();
const chromium = useChromium();
const SHOTS = chromium.shots;
useAggregatorPoller();

const WEST_MIDLANDS = 'E12000005';
const EAST_MIDLANDS = 'E12000004';
const COUNCILS = { Birmingham: 'E08000025', Coventry: 'E08000026', Dudley: 'E08000027', Sandwell: 'E08000028' } as const;
type Council = keyof typeof COUNCILS;
const AREAS: Area[] = [
  { level: 'region', code: WEST_MIDLANDS, name: 'West Midlands' },
  { level: 'region', code: EAST_MIDLANDS, name: 'East Midlands' },
  ...Object.entries(COUNCILS).map(([name, code]) => ({ level: 'localAuthority' as const, code, name, parent: WEST_MIDLANDS })),
  { level: 'localAuthority', code: 'E06000016', name: 'Leicester', parent: EAST_MIDLANDS },
];

/**
 * Today: Birmingham 3 of 3 (12 vacancies, 120 occupied: 91%; one closed, one in outbreak), Coventry 1 of 2
 * (20 vacancies), Dudley 1 of 1 (1 vacancy), Sandwell 0 of 2. Yesterday: no returns at all. Two days ago:
 * Birmingham 2 and Coventry 2, so 4 of the region's 8.
 */
const HOMES: Record<Council, number> = { Birmingham: 3, Coventry: 2, Dudley: 1, Sandwell: 2 };
const TODAY: Array<[Council, number, { vacant: number; occupied: number; closed?: boolean; outbreak?: boolean }]> = [
  ['Birmingham', 0, { vacant: 5, occupied: 40, closed: true }],
  ['Birmingham', 1, { vacant: 4, occupied: 40, outbreak: true }],
  ['Birmingham', 2, { vacant: 3, occupied: 40 }],
  ['Coventry', 0, { vacant: 20, occupied: 20 }],
  ['Dudley', 0, { vacant: 1, occupied: 49 }],
];
const TWO_DAYS_AGO: Array<[Council, number]> = [['Birmingham', 0], ['Birmingham', 1], ['Coventry', 0], ['Coventry', 1]];

function body(figures: { vacant: number; occupied: number; closed?: boolean; outbreak?: boolean }) {
  const example = designExample();
  return {
    ...example,
    vacancies: { residential: { male: 0, female: 0, any: figures.vacant }, nursing: { male: 0, female: 0, any: 0 } },
    beds: { occupied: figures.occupied, vacantReserved: 0, vacantNotAdmittable: 0 },
    admissions: figures.closed ? { status: 'closed', reason: 'staffing' } : { status: 'open' },
    outbreak: figures.outbreak ? { active: true, residentsConfirmed: 2, residentsSuspected: 0, staffConfirmed: 0 } : example.outbreak,
  };
}

const homes = {} as Record<Council, Location[]>;
const national = () => tokenFor({ sub: 'area-page-national', role: 'national' });

beforeAll(async () => {
  if (!chromiumAvailable) return;
  await putAreas(AREAS);
  // Every location first: a day's aggregate counts the locations expected when its first return arrives.
  for (const [council, count] of Object.entries(HOMES) as Array<[Council, number]>) {
    homes[council] = [];
    for (let index = 0; index < count; index += 1) {
      homes[council].push(await createLocation({ name: `${council} Care Home ${index + 1}`, localAuthority: COUNCILS[council], region: WEST_MIDLANDS }));
    }
  }
  for (const [council, index, figures] of TODAY) {
    expect((await call(gateway.url(), 'PUT', returnPath(homes[council][index]!.locationId, today()), { body: body(figures) })).status).toBe(201);
  }
  for (const [council, index] of TWO_DAYS_AGO) {
    expect((await call(gateway.url(), 'PUT', returnPath(homes[council][index]!.locationId, daysAgo(2)), { body: body({ vacant: 2, occupied: 30 }) })).status).toBe(201);
  }
  const reporting = async (query: string) => {
    const items = (await call(gateway.url(), 'GET', `/v1/aggregates?${query}&limit=1000`, { as: { sub: 'area-page-national', role: 'national' } })).json?.items ?? [];
    return Object.fromEntries(items.map((item: { area: string; date: string; locationsReporting: number }) => [`${item.area}@${item.date}`, item.locationsReporting]));
  };
  await until(
    async () => {
      const region = await reporting(`level=region&area=${WEST_MIDLANDS}&from=${daysAgo(2)}&to=${today()}`);
      const councils = await reporting(`level=localAuthority&from=${today()}&to=${today()}`);
      return region[`${WEST_MIDLANDS}@${today()}`] === 5 && region[`${WEST_MIDLANDS}@${daysAgo(2)}`] === 4 &&
        councils[`${COUNCILS.Birmingham}@${today()}`] === 3 && councils[`${COUNCILS.Coventry}@${today()}`] === 1 && councils[`${COUNCILS.Dudley}@${today()}`] === 1;
    },
    { timeoutMs: 120_000, intervalMs: 200, what: 'the returns in the aggregates' },
  );
}, 240_000);

const statusOf = (page: Page, id: string) => page.textContent(`#${id}`).then((text) => text ?? '');
const rowNames = (page: Page) => page.$$eval('#day-table tbody th[scope=row]', (cells) => cells.map((cell) => cell.textContent));
const cell = (page: Page, area: string, column: string) => page.textContent(`#day-table tr[data-area="${area}"] td[data-column="${column}"]`).then((text) => (text ?? '').replace(/\s+/g, ' ').trim());

/** The page, signed in, with the table of the area and day asked for shown. */
async function open(page: Page, query = ''): Promise<void> {
  await page.goto(`${gateway.url()}/areas.html${query}`);
  await page.waitForSelector('#area-form:not([hidden])');
}
async function tableShown(page: Page, caption: RegExp): Promise<void> {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('#day-table caption')?.textContent ?? ''), caption.source, { timeout: 20_000 });
}
async function chooseRegion(page: Page, region: string): Promise<void> {
  await page.selectOption('#region', region);
  await page.waitForFunction(() => {
    const select = document.getElementById('council') as HTMLSelectElement;
    return !select.disabled && select.options.length > 1;
  });
}

describe.skipIf(!chromiumAvailable)('The area page in Chromium', () => {
  test("a national user: a region's councils by name, sortable, with the share that reported; two charts with their figures as a table", async () => {
    for (const width of [360, 1280]) {
      const page = await chromium.signedInPage(await national(), width);
      await open(page);
      // England first, compared by region, by name.
      await tableShown(page, /^Regions in England/);
      expect(await rowNames(page)).toEqual(expect.arrayContaining(['West Midlands', 'East Midlands']));

      await chooseRegion(page, WEST_MIDLANDS);
      expect(await page.$$eval('#council option', (options) => options.map((option) => option.textContent))).toEqual(['The whole region', 'Birmingham', 'Coventry', 'Dudley', 'Sandwell']);
      await page.click('#area-form button[type=submit]');
      await tableShown(page, /^Councils in West Midlands, today/);
      expect(page.url()).toContain(`area=${WEST_MIDLANDS}`);
      expect(await page.textContent('#day-heading')).toMatch(/^West Midlands, today/);
      // Names, never the codes.
      expect(await rowNames(page)).toEqual(['Birmingham', 'Coventry', 'Dudley', 'Sandwell']);
      expect(await page.textContent('#day-table')).not.toMatch(/E0[68]\d{6}|E12\d{6}/);
      // The reporting share as seeded; Sandwell, with no returns, 0 rather than missing.
      expect(await cell(page, COUNCILS.Birmingham, 'share')).toBe('100% (3 of 3)');
      expect(await cell(page, COUNCILS.Coventry, 'share')).toBe('50% (1 of 2)');
      expect(await cell(page, COUNCILS.Dudley, 'share')).toBe('100% (1 of 1)');
      expect(await cell(page, COUNCILS.Sandwell, 'share')).toBe('0% (0 of 2, no returns)');
      expect(await cell(page, WEST_MIDLANDS, 'share')).toBe('63% (5 of 8)');
      expect(await page.textContent(`#day-table tfoot th`)).toBe('All of West Midlands');
      // The other columns: 120 occupied of 132 beds is 91%; Sandwell has no beds to count.
      expect(await cell(page, COUNCILS.Birmingham, 'vacancies')).toBe('12');
      expect(await cell(page, COUNCILS.Birmingham, 'occupancy')).toBe('91%');
      expect(await cell(page, COUNCILS.Birmingham, 'closed')).toBe('1');
      expect(await cell(page, COUNCILS.Birmingham, 'outbreak')).toBe('1');
      expect(await cell(page, COUNCILS.Coventry, 'occupancy')).toBe('50%');
      expect(await cell(page, COUNCILS.Sandwell, 'occupancy')).toBe('–');
      expect(await cell(page, WEST_MIDLANDS, 'vacancies')).toBe('33');
      expect(await page.textContent('#occupancy-note')).toMatch(/Occupancy = beds occupied ÷ \(beds occupied \+ vacancies \+ beds vacant but\s+reserved \+ beds vacant but not admittable\)/);
      expect(await page.getAttribute('#day-table th:has(button[data-sort=name])', 'aria-sort')).toBe('ascending');

      // Sorting: by vacancies, most first, then fewest first; the region's row stays below.
      await page.click('#day-table button[data-sort=vacancies]');
      expect(await rowNames(page)).toEqual(['Coventry', 'Birmingham', 'Dudley', 'Sandwell']);
      expect(await page.getAttribute('#day-table th:has(button[data-sort=vacancies])', 'aria-sort')).toBe('descending');
      expect(await page.getAttribute('#day-table th:has(button[data-sort=name])', 'aria-sort')).toBeNull();
      await page.click('#day-table button[data-sort=vacancies]');
      expect(await rowNames(page)).toEqual(['Sandwell', 'Dudley', 'Birmingham', 'Coventry']);
      expect(await page.getAttribute('#day-table th:has(button[data-sort=vacancies])', 'aria-sort')).toBe('ascending');
      await page.click('#day-table button[data-sort=share]');
      expect(await rowNames(page)).toEqual(['Birmingham', 'Dudley', 'Coventry', 'Sandwell']);
      expect(await page.textContent('#day-table tfoot th')).toBe('All of West Midlands');

      // The two charts, side by side on a wide screen and one above the other on a phone.
      await page.waitForSelector('#share-figure canvas');
      expect(await page.isVisible('#share-figure canvas')).toBe(true);
      expect(await page.isVisible('#vacancy-figure canvas')).toBe(true);
      const share = (await page.locator('#share-figure').boundingBox())!;
      const vacancies = (await page.locator('#vacancy-figure').boundingBox())!;
      if (width === 1280) {
        expect(Math.abs(share.y - vacancies.y)).toBeLessThan(2);
        expect(vacancies.x).toBeGreaterThan(share.x + share.width - 1);
      } else {
        expect(vacancies.y).toBeGreaterThanOrEqual(share.y + share.height - 1);
        expect(share.x + share.width).toBeLessThanOrEqual(360);
      }
      expect(await page.textContent('#trend-heading')).toBe(`West Midlands over time, ${longDay(daysAgo(29))} to ${longDay(today())}`);
      // What the charts show, in words and as a table.
      expect(await page.textContent('#share-figure figcaption')).toMatch(/latest 63% \(/);
      expect(await page.textContent('#vacancy-figure figcaption')).toMatch(/latest 33 \(/);
      expect(await page.getAttribute('#share-figure .chart-box', 'aria-hidden')).toBe('true');
      await page.click('.chart-table summary');
      const rows = await page.$$eval('.chart-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent)));
      expect(rows).toHaveLength(30);
      expect(rows[0]!.slice(1)).toEqual(['63% (5 of 8)', '33']);
      expect(rows[1]!.slice(1)).toEqual(['0% (0 of 8)', '0']);
      expect(rows[2]!.slice(1)).toEqual(['50% (4 of 8)', '8']);
      // Nothing wider than the screen but the table, which scrolls inside its own box.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.locator('#day-section').screenshot({ path: join(SHOTS, `area-page-table-${width}.png`) });
      await page.screenshot({ path: join(SHOTS, `area-page-${width}.png`), fullPage: true });
      await page.close();
    }
  }, 120_000);

  test('a day with no returns shows 0% for every council, not a gap; a council on its own; England by council', async () => {
    const page = await chromium.signedInPage(await national(), 360);
    await open(page, `?area=${WEST_MIDLANDS}&day=${daysAgo(1)}`);
    await tableShown(page, /^Councils in West Midlands, yesterday/);
    expect(await rowNames(page)).toEqual(['Birmingham', 'Coventry', 'Dudley', 'Sandwell']);
    expect(await cell(page, COUNCILS.Birmingham, 'share')).toBe('0% (0 of 3, no returns)');
    expect(await cell(page, COUNCILS.Coventry, 'share')).toBe('0% (0 of 2, no returns)');
    expect(await cell(page, WEST_MIDLANDS, 'share')).toBe('0% (0 of 8, no returns)');
    expect(await cell(page, COUNCILS.Birmingham, 'vacancies')).toBe('0');

    // One council: its own row and its own charts.
    await page.selectOption('#council', COUNCILS.Coventry);
    await page.fill('#day', today());
    await page.click('#area-form button[type=submit]');
    await tableShown(page, /^Coventry, today/);
    expect(await rowNames(page)).toEqual(['Coventry']);
    expect(await cell(page, COUNCILS.Coventry, 'share')).toBe('50% (1 of 2)');
    await page.waitForFunction(() => /^Coventry over time/.test(document.getElementById('trend-heading')?.textContent ?? '') && document.querySelector('#vacancy-figure canvas') !== null);
    expect(await page.textContent('#vacancy-figure figcaption')).toMatch(/latest 20 \(/);

    // England, compared by council: every council by name, ours among them.
    await page.selectOption('#region', 'E92000001');
    await page.check('input[name=by][value=localAuthority]');
    await page.click('#area-form button[type=submit]');
    await tableShown(page, /^Councils in England, today/);
    expect(await rowNames(page)).toEqual(expect.arrayContaining(['Birmingham', 'Coventry', 'Dudley', 'Sandwell', 'Leicester']));
    expect(await cell(page, COUNCILS.Coventry, 'share')).toBe('50% (1 of 2)');

    // A wrong range is said beside the field, and nothing is asked.
    await page.fill('#from', today());
    await page.fill('#to', daysAgo(3));
    await page.click('#area-form button[type=submit]');
    expect(await page.textContent('#from-error')).toBe('Must be on or before the “to” day');
    expect(await page.getAttribute('#from', 'aria-invalid')).toBe('true');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  test("a commissioner starts at their own area, and is told plainly when they choose another's", async () => {
    const regionPage = await chromium.signedInPage(await tokenFor({ sub: 'area-page-commissioner', role: 'commissioner', areas: [WEST_MIDLANDS] }), 1280);
    await open(regionPage);
    await tableShown(regionPage, /^Councils in West Midlands, today/);
    expect(await regionPage.inputValue('#region')).toBe(WEST_MIDLANDS);
    expect(await regionPage.textContent('#your-areas')).toBe('Your account covers West Midlands (and the councils in it).');
    expect(await cell(regionPage, COUNCILS.Coventry, 'share')).toBe('50% (1 of 2)');

    await regionPage.selectOption('#region', EAST_MIDLANDS);
    await regionPage.click('#area-form button[type=submit]');
    await regionPage.waitForSelector('#access:not([hidden])');
    expect(await regionPage.textContent('#access h2')).toBe('You cannot see the figures for East Midlands');
    expect(await regionPage.textContent('#access p')).toBe('Your account covers West Midlands (and the councils in it) only. Choose an area there, or ask your administrator for access.');
    expect(await regionPage.isHidden('#day-section')).toBe(true);
    expect(await regionPage.isHidden('#trend-section')).toBe(true);
    expect(await accessibilityViolations(regionPage)).toEqual([]);
    await regionPage.screenshot({ path: join(SHOTS, 'area-page-outside-1280.png') });
    await regionPage.click('#show-own');
    await tableShown(regionPage, /^Councils in West Midlands/);
    expect(await regionPage.isHidden('#access')).toBe(true);
    await regionPage.close();

    // A council's commissioner: their council, in its region, chosen for them; the whole region is not theirs.
    const councilPage = await chromium.signedInPage(await tokenFor({ sub: 'area-page-coventry', role: 'commissioner', areas: [COUNCILS.Coventry] }), 360);
    await open(councilPage);
    await tableShown(councilPage, /^Coventry, today/);
    expect(await councilPage.inputValue('#region')).toBe(WEST_MIDLANDS);
    expect(await councilPage.inputValue('#council')).toBe(COUNCILS.Coventry);
    expect(await cell(councilPage, COUNCILS.Coventry, 'share')).toBe('50% (1 of 2)');
    await councilPage.selectOption('#council', '');
    await councilPage.click('#area-form button[type=submit]');
    await councilPage.waitForSelector('#access:not([hidden])');
    expect(await councilPage.textContent('#access h2')).toBe('You cannot see the figures for West Midlands');
    expect(await councilPage.textContent('#access p')).toMatch(/^Your account covers Coventry only\./);
    expect(await accessibilityViolations(councilPage)).toEqual([]);
    await councilPage.screenshot({ path: join(SHOTS, 'area-page-outside-360.png'), fullPage: true });
    await councilPage.close();
  }, 60_000);

  // Needs the export routes (POST /v1/exports, GET /v1/exports/{id}), the export worker and the local S3
  // server in the gateway: it fails, saying which, until they are there.
  test('a download is prepared as an export job: progress while it runs, then a link to the CSV', async () => {
    const page = await chromium.signedInPage(await national(), 360);
    await open(page, `?area=${WEST_MIDLANDS}&from=${daysAgo(6)}&to=${today()}`);
    await tableShown(page, /^Councils in West Midlands/);
    expect(await page.textContent('#export-what')).toMatch(/^For West Midlands, /);
    await page.check('input[name=kind][value=aggregates]');
    await page.check('input[name=format][value=csv]');
    await page.click('#export-start');
    await page.waitForFunction(() => /^Preparing…/.test(document.getElementById('export-status')?.textContent ?? ''));
    expect(await page.isVisible('#export-progress')).toBe(true);
    expect(await page.isDisabled('#export-start')).toBe(true);
    await page.waitForSelector('#export-link, #export-problem', { timeout: 60_000 });
    expect(await page.isVisible('#export-problem') ? await page.textContent('#export-problem') : '').toBe('');
    expect(await statusOf(page, 'export-status')).toMatch(/^Ready: daily aggregates for West Midlands, .*\(CSV\)/);
    expect(await page.isHidden('#export-progress')).toBe(true);
    const link = page.locator('#export-link');
    const href = (await link.getAttribute('href'))!;
    expect(await link.getAttribute('download')).toMatch(/\.csv$/);
    expect(await page.textContent('#export-ready')).toMatch(/\(\d+(\.\d)? (bytes|KB), 7 rows\)/);
    expect(await page.textContent('#export-ready')).toMatch(/The link works until /);
    const file = await fetch(href);
    expect(file.status).toBe(200);
    const lines = (await file.text()).trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^level,area,areaName,date,locationsExpected,locationsReporting,/);
    expect(lines).toHaveLength(8);
    expect(lines.find((line) => line.includes(today()))).toMatch(new RegExp(`^region,${WEST_MIDLANDS},West Midlands,${today()},8,5,33,`));
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'area-page-export-360.png'), fullPage: true });

    // Refused before a job is made: the API's field errors, readably.
    await page.route('**/v1/exports', (route) =>
      route.fulfill({ status: 400, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Invalid request', status: 400, detail: 'Invalid request', errors: [{ path: 'from', message: 'an export may cover at most 1098 days (3 years)' }] }) }),
    );
    await page.click('#export-start');
    await page.waitForSelector('#export-problem');
    expect(await page.textContent('#export-problem li')).toBe('From: an export may cover at most 1098 days (3 years)');
    await page.close();
  }, 120_000);
});

function longDay(day: string): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
}
