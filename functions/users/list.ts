import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { UserListQuery } from '#shared/model/schemas/people';
import { listUsersFor } from '#shared/services/people/users';
import { listUsersRoute } from '#shared/model/route-people';

export const handler = httpRoute(listUsersRoute, async ({ event }) => json(200, await listUsersFor(queryParams(event, UserListQuery))));
