import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { UserChange, UserPath } from '#shared/model/schemas/people';
import { changeUser } from '#shared/services/people/users';
import { changeUserRoute } from '#shared/model/route-people';

export const handler = httpRoute(changeUserRoute, async ({ event, principal }) => {
  const { userId } = pathParams(event, UserPath);
  return json(200, await changeUser(userId, jsonBody(event, UserChange), principal.userId, new Date()));
});
