import { httpRoute } from '#shared/http/route';
import { jsonBody } from '#shared/http/request';
import { json } from '#shared/http/response';
import { register } from '#shared/services/registrations/register';
import { RegistrationRequest } from '#shared/model/schemas/registrations';
import { registerRoute } from '#shared/model/route-registrations';
import { serveIdempotently } from '#shared/http/idempotency';

export const handler = httpRoute(registerRoute, async ({ event, principal }) => {
  const { locationId } = jsonBody(event, RegistrationRequest);
  // Asking again while pending answers with the same request (200), not a second one.
  const { registration, created } = await register(locationId, principal, new Date());
  return json(created ? 201 : 200, registration);
}, { idempotency: serveIdempotently });
