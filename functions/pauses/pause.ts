import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { londonDay } from '#shared/model/returns/report-date';
import { PauseRequest } from '#shared/model/schemas/people';
import { LocationPath } from '#shared/model/schemas/paths';
import { pause } from '#shared/services/people/locations';
import { pauseLocationRoute } from '#shared/model/route-people';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(pauseLocationRoute, async ({ event, principal }) => {
  const now = new Date();
  return json(200, await pause(pathParams(event, LocationPath).locationId, jsonBody(event, PauseRequest), principal.userId, now, londonDay(now)));
}, { accessFacts: loadAccessFacts });
