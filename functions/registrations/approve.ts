import { decisionRoute } from '#shared/http/decision-route';
import { approveRegistrationRoute } from '#shared/model/route-registrations';

export const handler = decisionRoute(approveRegistrationRoute, 'approved');
