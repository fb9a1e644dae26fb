import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { PlaceQuery } from '#shared/model/schemas/places';
import { findPlaces } from '#shared/services/vacancies/places';
import { findPlacesRoute } from '#shared/model/route-areas';

export const handler = httpRoute(findPlacesRoute, async ({ event }) => {
  const query = queryParams(event, PlaceQuery);
  return json(200, await findPlaces(query.name, query.limit, new Date()));
});
