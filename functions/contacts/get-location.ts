import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { LocationPath } from '#shared/model/schemas/paths';
import { readLocationContact } from '#shared/services/people/locations';
import { getLocationContactRoute } from '#shared/model/route-people';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(getLocationContactRoute, async ({ event }) => json(200, await readLocationContact(pathParams(event, LocationPath).locationId)), { accessFacts: loadAccessFacts });
