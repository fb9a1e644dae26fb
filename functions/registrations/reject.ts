import { decisionRoute } from '#shared/http/decision-route';
import { rejectRegistrationRoute } from '#shared/model/route-registrations';

export const handler = decisionRoute(rejectRegistrationRoute, 'rejected');
