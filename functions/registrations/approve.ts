import { decisionRoute } from '../../shared/registrations/decision-route';

export const handler = decisionRoute('approveRegistration', 'approved');
