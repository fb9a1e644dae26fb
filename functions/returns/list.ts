import { problems } from '#shared/model/errors';
import { httpRoute } from '#shared/http/route';
import { pathParams, queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { getLocation } from '#shared/repositories/locations';
import { listReturns } from '#shared/repositories/returns';
import { LocationPath } from '#shared/model/schemas/paths';
import { ReturnHistoryQuery } from '#shared/model/schemas/return';
import { listReturnsRoute } from '#shared/model/route-returns';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(listReturnsRoute, async ({ event }) => {
  const { locationId } = pathParams(event, LocationPath);
  const query = queryParams(event, ReturnHistoryQuery);
  if (query.from && query.to && query.from > query.to) {
    throw problems.validation([{ path: 'query.from', message: `must not be after to (${query.to})` }]);
  }
  const [location, page] = await Promise.all([getLocation(locationId), listReturns({ locationId, ...query })]);
  if (!location) throw problems.notFound(`No location ${locationId} in the directory.`);
  return json(200, page);
}, { accessFacts: loadAccessFacts });
