import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { z } from 'zod';
import { problems } from '../errors';
import { Role } from '../schemas/common';

/**
 * Who is calling, as the authorizer passes it in `requestContext.authorizer.lambda`. Memberships are not
 * in here: they live in DynamoDB and are checked per request.
 */
export const Identity = z.object({
  userId: z.string().min(1),
  role: Role,
  areas: z.array(z.string()).default([]),
});
export type Identity = z.infer<typeof Identity>;

export type AuthorizerContext = { [key: string]: unknown };
export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

export function identityFromEvent(event: ApiEvent): Identity {
  const parsed = Identity.safeParse(event.requestContext.authorizer?.lambda);
  if (!parsed.success) throw problems.unauthorized();
  return parsed.data;
}
