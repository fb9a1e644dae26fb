import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { LocationContact } from '#shared/model/schemas/people';
import { LocationPath } from '#shared/model/schemas/paths';
import { setLocationContact } from '#shared/services/people/locations';

export const handler = httpRoute('putLocationContact', async ({ event, principal }) => {
  const { locationId } = pathParams(event, LocationPath);
  return json(200, await setLocationContact(locationId, jsonBody(event, LocationContact), principal.userId, new Date()));
});
