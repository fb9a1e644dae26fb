import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { ApiEvent } from '#shared/model/access/identity';
import { ProblemError } from '#shared/model/errors';
import { logger, metrics, tracer } from '#shared/runtime/powertools';
import { toProblemResponse } from '#shared/http/response';

export type RouteResult = APIGatewayProxyStructuredResultV2;

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
 * What the tracer records of a problem the route answered with (a 4xx, or a 503 to retry): its status
 * and title, never its detail, which may name the caller's data (`x@y.example is already a user`).
 */
class AnsweredProblem extends Error {
  constructor(problem: ProblemError) {
    super(`${problem.status} ${problem.title}`);
    this.name = 'AnsweredProblem';
  }
}

/**
 * The house middleware chain every HTTP function runs in, and nothing else: tracer → logger → metrics →
 * header normalising, with the problem+json error handler registered last (middy runs onError in
 * reverse, so it shapes the response before the Powertools middlewares log and flush). What a route
 * does inside it — who may call it (`route.ts`), or nothing for a public route (`public-route.ts`) — is
 * `run`. Kept apart so that a public function's bundle carries no authorization code.
 */
export function routeHandler(routeId: string, run: (event: ApiEvent, context: Context) => Promise<RouteResult>) {
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
      logger.appendKeys({ route: routeId });
      return run(event, context);
    });
}

export type RouteHandler = ReturnType<typeof routeHandler>;
