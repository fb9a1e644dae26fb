import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { authenticate } from '#shared/services/auth/authenticate';
import type { AuthorizerContext } from '#shared/model/access/identity';
import { logger, tracer } from '#shared/runtime/powertools';

/**
 * The HTTP API's Lambda authorizer (simple responses). It always lets the request through with what it
 * found, so that a missing, expired or forged token gets a 401 problem+json from the route, saying why.
 */
export const handler = middy<APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const context = await authenticate(event.headers?.authorization);
    if (context.kind === 'anonymous') logger.info('unauthenticated request', { reason: context.reason, routeKey: event.routeKey });
    if (context.kind === 'unavailable') logger.warn('could not check the token: a dependency did not answer', { routeKey: event.routeKey });
    return { isAuthorized: true, context };
  });
