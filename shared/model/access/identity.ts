import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import { ProblemError, problems } from '#shared/model/errors';
import { Role } from '#shared/model/schemas/common';

/**
 * Who is calling. A signed-in user carries a role (and, for commissioners, areas); an update link from a
 * reminder email stands for one location and nothing else. Memberships are not here: they live in
 * DynamoDB and are checked per request.
 */
export type Principal =
  | { kind: 'user'; userId: string; role: Role; areas: string[] }
  | { kind: 'updateLink'; userId: string; tokenId: string; locationId: string };

/**
 * The roles that act only when signed in with an authenticator app (TOTP MFA): an admin writes any
 * location's returns and grants memberships, a national user reads everything, a commissioner whole areas.
 * Providers and discharge teams may set one up, and are not required to.
 */
export const MFA_REQUIRED_ROLES = ['admin', 'national', 'commissioner'] as const satisfies readonly Role[];
export type MfaRequiredRole = (typeof MFA_REQUIRED_ROLES)[number];
export function requiresMfa(role: Role): role is MfaRequiredRole {
  return (MFA_REQUIRED_ROLES as readonly Role[]).includes(role);
}

/**
 * The ID token claim that says the user signed in with an authenticator app: Cognito's ID tokens do not
 * say so, so the user pool's pre token generation trigger adds it (`MFA_CLAIM_VALUE`) when the user has
 * TOTP enabled and preferred, for which Cognito asks the code at every sign-in. The local issuer adds it
 * as the trigger would. Not a user attribute: no one can write it but the trigger.
 */
export const MFA_CLAIM = 'mfa';
export const MFA_CLAIM_VALUE = 'totp';

/** The claims the trigger adds to an ID token (and the local issuer, standing in for Cognito, the same way). */
export function mfaClaims(mfa: boolean): Record<string, string> {
  return mfa ? { [MFA_CLAIM]: MFA_CLAIM_VALUE } : {};
}

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
  // revocations or users table, the issuer's key set, Secrets Manager for the update-link key): the route
  // answers 503 so the caller retries, where a throw would be API Gateway's bare 500.
  z.object({ kind: z.literal('unavailable') }),
  // A genuine token whose user's role (the users table's, else the token's) needs MFA, signed in without it:
  // the route answers 403 saying how to set up an authenticator app.
  z.object({ kind: z.literal('mfaRequired'), userId: z.string().min(1), role: z.enum(MFA_REQUIRED_ROLES) }),
  z.object({
    kind: z.literal('user'),
    userId: z.string().min(1),
    role: Role,
    areas: z.string(),
  }),
  // A genuine ID token whose user the route reads itself (`caller-check.ts`): the token's claims, which
  // the route settles against the users table before anything else (`settleCaller`).
  z.object({
    kind: z.literal('tokenUser'),
    userId: z.string().min(1),
    role: Role,
    areas: z.string(),
    mfa: z.enum(['true', 'false']),
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

/** The authorizer's 503: nothing was done, so a retry is always safe. */
function checkUnavailable(): ProblemError {
  return new ProblemError({
    status: 503,
    title: 'Service unavailable',
    slug: 'unavailable',
    detail:
      'Who is calling could not be checked: a service the check depends on (the sign-in keys, the update-link key or the database) ' +
      'did not answer. Nothing was done; try again in a moment.',
    headers: { 'retry-after': '2' },
  });
}

const ROLE_NAMES: Record<MfaRequiredRole, string> = { admin: 'An admin', national: 'A national', commissioner: 'A commissioner' };

/** A privileged role signed in with a password alone: what to do about it. */
export function mfaRequired(role: MfaRequiredRole): ProblemError {
  return new ProblemError({
    status: 403,
    title: 'Authenticator app required',
    slug: 'mfa-required',
    detail:
      `${ROLE_NAMES[role]} account can act only when signed in with a code from an authenticator app. Set up an authenticator app ` +
      '(TOTP: Microsoft Authenticator, Google Authenticator or similar) for your account, then sign out and sign in again with its code. ' +
      'If you have lost it, ask an administrator to reset it.',
  });
}

/**
 * What a genuine ID token says of its user, before the users table has had its say (`settleCaller`): the
 * caller the authorizer hands a route that reads its caller's user record itself (`tokenUser`).
 */
export interface TokenClaims {
  userId: string;
  role: Role;
  areas: string[];
  /** Signed in with an authenticator app. */
  mfa: boolean;
}

/** Who the authorizer's context says is calling, or why nobody is (thrown as the route's answer). */
export function callerFromContext(lambda: unknown): Principal | { pending: TokenClaims } {
  const parsed = AuthorizerContext.safeParse(lambda);
  if (!parsed.success) throw problems.unauthorized(REASON_TEXT.missing);
  const context = parsed.data;
  if (context.kind === 'anonymous') throw problems.unauthorized(REASON_TEXT[context.reason]);
  if (context.kind === 'unavailable') throw checkUnavailable();
  if (context.kind === 'mfaRequired') throw mfaRequired(context.role);
  if (context.kind === 'updateLink') {
    return { kind: 'updateLink', userId: context.userId, tokenId: context.tokenId, locationId: context.locationId };
  }
  const areas = context.areas.split(',').filter(Boolean);
  if (context.kind === 'tokenUser') return { pending: { userId: context.userId, role: context.role, areas, mfa: context.mfa === 'true' } };
  return { kind: 'user', userId: context.userId, role: context.role, areas };
}

/**
 * Who is calling a route that leaves the users table to the authorizer. A context that leaves it to the
 * route is refused here (fails closed): only the routes of `ROUTES_THAT_READ_THEIR_CALLER` read it.
 */
export function principalFromEvent(event: ApiEvent): Principal {
  const caller = callerFromContext(event.requestContext.authorizer?.lambda);
  if ('pending' in caller) throw new Error('the authorizer left the caller\'s user record to a route that does not read it');
  return caller;
}
