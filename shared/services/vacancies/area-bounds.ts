/**
 * Does a search near a place make sense in the area it also names? The box around an area's located
 * homes, read from its directory listing once an hour per container, tells whether the circle reaches it.
 */
import { milesBetween, type Point } from '#shared/model/vacancies/geo';
import { listLocations } from '#shared/repositories/locations';
import { containerCache } from '#shared/runtime/container-cache';

export interface Bounds {
  south: number;
  north: number;
  west: number;
  east: number;
}

async function readBounds(area: string): Promise<Bounds | undefined> {
  let bounds: Bounds | undefined;
  let token: string | undefined;
  do {
    const page = await listLocations({ area, limit: 1000, ...(token ? { nextToken: token } : {}) });
    for (const location of page.items) {
      if (location.latitude === undefined || location.longitude === undefined) continue;
      bounds = bounds
        ? { south: Math.min(bounds.south, location.latitude), north: Math.max(bounds.north, location.latitude), west: Math.min(bounds.west, location.longitude), east: Math.max(bounds.east, location.longitude) }
        : { south: location.latitude, north: location.latitude, west: location.longitude, east: location.longitude };
    }
    token = page.nextToken ?? undefined;
  } while (token);
  return bounds;
}

/** The box around an area's located homes; undefined when none of them has coordinates (nothing to judge by). */
export const boundsOf = containerCache(3_600_000, readBounds);

/** Miles from a point to the nearest point of a box (0 inside it). */
export function milesToBounds(point: Point, bounds: Bounds): number {
  const nearest = {
    latitude: Math.min(Math.max(point.latitude, bounds.south), bounds.north),
    longitude: Math.min(Math.max(point.longitude, bounds.west), bounds.east),
  };
  return milesBetween(point, nearest);
}
