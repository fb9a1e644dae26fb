import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { authenticate } from '#shared/services/auth/authenticate';
import type { AuthorizerContext } from '#shared/model/access/identity';
import { cameThroughTheEdge } from '#shared/model/access/origin-verify';
import { routeReadsItsCaller } from '#shared/model/access/caller-check';
import { logger, tracer } from '#shared/runtime/powertools';

/**
 * The HTTP API's Lambda authorizer (simple responses). It always lets the request through with what it
 * found, so that a missing, expired or forged token gets a 401 problem+json from the route, saying why.
 */
export const handler = middy<APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    // Straight to execute-api, past CloudFront's web ACL: refused (API Gateway's bare 403) before the token is read.
    if (!cameThroughTheEdge(event.headers, event.stageVariables)) {
      logger.warn('request without the origin secret: not through CloudFront', { routeKey: event.routeKey });
      return { isAuthorized: false, context: { kind: 'anonymous', reason: 'missing' } };
    }
    // A return write reads its caller's user record in its own first read: not here as well.
    const context = await authenticate(event.headers?.authorization, new Date(), { userReadByRoute: routeReadsItsCaller(event.routeKey) });
    if (context.kind === 'anonymous') logger.info('unauthenticated request', { reason: context.reason, routeKey: event.routeKey });
    if (context.kind === 'unavailable') logger.warn('could not check the token: a dependency did not answer', { routeKey: event.routeKey });
    if (context.kind === 'mfaRequired') logger.info('a role that needs MFA, signed in without it', { role: context.role, routeKey: event.routeKey });
    return { isAuthorized: true, context };
  });
