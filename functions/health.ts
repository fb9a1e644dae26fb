import { httpRoute } from '#shared/http/route';
import { json } from '#shared/http/response';

export const handler = httpRoute('health', async () => json(200, { status: 'ok' }));
