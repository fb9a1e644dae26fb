/**
 * Saved searches (DESIGN §10.3), the pure rules: how many a user may keep, which latitude rows a search's
 * circle covers (its "watch" items), whether a location's return matches a search, and what the
 * unsubscribe links are signed as.
 */
import type { ReturnItem } from '#shared/model/returns/return-item';
import { ENGLAND } from '#shared/model/schemas/common';
import type { SavedSearchQuery } from '#shared/model/schemas/saved-searches';
import { keys } from '#shared/model/keys';
import { entryFor, vacancyEntries, type VacancyEntry } from '#shared/model/vacancies/entries';
import { EARTH_RADIUS_MILES, milesBetween, type Point } from '#shared/model/vacancies/geo';

export const MAX_SAVED_SEARCHES_PER_USER = 20;

/**
 * Unsubscribe links are signed with the update links' key, but as another issuer and audience: an
 * update link is never an unsubscribe token, and an unsubscribe token never opens a return (the
 * authorizer and this route each insist on their own issuer and audience).
 */
export const UNSUBSCRIBE_ISSUER = 'capacity-tracker/saved-search';
export const UNSUBSCRIBE_AUDIENCE = 'capacity-tracker/unsubscribe';
/** A link in an email should keep working for as long as anyone might click it. */
export const UNSUBSCRIBE_LINK_DAYS = 365;

/**
 * Watch rows are 0.05° of latitude (about 3.5 miles), coarser than the vacancy index's rows: a 100-mile
 * search then watches about 60 rows, so saving or deleting it (the search, its count and every watch
 * item) stays within one transaction's 100 items.
 */
export const WATCH_ROW_DEGREES = 0.05;
export const watchRowOf = (latitude: number): number => Math.floor(latitude / WATCH_ROW_DEGREES);

/** The watch rows holding every point within `miles` of `centre`: one watch item each. */
export function rowsOfCircle(centre: Point, miles: number): number[] {
  const reach = (miles / EARTH_RADIUS_MILES) * (180 / Math.PI);
  const rows: number[] = [];
  for (let row = watchRowOf(centre.latitude - reach); row <= watchRowOf(centre.latitude + reach); row += 1) rows.push(row);
  return rows;
}

/** What a search needs to judge a location: the search's own fields, as a watch item carries them. */
export interface Watch {
  searchId: string;
  query: SavedSearchQuery;
  centre: { district: string; latitude: number; longitude: number };
  email: string;
}

export interface SearchMatch {
  distanceMiles: number;
  entry: VacancyEntry;
}

/**
 * Does the location's newest return (`item`), at `place`, match the search now? As `GET /v1/vacancies`
 * with `near` would list it: within the radius, a vacancy of the category that the person could take,
 * admitting if asked, of the type and in the area asked, updated within the hours asked.
 */
export function matchOf(watch: Pick<Watch, 'query' | 'centre'>, item: ReturnItem, place: Point, now: Date): SearchMatch | undefined {
  const { query } = watch;
  const distanceMiles = milesBetween(watch.centre, place);
  if (!(distanceMiles <= query.withinMiles)) return undefined;
  if (query.area !== undefined && ![item.localAuthority, item.region, ENGLAND].includes(query.area)) return undefined;
  if (Date.parse(item.submittedAt) < now.getTime() - query.updatedWithinHours * 3_600_000) return undefined;
  const england = vacancyEntries(item).find((candidate) => candidate.searchKey === keys.vacancySearch(ENGLAND));
  const entry = england && entryFor(england, query.category);
  if (!entry) return undefined;
  if (query.sex === 'male' && entry.forMale <= 0) return undefined;
  if (query.sex === 'female' && entry.forFemale <= 0) return undefined;
  if (query.admitting === 'true' && entry.admissionsStatus !== 'open') return undefined;
  if (query.type !== undefined && entry.type !== query.type) return undefined;
  return { distanceMiles, entry };
}

/** The order of a location's returns: a later day, or a later version of the same day. */
export const returnOrderKey = (reportDate: string, version: number) => `${reportDate}#${String(version).padStart(6, '0')}`;
