import { keys } from '#shared/model/keys';
import { batchPut } from '#shared/repositories/batch-write';
import { toReturnItem } from '#shared/model/returns/return-item';
import { getLocation, putLocations } from '#shared/repositories/locations';
import { tableName } from '#shared/runtime/settings';
import type { StoredReturn } from '#shared/model/schemas/return';
import { DEMO_AREAS, demoLocations, demoReturns } from './demo-data';
import { demoContacts, demoUsers } from './demo-users';
import { putContacts } from '#shared/repositories/reminders';
import { putMemberships } from '#shared/repositories/memberships';
import { putUsers } from '#shared/repositories/users';
import { putAreas } from '#shared/repositories/areas';
import { REGIONS } from '#shared/model/directory/councils';
import { onsAreas, readOnsFiles, type Area } from '#shared/model/directory/ons';
import { existsSync, readFileSync } from 'node:fs';
import { parsePostcodeDistricts } from '#shared/model/directory/postcodes';
import { getPostcodeDistrict, putPostcodeDistricts } from '#shared/repositories/places';
import { fileURLToPath } from 'node:url';

export interface SeedSummary {
  locations: number;
  returns: number;
  versions: number;
  skipped: boolean;
}

/** Every council, region and district from ../shared/data's ONS lookups where they are; else the demo's own areas. */
function demoAreas(): Area[] {
  // ../shared/data beside the repository (this file is scripts/seed/ in it).
  const ons = fileURLToPath(new URL('../../../shared/data/ons', import.meta.url));
  if (existsSync(ons)) return onsAreas(readOnsFiles(ons));
  return [
    ...Object.entries(REGIONS).map(([code, name]) => ({ level: 'region' as const, code, name })),
    ...DEMO_AREAS.map(({ localAuthority, name, region }) => ({ level: 'localAuthority' as const, code: localAuthority, name, parent: region })),
  ];
}

/** The UK's postcode districts from ../shared/data beside the repository, for searching near a place (once: they do not change). */
async function seedPlaces(log: (line: string) => void): Promise<void> {
  const file = fileURLToPath(new URL('../../../shared/data/geo/postcode-districts.csv', import.meta.url));
  if (!existsSync(file)) return;
  const districts = parsePostcodeDistricts(readFileSync(file, 'utf8'));
  if (districts.length === 0 || (await getPostcodeDistrict(districts[0]!.code))) return;
  await putPostcodeDistricts(districts);
  log(`wrote ${districts.length} postcode districts`);
}

/**
 * Load the demo directory and a few weeks of returns. Skips when the demo is already there (data kept
 * under .local survives restarts) unless `force`, which rewrites it with returns dated from `now`.
 */
export async function seedDemo(options: { now?: Date; force?: boolean; log?: (line: string) => void } = {}): Promise<SeedSummary> {
  const now = options.now ?? new Date();
  const log = options.log ?? (() => undefined);
  const demo = demoLocations();
  // Named areas for pages and the CQC sync, written every start (a few hundred items) so data kept from before has them too.
  await putAreas(demoAreas());
  await seedPlaces(log);
  if (!options.force && (await getLocation(demo[0]!.location.locationId))) {
    return { locations: demo.length, returns: 0, versions: 0, skipped: true };
  }
  const versions: StoredReturn[] = [];
  const locations = demo.map((entry) => {
    const returns = demoReturns(entry, now);
    versions.push(...returns.versions);
    // Reserved example domains: demo reminders can never reach a real inbox.
    return {
      ...entry.location,
      lastUpdated: returns.lastUpdated,
      ...(returns.newestReportDate ? { newestReportDate: returns.newestReportDate } : {}),
      contactEmail: `manager.${entry.location.locationId}@homes.example` };
  });
  await putLocations(locations);
  await putContacts(demoContacts(demo));
  const memberships = demoUsers(demo).flatMap((user) =>
    user.role === 'provider' ? user.locations.map((locationId) => ({ userId: user.id, locationId, grantedAt: now.toISOString(), grantedBy: 'demo-seed', manager: true })) : [],
  );
  await putMemberships(memberships);
  // The demo users in the users table, as an admin's invitations would leave them (reserved example domain).
  await putUsers(
    demoUsers(demo).map((user) => ({ userId: user.id, email: `${user.id}@demo.example`, role: user.role, areas: [...user.areas], status: 'active' as const, createdAt: now.toISOString(), createdBy: 'demo-seed' })),
  );
  log(`seeded ${locations.length} demo locations and ${memberships.length} provider memberships`);

  // The current return of a day is its last version; versions are kept under their own key.
  const current = new Map<string, StoredReturn>();
  for (const version of versions) current.set(`${version.locationId}#${version.reportDate}`, version);
  const total = current.size + versions.length;
  let lastShown = 0;
  const progress = (offset: number) => (written: number) => {
    const done = offset + written;
    if (done - lastShown >= 500 || done === total) {
      lastShown = done;
      log(`seeding returns ${done}/${total} (${Math.round((done / total) * 100)}%)`);
    }
  };
  const placeOf = new Map(locations.map((location) => [location.locationId, location]));
  await batchPut(
    tableName('returns'),
    [...current.values()].map((stored) => toReturnItem(stored, placeOf.get(stored.locationId)!)),
    progress(0),
  );
  await batchPut(
    tableName('returnVersions'),
    versions.map((version) => ({ ...version, ...keys.returnVersion(version.locationId, version.reportDate, version.version) })),
    progress(current.size),
  );
  return { locations: locations.length, returns: current.size, versions: versions.length, skipped: false };
}
