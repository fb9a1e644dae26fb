import { areasCover } from '#shared/model/access/access';
import type { ListingScope } from '#shared/model/access/listing-scope';
import { problems } from '#shared/model/errors';
import { getLocations, listLocations } from '#shared/repositories/locations';
import { membershipsOfUser } from '#shared/repositories/memberships';
import type { Location } from '#shared/model/schemas/location';

/** A page of the locations a caller may see, with the area and type filters applied. */
export async function listVisibleLocations(scope: ListingScope): Promise<{ items: Location[]; nextToken: string | null }> {
  if (scope.kind === 'area') {
    const page = await listLocations(scope.query);
    if (!scope.keep) return page;
    const kept = page.items.filter((location) => scope.keep!(location));
    // A local authority lies wholly inside one region: if none of it is covered, none of it ever is.
    if (page.items.length > 0 && kept.length === 0) throw problems.forbidden(`Area ${scope.query.area} is outside your areas.`);
    return { items: kept, nextToken: page.nextToken };
  }
  // A provider's own locations: a page of memberships, then those locations, filtered. Providers have
  // few locations, so a filtered page may be short but the token still walks all of them.
  const { query } = scope;
  const memberships = await membershipsOfUser(scope.userId, query.limit, query.nextToken);
  const locations = await getLocations(memberships.locationIds);
  return {
    items: locations.filter((location) => (query.area === undefined || areasCover([query.area], location)) && (query.type === undefined || location.type === query.type)),
    nextToken: memberships.nextToken,
  };
}
