import { httpRoute } from '#shared/http/route';
import { json } from '#shared/http/response';
import { buildOpenApiDocument } from '#shared/http/openapi';

// Built once per container: the schemas cannot change while it runs.
const document = buildOpenApiDocument();

export const handler = httpRoute('openapi', async () => json(200, document, { 'cache-control': 'public, max-age=300' }));
