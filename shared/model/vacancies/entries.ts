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

/** A category's vacancies at a location: those a man, a woman, anyone could take. */
export interface CategoryCounts {
  forMale: number;
  forFemale: number;
  total: number;
}

/**
 * A location's entry in the vacancy index, as stored: one in each area it is in (authority, region,
 * England) and one in its latitude row, each holding every category it has a vacancy in (`byCategory`,
 * with `any`); a search for a category keeps the entries that have it. Until issue 20 there was one
 * entry per category in each area and row: a new return deleted and put about 20 items in a
 * transaction, 40-odd write units, where now it is 7 (the 3 area entries move, their keys holding the
 * submit time; the row's is overwritten).
 */
export interface VacancyIndexEntry {
  searchKey: string;
  freshKey: string;
  locationId: string;
  name: string;
  type: string;
  localAuthority: string;
  region: string;
  /** The categories with a vacancy, and `any` (all of them together): a location with none has no entries. */
  byCategory: Record<string, CategoryCounts>;
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

/** What a search result says about a location, for the category searched: an index entry seen through that category. */
export interface VacancyEntry extends Omit<VacancyIndexEntry, 'byCategory'> {
  category: string;
  /** Vacancies in this category (all categories for `any`) a man, a woman, anyone could take. */
  forMale: number;
  forFemale: number;
  total: number;
}

export const ANY_CATEGORY = 'any';

/** The entry as a result of a search for `category`; undefined if it has no vacancy in it. */
export function entryFor(entry: VacancyIndexEntry, category: string): VacancyEntry | undefined {
  const { byCategory, ...rest } = entry;
  const counts = byCategory?.[category];
  return counts && counts.total > 0 ? { ...rest, category, forMale: counts.forMale, forFemale: counts.forFemale, total: counts.total } : undefined;
}

/**
 * The search entries a location's newest return makes: one per area it is in (authority, region,
 * England), and, where the directory knows its coordinates, one in its latitude row for searches near a
 * place; each with every category it has a vacancy in. A location with no vacancy has none, so it drops
 * out of every search.
 */
export function vacancyEntries(item: ReturnItem, place: LocationPlace = {}): VacancyIndexEntry[] {
  const perCategory = VACANCY_CATEGORIES.flatMap((category) => {
    const split = item.vacancies[category];
    if (!split) return [];
    const total = split.male + split.female + split.any;
    return total > 0 ? [[category, { forMale: split.male + split.any, forFemale: split.female + split.any, total }] as const] : [];
  });
  if (perCategory.length === 0) return [];
  const overall: CategoryCounts = {
    forMale: perCategory.reduce((sum, [, c]) => sum + c.forMale, 0),
    forFemale: perCategory.reduce((sum, [, c]) => sum + c.forFemale, 0),
    total: perCategory.reduce((sum, [, c]) => sum + c.total, 0),
  };
  const byCategory = Object.fromEntries([...perCategory, [ANY_CATEGORY, overall] as const]);
  const located = place.latitude !== undefined && place.longitude !== undefined && Number.isFinite(place.latitude) && Number.isFinite(place.longitude);
  const contact = {
    ...(place.address ? { address: place.address } : {}),
    ...(place.postcode ? { postcode: place.postcode } : {}),
    ...(place.phone ? { phone: place.phone } : {}),
    ...(located ? { latitude: place.latitude, longitude: place.longitude } : {}),
  };
  const byArea = [item.localAuthority, item.region, ENGLAND].map((area) => keys.vacancyEntry(area, item.submittedAt, item.locationId));
  const byPlace = located ? [keys.nearEntry(rowOf(place.latitude!), lonKeyOf(place.longitude!), item.locationId)] : [];
  return [...byArea, ...byPlace].map((key) => ({
    ...key,
    locationId: item.locationId,
    name: item.locationName ?? item.locationId,
    type: item.locationType ?? 'careHome',
    localAuthority: item.localAuthority,
    region: item.region,
    byCategory,
    vacancies: item.vacancies,
    admissionsStatus: item.admissions.status,
    outbreakActive: item.outbreak.active,
    lastUpdated: item.submittedAt,
    reportDate: item.reportDate,
    version: item.version,
    ...contact,
  }));
}
