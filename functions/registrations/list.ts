import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { RegistrationListQuery } from '#shared/model/schemas/registrations';
import { registrationsFor } from '#shared/services/registrations/list';
import { listRegistrationsRoute } from '#shared/model/route-registrations';

export const handler = httpRoute(listRegistrationsRoute, async ({ event, principal }) => json(200, await registrationsFor(principal, queryParams(event, RegistrationListQuery))));
