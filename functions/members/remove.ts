import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { noContent } from '#shared/http/response';
import { MemberPath } from '#shared/model/schemas/people';
import { removeMember } from '#shared/services/people/members';

export const handler = httpRoute('removeMember', async ({ event, principal }) => {
  const { locationId, userId } = pathParams(event, MemberPath);
  await removeMember(locationId, userId, principal.userId, new Date());
  return noContent();
});
