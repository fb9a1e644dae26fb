import { httpRoute } from '#shared/http/route';
import { jsonBody, pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import type { approveRegistrationRoute, rejectRegistrationRoute } from '#shared/model/route-registrations';
import { RegistrationDecision, RegistrationPath } from '#shared/model/schemas/registrations';
import { decide } from '#shared/services/registrations/register';

/** Approve and reject differ only in the decision they record. */
export function decisionRoute(route: typeof approveRegistrationRoute | typeof rejectRegistrationRoute, status: 'approved' | 'rejected') {
  return httpRoute(route, async ({ event, principal }) => {
    const { registrationId } = pathParams(event, RegistrationPath);
    const { note } = jsonBody(event, RegistrationDecision, { optional: true });
    return json(200, await decide(registrationId, status, principal, new Date(), note));
  });
}
