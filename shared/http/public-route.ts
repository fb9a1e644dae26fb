import type { Context } from 'aws-lambda';
import type { ApiEvent } from '#shared/model/access/identity';
import type { RouteDefinition } from '#shared/model/routes';
import { routeHandler, type RouteHandler, type RouteResult } from '#shared/http/handler';

/** A route anyone may call: no token is read, no principal is found. */
export type PublicRoute = Pick<RouteDefinition, 'id'> & { access: 'public' };

export interface PublicRouteRequest<R extends PublicRoute = PublicRoute> {
  event: ApiEvent;
  context: Context;
  route: R;
  /** Nobody: a public route is served without looking at who is calling. */
  principal: undefined;
}

/**
 * A public route (`access: 'public'`: the health check, the OpenAPI document, an email's unsubscribe link,
 * the fallback) in the house middleware chain. There is nothing to authorize, so nothing of authorization
 * is in its bundle: not the authorizer context's schema, not the access rules. The same as `httpRoute`
 * does for a public route, which reads nothing either.
 */
export function publicRoute<R extends PublicRoute>(route: R, serve: (request: PublicRouteRequest<R>) => Promise<RouteResult>): RouteHandler {
  if (route.access !== 'public') throw new Error(`${route.id} is not a public route: serve it with httpRoute`);
  return routeHandler(route.id, (event, context) => serve({ event, context, route, principal: undefined }));
}
