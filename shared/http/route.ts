import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { decideAccess, factsNeeded } from '#shared/model/access/access';
import { principalFromEvent, type ApiEvent, type Principal } from '#shared/model/access/identity';
import { LocationPath } from '#shared/model/schemas/paths';
import { pathParams } from '#shared/http/request';
import { idempotencyPayload } from '#shared/http/idempotency-key';
import { ProblemError, problems } from '#shared/model/errors';
import { routeById, type RouteDefinition, type RouteId, type routes } from '#shared/model/routes';
import { logger, metrics, tracer } from '#shared/runtime/powertools';
import { toProblemResponse } from '#shared/http/response';

export interface RouteRequest<P extends Principal | undefined = Principal | undefined> {
  event: ApiEvent;
  context: Context;
  route: RouteDefinition;
  /** Who is calling: always there on a signed-in route, never on a public one. */
  principal: P;
}

type RouteOf<Id extends RouteId> = Extract<(typeof routes)[number], { id: Id }>;
type PrincipalOf<Id extends RouteId> = RouteOf<Id>['access'] extends 'public' ? undefined : Principal;
export type RouteResult = APIGatewayProxyStructuredResultV2;

/**
 * The one authorization check every route goes through: who the authorizer says is calling, the route
 * table's roles, and for a route about one location the membership or area rule (reading only the
 * facts the decision needs). No handler re-implements any of it.
 */
async function authorize(route: RouteDefinition, event: ApiEvent): Promise<Principal | undefined> {
  if (route.access === 'public') return undefined;
  const principal = principalFromEvent(event);
  // Validated before anything is read with it, so a hostile id is a 400, not a DynamoDB error.
  const locationId = route.scope === 'location' ? pathParams(event, LocationPath).locationId : undefined;
  const needed = factsNeeded(route, principal);
  const facts =
    locationId !== undefined && (needed.membership || needed.location)
      ? await (await import('#shared/services/auth/facts')).loadAccessFacts(route, principal, locationId)
      : {};
  const decision = decideAccess(route, principal, locationId, facts);
  if (!decision.allowed) throw problems.forbidden(decision.reason);
  return principal;
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
 * then authorization, then (on a route that takes `Idempotency-Key`, when the request carries one)
 * Powertools idempotency, with the problem+json error handler registered last (middy runs onError in
 * reverse, so it shapes the response before the Powertools middlewares log and flush).
 *
 * Idempotency comes after authorization on purpose: a stored response is replayed only to a caller
 * who may make the request now, and only to the caller who made it (the key is scoped to the principal).
 */
export function httpRoute<Id extends RouteId>(routeId: Id, serve: (request: RouteRequest<PrincipalOf<Id>>) => Promise<RouteResult>): ReturnType<typeof wrap>;
export function httpRoute(route: RouteDefinition, serve: (request: RouteRequest) => Promise<RouteResult>): ReturnType<typeof wrap>;
export function httpRoute(routeOrId: RouteId | RouteDefinition, serve: (request: RouteRequest<never>) => Promise<RouteResult>) {
  return wrap(typeof routeOrId === 'string' ? routeById(routeOrId) : routeOrId, serve as (request: RouteRequest) => Promise<RouteResult>);
}

/**
 * What the tracer records of a problem the route answered with (a 4xx, or a 503 to retry): its status
 * and title, never its detail, which may name the caller's data (`x@y.example is already a user`).
 */
class AnsweredProblem extends Error {
  constructor(problem: ProblemError) {
    super(`${problem.status} ${problem.title}`);
    this.name = 'AnsweredProblem';
  }
}

function wrap(route: RouteDefinition, serve: (request: RouteRequest) => Promise<RouteResult>) {
  return middy<ApiEvent, RouteResult>()
    // Responses carry personal data (users' and contacts' email addresses, audit entries), and the tracer
    // would record each one as X-Ray metadata: it records the calls and their timing, never a response.
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetricsIfAny)
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        request.response = toProblemResponse(request.error, request.event.rawPath);
        // The middlewares before this one (logger, tracer) see the error after it: a problem answered
        // goes on as its status alone (the tracer records an error's message).
        if (request.error instanceof ProblemError) request.error = new AnsweredProblem(request.error);
      },
    })
    .handler(async (event, context) => {
      logger.appendKeys({ route: route.id });
      const principal = await authorize(route, event);
      const run = () => serve({ event, context, route, principal });
      const keyed = route.request?.idempotencyKey && principal ? idempotencyPayload(event, principal) : undefined;
      if (keyed === undefined) return run();
      // Lazily, as the facts are: only these routes' functions are given the idempotency table.
      const { serveIdempotently } = await import('#shared/http/idempotency');
      return serveIdempotently(keyed, context, run);
    });
}
