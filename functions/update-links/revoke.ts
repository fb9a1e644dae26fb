import { problems } from '#shared/model/errors';
import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { getLocation } from '#shared/repositories/locations';
import { revokeLocationUpdateLinks } from '#shared/repositories/revocations';
import { toInstant } from '#shared/model/returns/report-date';
import { ConfirmInput } from '#shared/model/schemas/return';
import { LocationPath } from '#shared/model/schemas/paths';
import { revokeUpdateLinksRoute } from '#shared/model/route-locations';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(revokeUpdateLinksRoute, async ({ event, principal }) => {
  const { locationId } = pathParams(event, LocationPath);
  jsonBody(event, ConfirmInput, { optional: true });
  if (!(await getLocation(locationId))) throw problems.notFound(`No location ${locationId} in the directory.`);
  const now = new Date();
  await revokeLocationUpdateLinks(locationId, now, principal.userId);
  return json(200, { locationId, revokedAt: toInstant(now) });
}, { accessFacts: loadAccessFacts });
