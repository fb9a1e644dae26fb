import { problems } from '#shared/model/errors';
import type { fallbackFunction } from '#shared/model/functions';
import { publicRoute } from '#shared/http/public-route';
import { matchEndpoint } from '#shared/model/route-endpoints';

/** The fallback's id (`fallbackFunction` in shared/model/functions.ts), without the whole function table in this bundle. */
const id: (typeof fallbackFunction)['id'] = 'notFound';

/**
 * The API's $default route: an unknown path or method gets problem+json, as every other error does.
 * It matches against the route table's methods and paths alone (`ENDPOINTS`), not every route's schemas.
 */
export const handler = publicRoute({ id, access: 'public' }, async ({ event }) => {
  const match = matchEndpoint(event.requestContext.http.method, event.rawPath);
  if (match.kind === 'wrongMethod') throw problems.methodNotAllowed(match.allowed);
  throw problems.notFound(`There is no ${event.requestContext.http.method} ${event.rawPath} in this API; see /v1/openapi.json.`);
});
