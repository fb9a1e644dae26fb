import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import { problems } from '#shared/model/errors';
import { Role } from '#shared/model/schemas/common';

/**
 * Who is calling. A signed-in user carries a role (and, for commissioners, areas); an update link from a
 * reminder email stands for one location and nothing else. Memberships are not here: they live in
 * DynamoDB and are checked per request.
 */
export type Principal =
  | { kind: 'user'; userId: string; role: Role; areas: string[] }
  | { kind: 'updateLink'; userId: string; tokenId: string; locationId: string };

/** Why a request is not signed in, as the authorizer found it. */
export const UNAUTHENTICATED_REASONS = ['missing', 'malformed', 'expired', 'invalid', 'revoked', 'disabled'] as const;
export type UnauthenticatedReason = (typeof UNAUTHENTICATED_REASONS)[number];

/**
 * What the Lambda authorizer hands to the route, in requestContext.authorizer.lambda. Flat strings:
 * API Gateway passes the map through as given, and strings survive every hop unchanged. The
 * authorizer never denies: a bad token becomes `kind: 'anonymous'` with the reason, so the route can answer a
 * 401 problem+json saying why, where a denial would be a bare 403 from API Gateway.
 */
export const AuthorizerContext = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('anonymous'), reason: z.enum(UNAUTHENTICATED_REASONS) }),
  // The token could not be checked because a service it is checked against did not answer (the
  // revocations table): the route answers 503 so the caller retries, where a throw would be API Gateway's bare 500.
  z.object({ kind: z.literal('unavailable') }),
  z.object({
    kind: z.literal('user'),
    userId: z.string().min(1),
    role: Role,
    areas: z.string(),
  }),
  z.object({
    kind: z.literal('updateLink'),
    userId: z.string().min(1),
    tokenId: z.string().min(1),
    locationId: z.string().min(1),
  }),
]);
export type AuthorizerContext = z.infer<typeof AuthorizerContext>;
export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

const REASON_TEXT: Record<UnauthenticatedReason, string> = {
  missing: 'Sign in: send Authorization: Bearer <token>.',
  malformed: 'The Authorization header must be "Bearer <token>" with a JWT.',
  expired: 'The token has expired: sign in again, or use the link in the latest reminder email.',
  invalid: 'The token is not one this service accepts (signature, issuer or audience).',
  revoked: 'This update link has been withdrawn: use the link in the latest reminder email, or sign in.',
  disabled: 'This account has been disabled: ask your administrator.',
};

export function principalFromEvent(event: ApiEvent): Principal {
  const parsed = AuthorizerContext.safeParse(event.requestContext.authorizer?.lambda);
  if (!parsed.success) throw problems.unauthorized(REASON_TEXT.missing);
  const context = parsed.data;
  if (context.kind === 'anonymous') throw problems.unauthorized(REASON_TEXT[context.reason]);
  if (context.kind === 'unavailable') throw problems.unavailable();
  if (context.kind === 'updateLink') {
    return { kind: 'updateLink', userId: context.userId, tokenId: context.tokenId, locationId: context.locationId };
  }
  return { kind: 'user', userId: context.userId, role: context.role, areas: context.areas.split(',').filter(Boolean) };
}
