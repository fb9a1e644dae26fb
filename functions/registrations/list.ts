import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { RegistrationListQuery } from '#shared/model/schemas/registrations';
import { registrationsFor } from '#shared/services/registrations/list';

export const handler = httpRoute('listRegistrations', async ({ event, principal }) => json(200, await registrationsFor(principal, queryParams(event, RegistrationListQuery))));
