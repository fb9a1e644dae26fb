import { keys } from '#shared/model/keys';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { ENGLAND } from '#shared/model/schemas/common';
import { VACANCY_CATEGORIES } from '#shared/model/schemas/location';
import { lonKeyOf, rowOf } from '#shared/model/vacancies/geo';

/** Where a location is and how to reach it: its directory entry's, copied into its entries so a search reads nothing else. */
export interface LocationPlace {
  address?: string;
  postcode?: string;
  phone?: string;
  latitude?: number;
  longitude?: number;
}

/** What a search result says about a location, copied into each of its entries. */
export interface VacancyEntry {
  searchKey: string;
  freshKey: string;
  locationId: string;
  name: string;
  type: string;
  localAuthority: string;
  region: string;
  category: string;
  /** Vacancies in this category (all categories for `any`) a man, a woman, anyone could take. */
  forMale: number;
  forFemale: number;
  total: number;
  vacancies: ReturnItem['vacancies'];
  admissionsStatus: string;
  outbreakActive: boolean;
  lastUpdated: string;
  reportDate: string;
  version: number;
  address?: string;
  postcode?: string;
  phone?: string;
  latitude?: number;
  longitude?: number;
}

export const ANY_CATEGORY = 'any';

/**
 * The search entries a location's newest return makes: one per area it is in (authority, region,
 * England) for each category with a vacancy, and for `any` if it has one at all; and, where the
 * directory knows its coordinates, one per category in its latitude row for searches near a place. A
 * location with no vacancy has none, so it drops out of every search.
 */
export function vacancyEntries(item: ReturnItem, place: LocationPlace = {}): VacancyEntry[] {
  const perCategory = VACANCY_CATEGORIES.flatMap((category) => {
    const split = item.vacancies[category];
    if (!split) return [];
    const total = split.male + split.female + split.any;
    return total > 0 ? [{ category, forMale: split.male + split.any, forFemale: split.female + split.any, total }] : [];
  });
  if (perCategory.length === 0) return [];
  const overall = {
    category: ANY_CATEGORY,
    forMale: perCategory.reduce((sum, c) => sum + c.forMale, 0),
    forFemale: perCategory.reduce((sum, c) => sum + c.forFemale, 0),
    total: perCategory.reduce((sum, c) => sum + c.total, 0),
  };
  const located = place.latitude !== undefined && place.longitude !== undefined && Number.isFinite(place.latitude) && Number.isFinite(place.longitude);
  const contact = {
    ...(place.address ? { address: place.address } : {}),
    ...(place.postcode ? { postcode: place.postcode } : {}),
    ...(place.phone ? { phone: place.phone } : {}),
    ...(located ? { latitude: place.latitude, longitude: place.longitude } : {}),
  };
  const byArea = [item.localAuthority, item.region, ENGLAND].map((area) => (category: string) => keys.vacancyEntry(area, category, item.submittedAt, item.locationId));
  const byPlace = located ? [(category: string) => keys.nearEntry(category, rowOf(place.latitude!), lonKeyOf(place.longitude!), item.locationId)] : [];
  return [...byArea, ...byPlace].flatMap((keyOf) =>
    [...perCategory, overall].map((counts) => ({
      ...keyOf(counts.category),
      locationId: item.locationId,
      name: item.locationName ?? item.locationId,
      type: item.locationType ?? 'careHome',
      localAuthority: item.localAuthority,
      region: item.region,
      ...counts,
      vacancies: item.vacancies,
      admissionsStatus: item.admissions.status,
      outbreakActive: item.outbreak.active,
      lastUpdated: item.submittedAt,
      reportDate: item.reportDate,
      version: item.version,
      ...contact,
    })),
  );
}
