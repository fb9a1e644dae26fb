import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { MemberChange, MemberPath } from '#shared/model/schemas/people';
import { putMember } from '#shared/services/people/members';
import { putMemberRoute } from '#shared/model/route-people';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(putMemberRoute, async ({ event, principal }) => {
  const { locationId, userId } = pathParams(event, MemberPath);
  const { manager } = jsonBody(event, MemberChange, { optional: true });
  const { created, member } = await putMember(locationId, userId, manager, principal.userId, new Date());
  return json(created ? 201 : 200, member);
}, { accessFacts: loadAccessFacts });
