import { scopeLocationListing } from '../../shared/auth/listing-scope';
import { httpRoute } from '../../shared/http/route';
import { queryParams } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { listVisibleLocations } from '../../shared/locations/listing';
import { LocationListQuery } from '../../shared/schemas/location';

export const handler = httpRoute('listLocations', async ({ event, principal }) => {
  const query = queryParams(event, LocationListQuery);
  return json(200, await listVisibleLocations(scopeLocationListing(principal, query)));
});
