import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { noContent } from '#shared/http/response';
import { MemberPath } from '#shared/model/schemas/people';
import { removeMember } from '#shared/services/people/members';
import { removeMemberRoute } from '#shared/model/route-people';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(removeMemberRoute, async ({ event, principal }) => {
  const { locationId, userId } = pathParams(event, MemberPath);
  await removeMember(locationId, userId, principal.userId, new Date());
  return noContent();
}, { accessFacts: loadAccessFacts });
