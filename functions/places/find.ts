import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { PlaceQuery } from '#shared/model/schemas/places';
import { findPlaces } from '#shared/services/vacancies/places';

export const handler = httpRoute('findPlaces', async ({ event }) => {
  const query = queryParams(event, PlaceQuery);
  return json(200, await findPlaces(query.name, query.limit, new Date()));
});
