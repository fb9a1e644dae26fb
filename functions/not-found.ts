import { problems } from '#shared/model/errors';
import { httpRoute } from '#shared/http/route';
import { matchRoute } from '#shared/model/routes';
import { fallbackFunction } from '#shared/model/functions';

/** The API's $default route: an unknown path or method gets problem+json, as every other error does. */
export const handler = httpRoute(
  { ...fallbackFunction, scope: 'none', method: 'GET', path: '$default', access: 'public', summary: 'unmatched requests', responses: {} },
  async ({ event }) => {
    const match = matchRoute(event.requestContext.http.method, event.rawPath);
    if (match.kind === 'wrongMethod') throw problems.methodNotAllowed(match.allowed);
    throw problems.notFound(`There is no ${event.requestContext.http.method} ${event.rawPath} in this API; see /v1/openapi.json.`);
  },
);
