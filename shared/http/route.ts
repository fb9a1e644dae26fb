import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { identityFromEvent, type ApiEvent, type Identity } from '../auth/identity';
import { problems } from '../errors';
import { routeById, type RouteDefinition, type RouteId } from '../routes';
import { logger, metrics, tracer } from '../runtime/powertools';
import { toProblemResponse } from './response';

export interface RouteRequest {
  event: ApiEvent;
  context: Context;
  route: RouteDefinition;
  /** Undefined only on public routes. */
  identity: Identity | undefined;
}
export type RouteResult = APIGatewayProxyStructuredResultV2;

/** The caller's identity, checked against the route's allowed roles (memberships and areas come later). */
function authorize(route: RouteDefinition, event: ApiEvent): Identity | undefined {
  if (route.access === 'public') return undefined;
  const identity = identityFromEvent(event);
  if (!route.access.includes(identity.role)) {
    throw problems.forbidden(`The ${identity.role} role may not call ${route.method} ${route.path}.`);
  }
  return identity;
}

/**
 * Flushes the request's metrics. Unlike Powertools' logMetrics it stays quiet when a route recorded
 * none (reads record none), instead of logging a warning on every GET.
 */
const publishMetricsIfAny: middy.MiddlewareObj<ApiEvent, RouteResult> = {
  after: async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
  onError: async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
};

/**
 * Wraps a route's logic in the house middleware chain: tracer → logger → metrics → header normalising,
 * then authorization, with the problem+json error handler registered last (middy runs onError in
 * reverse, so it shapes the response before the Powertools middlewares log and flush).
 */
export function httpRoute(routeOrId: RouteId | RouteDefinition, serve: (request: RouteRequest) => Promise<RouteResult>) {
  const route = typeof routeOrId === 'string' ? routeById(routeOrId) : routeOrId;
  return middy<ApiEvent, RouteResult>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetricsIfAny)
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        request.response = toProblemResponse(request.error, request.event.rawPath);
      },
    })
    .handler(async (event, context) => {
      logger.appendKeys({ route: route.id });
      const identity = authorize(route, event);
      return serve({ event, context, route, identity });
    });
}
