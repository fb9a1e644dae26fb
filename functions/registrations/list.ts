import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { listRegistrations } from '#shared/repositories/registrations';
import { RegistrationListQuery } from '#shared/model/schemas/registrations';

export const handler = httpRoute('listRegistrations', async ({ event }) => {
  const query = queryParams(event, RegistrationListQuery);
  return json(200, await listRegistrations(query.status, query.limit, query.nextToken));
});
