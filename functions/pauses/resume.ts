import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { noContent } from '#shared/http/response';
import { LocationPath } from '#shared/model/schemas/paths';
import { resume } from '#shared/services/people/locations';
import { resumeLocationRoute } from '#shared/model/route-people';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(resumeLocationRoute, async ({ event, principal }) => {
  await resume(pathParams(event, LocationPath).locationId, principal.userId, new Date());
  return noContent();
}, { accessFacts: loadAccessFacts });
