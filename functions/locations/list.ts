import { scopeLocationListing } from '#shared/model/access/listing-scope';
import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { listVisibleLocations } from '#shared/services/locations/listing';
import { LocationListQuery } from '#shared/model/schemas/location';
import { listLocationsRoute } from '#shared/model/route-locations';

export const handler = httpRoute(listLocationsRoute, async ({ event, principal }) => {
  const query = queryParams(event, LocationListQuery);
  return json(200, await listVisibleLocations(scopeLocationListing(principal, query)));
});
