import { httpRoute } from '../../shared/http/route';
import { queryParams } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { listLocations } from '../../shared/repositories/locations';
import { LocationListQuery } from '../../shared/schemas/location';

export const handler = httpRoute('listLocations', async ({ event }) => {
  const query = queryParams(event, LocationListQuery);
  return json(200, await listLocations(query));
});
