/**
 * `GET /v1/vacancies` (DESIGN §6, §10.3): locations with a matching vacancy now, in an area freshest
 * first, or near a place nearest first; each result says where the home is and how to ring it.
 */
import { keepVisible, scopeVacancySearch } from '#shared/model/access/area-scope';
import type { Principal } from '#shared/model/access/identity';
import { postcodeDistrictOf } from '#shared/model/directory/postcodes';
import { problems } from '#shared/model/errors';
import { toInstant } from '#shared/model/returns/report-date';
import { areaLevelOf, ENGLAND } from '#shared/model/schemas/common';
import type { VacancySearchQuery } from '#shared/model/schemas/vacancies';
import type { VacancyEntry } from '#shared/model/vacancies/entries';
import { listAreas } from '#shared/repositories/areas';
import { containerCache } from '#shared/runtime/container-cache';
import { getPostcodeDistrict } from '#shared/repositories/places';
import { searchVacancies, type VacancyFilters } from '#shared/repositories/vacancies';
import { boundsOf, milesToBounds } from '#shared/services/vacancies/area-bounds';
import { searchNear } from '#shared/services/vacancies/near';
import type * as z from 'zod';

type Query = z.output<typeof VacancySearchQuery>;
export const DEFAULT_WITHIN_MILES = 20;

/** Council names change hardly ever: read once an hour per container. */
const councilNames = containerCache(3_600_000, async () => new Map((await listAreas('localAuthority')).map((area) => [area.code, area.name])));
const namesOfCouncils = (now: number) => councilNames(undefined, now);

/** Where `near` is: a full postcode by its district, or a district; anything else a 400 at `query.near`. */
async function placeOf(near: string) {
  const code = postcodeDistrictOf(near);
  if (!code) throw problems.validation([{ path: 'query.near', message: 'must be a UK postcode (OL8 1AB) or postcode district (OL8)' }]);
  const district = await getPostcodeDistrict(code);
  if (!district) throw problems.validation([{ path: 'query.near', message: `${code} is not a postcode district we know` }]);
  return district;
}

export async function findVacancies(principal: Principal, query: Query, now: Date) {
  const filters: VacancyFilters = {
    category: query.category,
    sex: query.sex,
    admittingOnly: query.admitting === 'true',
    type: query.type,
    updatedSince: toInstant(new Date(now.getTime() - query.updatedWithinHours * 3_600_000)),
  };
  const names = namesOfCouncils(now.getTime());
  let entries: Array<VacancyEntry & { distanceMiles?: number }>;
  let nextToken: string | null;
  if (query.near !== undefined) {
    // A commissioner's area is checked as for an area search (one of theirs, or inside one).
    if (query.area !== undefined) scopeVacancySearch(principal, query.area);
    const district = await placeOf(query.near);
    const withinMiles = query.withinMiles ?? DEFAULT_WITHIN_MILES;
    if (query.area !== undefined && query.area !== ENGLAND) {
      // An area the circle cannot reach: a mistake in one or the other, not "no beds".
      const bounds = await boundsOf(query.area, now.getTime());
      if (bounds && milesToBounds(district, bounds) > withinMiles) {
        const name = (await names).get(query.area) ?? query.area;
        throw problems.validation([{ path: 'query.near', message: `${district.code} is more than ${withinMiles} miles from every home in ${name}: search near a place in it, or without the area` }]);
      }
    }
    // Near a place: only the area asked for, or (a commissioner asking for none) their own areas.
    const own = principal.kind === 'user' && principal.role === 'commissioner' ? principal.areas : undefined;
    const areas = query.area !== undefined ? [query.area] : own && !own.includes(ENGLAND) ? own : undefined;
    const page = await searchNear({
      center: district,
      withinMiles,
      filters: { ...filters, ...(areas ? { areas } : {}) },
      limit: query.limit,
      nextToken: query.nextToken,
    });
    entries = page.items;
    nextToken = page.nextToken;
  } else {
    const scope = scopeVacancySearch(principal, query.area);
    const page = await searchVacancies({ ...filters, area: scope.area, limit: query.limit, ...(query.nextToken !== undefined ? { nextToken: query.nextToken } : {}) });
    const level = areaLevelOf(scope.area) ?? 'england';
    entries = keepVisible({ areas: [scope.area], visible: scope.visible }, page.items.map((entry) => ({ ...entry, level, area: scope.area })), query.area);
    nextToken = page.nextToken;
  }
  const councils = await names;
  return {
    items: entries.map((entry) => ({
      locationId: entry.locationId,
      name: entry.name,
      type: entry.type,
      localAuthority: entry.localAuthority,
      region: entry.region,
      localAuthorityName: councils.get(entry.localAuthority) ?? null,
      address: entry.address ?? null,
      postcode: entry.postcode ?? null,
      phone: entry.phone ?? null,
      ...(entry.distanceMiles !== undefined ? { distanceMiles: Math.round(entry.distanceMiles * 10) / 10 } : {}),
      lastUpdated: entry.lastUpdated,
      reportDate: entry.reportDate,
      matching: { category: entry.category, total: entry.total, forMale: entry.forMale, forFemale: entry.forFemale },
      vacancies: entry.vacancies,
      admissions: { status: entry.admissionsStatus },
      outbreakActive: entry.outbreakActive,
    })),
    nextToken,
  };
}
