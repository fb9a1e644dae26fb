import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { LocationContact } from '#shared/model/schemas/people';
import { LocationPath } from '#shared/model/schemas/paths';
import { setLocationContact } from '#shared/services/people/locations';
import { putLocationContactRoute } from '#shared/model/route-people';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(putLocationContactRoute, async ({ event, principal }) => {
  const { locationId } = pathParams(event, LocationPath);
  return json(200, await setLocationContact(locationId, jsonBody(event, LocationContact), principal.userId, new Date()));
}, { accessFacts: loadAccessFacts });
