import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { UnreachableQuery } from '#shared/model/schemas/people';
import { unreachable } from '#shared/services/people/locations';
import { unreachableReportRoute } from '#shared/model/route-people';

export const handler = httpRoute(unreachableReportRoute, async ({ event, principal }) => json(200, await unreachable(queryParams(event, UnreachableQuery).area, principal)));
