import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { LocationPath } from '#shared/model/schemas/paths';
import { listMembers } from '#shared/services/people/members';
import { listMembersRoute } from '#shared/model/route-people';
import { loadAccessFacts } from '#shared/services/auth/facts';

export const handler = httpRoute(listMembersRoute, async ({ event }) => json(200, await listMembers(pathParams(event, LocationPath).locationId)), { accessFacts: loadAccessFacts });
