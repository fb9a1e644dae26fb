import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { ProviderContact, ProviderPath } from '#shared/model/schemas/people';
import { setProviderContact } from '#shared/services/people/locations';
import { putProviderContactRoute } from '#shared/model/route-people';

export const handler = httpRoute(putProviderContactRoute, async ({ event, principal }) => {
  const { providerId } = pathParams(event, ProviderPath);
  return json(200, await setProviderContact(providerId, jsonBody(event, ProviderContact).email, principal.userId, new Date()));
});
