import { problems } from '#shared/model/errors';
import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { getLocation } from '#shared/repositories/locations';
import { getLatestReturn } from '#shared/repositories/returns';
import { LocationPath } from '#shared/model/schemas/paths';
import { getLocationRoute } from '#shared/model/route-locations';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(getLocationRoute, async ({ event }) => {
  const { locationId } = pathParams(event, LocationPath);
  const [location, latestReturn] = await Promise.all([getLocation(locationId), getLatestReturn(locationId)]);
  if (!location) throw problems.notFound(`No location ${locationId} in the directory.`);
  return json(200, { ...location, latestReturn: latestReturn ?? null });
}, { accessFacts: loadAccessFacts });
