import { keys } from '#shared/model/keys';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { ENGLAND } from '#shared/model/schemas/common';
import { VACANCY_CATEGORIES } from '#shared/model/schemas/location';

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
}

export const ANY_CATEGORY = 'any';

/**
 * The search entries a location's newest return makes: one per area it is in (authority, region,
 * England) for each category with a vacancy, and for `any` if it has one at all. A location with no
 * vacancy has none, so it drops out of every search.
 */
export function vacancyEntries(item: ReturnItem): VacancyEntry[] {
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
  return [item.localAuthority, item.region, ENGLAND].flatMap((area) =>
    [...perCategory, overall].map((counts) => ({
      ...keys.vacancyEntry(area, counts.category, item.submittedAt, item.locationId),
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
    })),
  );
}
