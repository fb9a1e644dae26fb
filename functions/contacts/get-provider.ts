import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { ProviderPath } from '#shared/model/schemas/people';
import { readProviderContact } from '#shared/services/people/locations';
import { getProviderContactRoute } from '#shared/model/route-people';

export const handler = httpRoute(getProviderContactRoute, async ({ event }) => json(200, await readProviderContact(pathParams(event, ProviderPath).providerId)));
