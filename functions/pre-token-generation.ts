import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { MFA_CLAIM } from '#shared/model/access/identity';
import { addMfaClaim } from '#shared/services/auth/pre-token-generation';
import { logger, tracer } from '#shared/runtime/powertools';

/**
 * The user pool's pre token generation trigger: marks the ID token of a user in a role that needs MFA
 * who signs in with an authenticator app (`shared/services/auth/pre-token-generation.ts`). A failure
 * fails that sign-in (Cognito says so and the user tries again), never anyone else's.
 */
export const handler = middy<PreTokenGenerationTriggerEvent, PreTokenGenerationTriggerEvent>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const marked = await addMfaClaim(event);
    logger.info('ID token', { triggerSource: event.triggerSource, mfa: marked.response.claimsOverrideDetails.claimsToAddOrOverride?.[MFA_CLAIM] !== undefined });
    return marked;
  });
