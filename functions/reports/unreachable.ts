import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { UnreachableQuery } from '#shared/model/schemas/people';
import { unreachable } from '#shared/services/people/locations';

export const handler = httpRoute('unreachableReport', async ({ event, principal }) => json(200, await unreachable(queryParams(event, UnreachableQuery).area, principal)));
