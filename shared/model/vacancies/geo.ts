/**
 * Searching near a place (DESIGN §10.3) without reading England: the vacancy index keeps, for each
 * location with a vacancy, an entry in the partition of its latitude row (a band ROW_DEGREES high, about
 * 1.4 miles) with its longitude at the front of the sort key. A circle, or the ring between two circles,
 * is then a handful of key ranges: one per row it crosses (two where the ring's hole splits the row),
 * each a longitude interval. What a range reads beyond the ring (the corners of each row) is dropped by
 * the exact distance, so the cost of a search grows with the area searched, not with England.
 */

export const EARTH_RADIUS_MILES = 3958.8;
/**
 * Row height in degrees of latitude: 0.02° ≈ 1.4 miles. Smaller rows read less beyond the circle (the
 * corners of each row) and less of a ring's hole again, but need more Queries: at 0.05° paging through a
 * city's results read 3× what it returned, at 0.02° about 2× (docs/benchmarks.md).
 */
export const ROW_DEGREES = 0.02;
/** Longitudes are kept to 1/10,000 of a degree (about 7 metres) as a fixed-width number, so key order is longitude order. */
const LON_SCALE = 10_000;
const LON_WIDTH = 7;

export interface Point {
  latitude: number;
  longitude: number;
}

const radians = (degrees: number) => (degrees * Math.PI) / 180;
const degrees = (radiansValue: number) => (radiansValue * 180) / Math.PI;

/** Great-circle distance in miles (haversine). */
export function milesBetween(a: Point, b: Point): number {
  const dLat = radians(b.latitude - a.latitude);
  const dLon = radians(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The latitude row a point is in. */
export const rowOf = (latitude: number): number => Math.floor(latitude / ROW_DEGREES);

/** A longitude as a sort key: fixed width, so string order is numeric order. */
export const lonKeyOf = (longitude: number): string => lonKey(Math.round((longitude + 180) * LON_SCALE));
const lonKey = (scaled: number): string => String(Math.min(360 * LON_SCALE, Math.max(0, scaled))).padStart(LON_WIDTH, '0');

/**
 * Half the longitude span (degrees) of the circle of `miles` around `center` at `latitude`; undefined
 * where that latitude is outside the circle.
 */
function halfSpanAt(center: Point, miles: number, latitude: number): number | undefined {
  const angular = miles / EARTH_RADIUS_MILES;
  const phi0 = radians(center.latitude);
  const phi = radians(latitude);
  const cosDelta = (Math.cos(angular) - Math.sin(phi0) * Math.sin(phi)) / (Math.cos(phi0) * Math.cos(phi));
  if (cosDelta > 1) return undefined;
  if (cosDelta < -1) return 180;
  return degrees(Math.acos(cosDelta));
}

/** The latitudes the circle reaches (it is at its widest, in longitude, at `widest`). */
function latitudeRange(center: Point, miles: number): { south: number; north: number; widest: number } {
  const angular = miles / EARTH_RADIUS_MILES;
  const sinWidest = Math.sin(radians(center.latitude)) / Math.cos(angular);
  return {
    south: center.latitude - degrees(angular),
    north: center.latitude + degrees(angular),
    widest: Math.abs(sinWidest) <= 1 ? degrees(Math.asin(sinWidest)) : center.latitude,
  };
}

/** One Query: a row's partition, and the sort keys from `from` to `to` inclusive. */
export interface KeyRange {
  row: number;
  from: string;
  to: string;
}

/**
 * The key ranges that hold every point at a distance in [inner, outer] miles from `center`: per row
 * the outer circle's longitude span there (at its widest within the row), less the part of the row that
 * lies wholly inside the inner circle. They also hold points outside the ring; the caller drops those.
 */
export function ringRanges(center: Point, inner: number, outer: number): KeyRange[] {
  const reach = latitudeRange(center, outer);
  const ranges: KeyRange[] = [];
  const hole = inner > 0 ? latitudeRange(center, inner) : undefined;
  for (let row = rowOf(reach.south); row <= rowOf(reach.north); row += 1) {
    const south = Math.max(row * ROW_DEGREES, reach.south);
    const north = Math.min((row + 1) * ROW_DEGREES, reach.north);
    const span = halfSpanAt(center, outer, Math.min(Math.max(reach.widest, south), north));
    if (span === undefined) continue;
    const west = Math.floor((center.longitude - span + 180) * LON_SCALE);
    const east = Math.ceil((center.longitude + span + 180) * LON_SCALE);
    // The hole: the longitudes at which the whole height of the row is inside the inner circle.
    const rowSouth = row * ROW_DEGREES;
    const rowNorth = (row + 1) * ROW_DEGREES;
    const holeSpan = hole && rowSouth >= hole.south && rowNorth <= hole.north ? Math.min(halfSpanAt(center, inner, rowSouth) ?? 0, halfSpanAt(center, inner, rowNorth) ?? 0) : 0;
    const holeWest = Math.ceil((center.longitude - holeSpan + 180) * LON_SCALE) + 1;
    const holeEast = Math.floor((center.longitude + holeSpan + 180) * LON_SCALE) - 1;
    if (holeSpan > 0 && holeWest <= holeEast) {
      ranges.push({ row, from: lonKey(west), to: `${lonKey(holeWest - 1)}#~` });
      ranges.push({ row, from: lonKey(holeEast + 1), to: `${lonKey(east)}#~` });
    } else {
      ranges.push({ row, from: lonKey(west), to: `${lonKey(east)}#~` });
    }
  }
  return ranges;
}

/** Square miles of the ring between two radii. */
export const ringArea = (inner: number, outer: number): number => Math.PI * (outer * outer - inner * inner);
