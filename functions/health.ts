import { publicRoute } from '#shared/http/public-route';
import { json } from '#shared/http/response';
import { healthRoute } from '#shared/model/route-api';

export const handler = publicRoute(healthRoute, async () => json(200, { status: 'ok' }));
