import { describe, expect, test } from 'vitest';
import { DEMO_AREAS, DEMO_PLACES, demoLocations, demoReturns, type Freshness } from '#scripts/seed/demo-data';
import { ENGLAND_BOUNDS } from '#shared/model/directory/cqc';
import { londonDay, reportDateProblem } from '#shared/model/returns/report-date';
import { LOCATION_TYPES } from '#shared/model/schemas/location';
import { StoredReturn } from '#shared/model/schemas/return';

const HOUR = 3_600_000;
const demos = demoLocations();

describe('demoLocations', () => {
  test('gives at least 50 locations of all four types', () => {
    expect(demos.length).toBeGreaterThanOrEqual(50);
    expect(new Set(demos.map((d) => d.location.type))).toEqual(new Set(LOCATION_TYPES));
  });

  test('spread over at least 5 local authorities and 4 regions', () => {
    expect(new Set(demos.map((d) => d.location.localAuthority)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(demos.map((d) => d.location.region)).size).toBeGreaterThanOrEqual(4);
  });

  test('location IDs are unique CQC IDs', () => {
    const ids = demos.map((d) => d.location.locationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^1-[0-9]{6,11}$/);
  });

  test('some providers run several locations', () => {
    const perProvider = new Map<string, number>();
    for (const { location } of demos) perProvider.set(location.providerId, (perProvider.get(location.providerId) ?? 0) + 1);
    expect([...perProvider.values()].filter((n) => n > 1).length).toBeGreaterThan(0);
    for (const providerId of perProvider.keys()) expect(providerId).toMatch(/^1-[0-9]{6,11}$/);
  });

  test('every freshness appears, so staleness has something to show', () => {
    expect(new Set(demos.map((d) => d.freshness))).toEqual(new Set<Freshness>(['fresh', 'over24h', 'over48h', 'never']));
  });

  test('is deterministic', () => {
    expect(demoLocations()).toEqual(demos);
  });

  test('every location has an address in its council, a postcode, a phone number and a position, as the CQC record gives them', () => {
    const towns = (council: string) => DEMO_PLACES[council as keyof typeof DEMO_PLACES].places.map(({ town }) => town);
    for (const { location } of demos) {
      const { address, postcode, phone, latitude, longitude } = location;
      expect(address, location.name).toBeTruthy();
      expect(towns(location.localAuthority).some((town) => address!.endsWith(`, ${town}`)), `${address} is in ${location.localAuthority}`).toBe(true);
      // A full postcode of one of the council's districts, and no postcode in the address.
      expect(postcode).toMatch(/^[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}$/);
      expect(DEMO_PLACES[location.localAuthority as keyof typeof DEMO_PLACES].places.map(({ district }) => district)).toContain(postcode!.split(' ')[0]);
      expect(address).not.toContain(postcode!);
      // Ofcom's numbers for drama, never given to anyone: 020 7946 0000–0999 (London), 01632 960000–960999.
      expect(phone!.replace(/ /g, '')).toMatch(/^(02079460\d{3}|01632960\d{3})$/);
      // Within England, and near the centre of its council (a few kilometres).
      expect(latitude).toBeGreaterThanOrEqual(ENGLAND_BOUNDS.minLatitude);
      expect(latitude).toBeLessThanOrEqual(ENGLAND_BOUNDS.maxLatitude);
      expect(longitude).toBeGreaterThanOrEqual(ENGLAND_BOUNDS.minLongitude);
      expect(longitude).toBeLessThanOrEqual(ENGLAND_BOUNDS.maxLongitude);
      const centre = DEMO_PLACES[location.localAuthority as keyof typeof DEMO_PLACES];
      expect(Math.abs(latitude! - centre.latitude)).toBeLessThan(0.05);
      expect(Math.abs(longitude! - centre.longitude)).toBeLessThan(0.05);
    }
    const phones = demos.map(({ location }) => location.phone);
    expect(new Set(phones).size).toBe(phones.length);
    // Westminster's homes have London numbers.
    for (const { location } of demos.filter(({ location }) => location.localAuthority === 'E09000033')) expect(location.phone).toMatch(/^020 7946 0\d{3}$/);
  });

  test('every demo council has a centre and places', () => {
    expect(Object.keys(DEMO_PLACES).sort()).toEqual(DEMO_AREAS.map(({ localAuthority }) => localAuthority).sort());
  });
});

describe.each([
  ['a November morning (GMT)', new Date('2026-11-24T10:00:00Z')],
  ['a summer evening (BST)', new Date('2026-07-01T18:30:00Z')],
  ['just after London midnight in summer', new Date('2026-06-30T23:10:00Z')],
  ['late evening in winter', new Date('2026-12-31T23:45:00Z')],
  // Three weeks back from here crosses the spring clock change (29 March 2026).
  ['a morning soon after the clocks went forward', new Date('2026-04-01T10:17:00Z')],
  ['just after midnight soon after the clocks went forward', new Date('2026-04-05T23:05:00Z')],
])('demoReturns at %s', (_label, now) => {
  const all = demos.map((demo) => ({ demo, returns: demoReturns(demo, now) }));
  const ageHours = (instant: string | null) => (now.getTime() - Date.parse(instant!)) / HOUR;
  const of = (freshness: Freshness) => all.filter((entry) => entry.demo.freshness === freshness);

  test("'fresh' locations last reported within 24 h", () => {
    expect(of('fresh').length).toBeGreaterThan(0);
    for (const { returns } of of('fresh')) {
      expect(returns.lastUpdated).not.toBeNull();
      const age = ageHours(returns.lastUpdated);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(24);
    }
  });

  test("'over24h' locations last reported between 24 and 48 h ago", () => {
    expect(of('over24h').length).toBeGreaterThan(0);
    for (const { returns } of of('over24h')) {
      const age = ageHours(returns.lastUpdated);
      expect(age).toBeGreaterThanOrEqual(24);
      expect(age).toBeLessThan(48);
    }
  });

  test("'over48h' locations last reported more than 48 h ago", () => {
    expect(of('over48h').length).toBeGreaterThan(0);
    for (const { returns } of of('over48h')) expect(ageHours(returns.lastUpdated)).toBeGreaterThanOrEqual(48);
  });

  test("'never' locations have no returns", () => {
    expect(of('never').length).toBeGreaterThan(0);
    for (const { returns } of of('never')) expect(returns).toEqual({ versions: [], lastUpdated: null });
  });

  test('lastUpdated is the newest submission, and nothing is submitted after now', () => {
    for (const { returns } of all) {
      if (returns.versions.length === 0) continue;
      const newest = Math.max(...returns.versions.map((v) => Date.parse(v.submittedAt)));
      expect(Date.parse(returns.lastUpdated!)).toBe(newest);
      expect(newest).toBeLessThanOrEqual(now.getTime());
    }
  });

  test('every version is a valid stored return of its own location', () => {
    for (const { demo, returns } of all) {
      for (const version of returns.versions) {
        const parsed = StoredReturn.safeParse(version);
        expect(parsed.success, `${version.locationId} ${version.reportDate} v${version.version}`).toBe(true);
        expect(version.locationId).toBe(demo.location.locationId);
      }
    }
  });

  test('every return was sent on or after its day and within the window the API allows', () => {
    for (const { returns } of all) {
      for (const version of returns.versions) {
        expect(reportDateProblem(version.reportDate, new Date(version.submittedAt)), `${version.locationId} ${version.reportDate} sent ${version.submittedAt}`).toBeUndefined();
      }
    }
  });

  test('the versions of a day are 1..n, so there is one current return per day', () => {
    for (const { returns } of all) {
      const byDay = new Map<string, number[]>();
      for (const v of returns.versions) byDay.set(v.reportDate, [...(byDay.get(v.reportDate) ?? []), v.version]);
      for (const [day, versions] of byDay) {
        expect(versions, day).toEqual(versions.map((_v, i) => i + 1));
      }
    }
  });

  test('no demo return is for today in London, so the first PUT for today is a 201', () => {
    const today = londonDay(now);
    for (const { returns } of all) for (const v of returns.versions) expect(v.reportDate <= today).toBe(true);
    for (const { returns } of of('fresh')) expect(returns.versions.some((v) => v.reportDate === today)).toBe(false);
  });

  test('some returns carry warnings, and some days were corrected', () => {
    const versions = all.flatMap(({ returns }) => returns.versions);
    expect(versions.some((v) => v.warnings.length > 0)).toBe(true);
    expect(versions.some((v) => v.version > 1)).toBe(true);
  });
});
