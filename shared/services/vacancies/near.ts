/**
 * Searching near a place (DESIGN §10.3): matching locations within `withinMiles` of a point, nearest
 * first (then the fresher), a page at a time.
 *
 * Distance order needs every match up to a distance, so a page reads rings outward from where the last
 * page ended: a first ring guessed small, then each next one sized from how many matches a square mile
 * held so far, until the page is full or the radius is reached. The page token carries where the last
 * page ended and that density, so the next page starts with a ring of about the right size. What a page
 * reads is then about what it returns, in a city or in the country (the bench measures it).
 */
import { problems } from '#shared/model/errors';
import type { VacancyEntry } from '#shared/model/vacancies/entries';
import { milesBetween, ringArea, ringRanges, type Point } from '#shared/model/vacancies/geo';
import { nearRangeEntries, type VacancyFilters } from '#shared/repositories/vacancies';

/** The first ring of a first page: small, so a city does not read far more than a page. */
const FIRST_RING_MILES = 2;
/** Aim each ring at this many times the matches the page still needs (a little over, so one ring usually fills it). */
const OVERSHOOT = 1.3;
/** A ring reaches at most this many times as far as the last (a sparse middle must not make it read a county at once). */
const MAX_GROWTH = 3;

export interface NearMatch extends VacancyEntry {
  distanceMiles: number;
}

interface Cursor {
  /** The last match returned: its distance, when it reported, and its id. */
  d: number;
  u: string;
  id: string;
  /** Matches per square mile found so far. */
  n: number;
}

/** Nearest first, then the fresher, then by id: a total order, so a page can say where it ended. */
function compare(a: { distanceMiles: number; lastUpdated: string; locationId: string }, b: { distanceMiles: number; lastUpdated: string; locationId: string }): number {
  return a.distanceMiles - b.distanceMiles || (a.lastUpdated < b.lastUpdated ? 1 : a.lastUpdated > b.lastUpdated ? -1 : 0) || a.locationId.localeCompare(b.locationId);
}
const after = (match: NearMatch, cursor: Cursor | undefined) => !cursor || compare(match, { distanceMiles: cursor.d, lastUpdated: cursor.u, locationId: cursor.id }) > 0;

function decodeCursor(token: string | undefined): Cursor | undefined {
  if (token === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (typeof value.d === 'number' && value.d >= 0 && typeof value.u === 'string' && typeof value.id === 'string' && typeof value.n === 'number' && value.n >= 0 && Object.keys(value).length === 4) return value;
  } catch {
    // fall through: not a token this search gave out
  }
  throw problems.validation([{ path: 'query.nextToken', message: 'is not a token this listing gave out' }]);
}
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** The radius the next ring should reach to find about `wanted` more matches at `density` per square mile. */
function nextRadius(inner: number, wanted: number, density: number, within: number): number {
  const grown = density > 0 ? Math.sqrt(inner * inner + (OVERSHOOT * wanted) / (Math.PI * density)) : inner * MAX_GROWTH;
  return Math.min(within, Math.max(grown, inner + 0.5), Math.max(inner * MAX_GROWTH, inner + FIRST_RING_MILES));
}

export interface NearSearch {
  center: Point;
  withinMiles: number;
  filters: VacancyFilters;
  limit: number;
  nextToken?: string | undefined;
}

/** A page, and what it cost: entries read, Queries made, and the rings read (the bench replays them bare). */
export async function searchNear(search: NearSearch): Promise<{ items: NearMatch[]; nextToken: string | null; read: number; queries: number; rings: Array<[number, number]> }> {
  const cursor = decodeCursor(search.nextToken);
  const start = cursor ? Math.min(cursor.d, search.withinMiles) : 0;
  const found = new Map<string, NearMatch>();
  let read = 0;
  let queries = 0;
  const rings: Array<[number, number]> = [];
  let inner = start;
  let outer = cursor ? nextRadius(start, search.limit, cursor.n, search.withinMiles) : Math.min(FIRST_RING_MILES, search.withinMiles);
  for (;;) {
    const ranges = ringRanges(search.center, inner, outer);
    rings.push([inner, outer]);
    const results = await Promise.all(ranges.map((range) => nearRangeEntries(range, search.filters)));
    queries += ranges.length;
    for (const result of results) {
      read += result.read;
      for (const entry of result.items) {
        const match = { ...entry, distanceMiles: milesBetween(search.center, { latitude: entry.latitude!, longitude: entry.longitude! }) };
        if (match.distanceMiles <= outer && after(match, cursor)) found.set(match.locationId, match);
      }
    }
    if (found.size >= search.limit || outer >= search.withinMiles) break;
    const density = found.size / ringArea(start, outer);
    inner = outer;
    outer = nextRadius(outer, search.limit - found.size, density, search.withinMiles);
  }
  const ordered = [...found.values()].sort(compare);
  const items = ordered.slice(0, search.limit);
  const last = items[items.length - 1];
  const more = last !== undefined && items.length === search.limit && (ordered.length > search.limit || outer < search.withinMiles);
  const density = ordered.length / Math.max(ringArea(start, outer), 0.01);
  return {
    items,
    nextToken: more ? encodeCursor({ d: last.distanceMiles, u: last.lastUpdated, id: last.locationId, n: density }) : null,
    read,
    queries,
    rings,
  };
}
