import { httpRoute } from '#shared/http/route';
import { jsonBody } from '#shared/http/request';
import { json } from '#shared/http/response';
import { UserInvite } from '#shared/model/schemas/people';
import { inviteUser } from '#shared/services/people/users';
import { inviteUserRoute } from '#shared/model/route-people';

export const handler = httpRoute(inviteUserRoute, async ({ event, principal }) => json(201, await inviteUser(jsonBody(event, UserInvite), principal.userId, new Date())));
