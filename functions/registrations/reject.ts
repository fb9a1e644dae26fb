import { decisionRoute } from '#shared/http/decision-route';

export const handler = decisionRoute('rejectRegistration', 'rejected');
