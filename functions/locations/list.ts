import { scopeLocationListing } from '#shared/model/access/listing-scope';
import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { listVisibleLocations } from '#shared/services/locations/listing';
import { LocationListQuery } from '#shared/model/schemas/location';

export const handler = httpRoute('listLocations', async ({ event, principal }) => {
  const query = queryParams(event, LocationListQuery);
  return json(200, await listVisibleLocations(scopeLocationListing(principal, query)));
});
