import { publicRoute } from '#shared/http/public-route';
import { json } from '#shared/http/response';
import { OPENAPI_DOCUMENT } from '#shared/http/openapi-document';
import { openapiRoute } from '#shared/model/route-api';

// Generated from the route table and the schemas ahead of time (shared/http/openapi-document.ts).
export const handler = publicRoute(openapiRoute, async () => json(200, OPENAPI_DOCUMENT, { 'cache-control': 'public, max-age=300' }));
