/**
 * Who decides what the users table says about a signed-in caller: the authorizer, for every route but
 * these; for these, the route itself, in the BatchGetItem it makes anyway (a return write reads the
 * location, and a provider's membership, before its transaction). A save is then two round trips to
 * DynamoDB in all, where the authorizer's own read of the user made three (issue 20). The rule is the same
 * wherever it is applied (`settleCaller`): a disabled user is refused from the next request, a changed role
 * or areas hold at once.
 */
import { ENDPOINTS } from '#shared/model/route-endpoints';
import { requiresMfa, type AuthorizerContext, type TokenClaims } from '#shared/model/access/identity';
import type { Role } from '#shared/model/schemas/common';

/** The routes whose function reads its caller's user record itself (`loadWriteAccessFacts`). */
export const ROUTES_THAT_READ_THEIR_CALLER = ['putReturn', 'confirmReturn'] as const;

const ROUTE_KEYS: ReadonlySet<string> = new Set(ROUTES_THAT_READ_THEIR_CALLER.map((id) => `${ENDPOINTS[id].method} ${ENDPOINTS[id].path}`));

/** Does the route with this API Gateway route key (`PUT /v1/...`) read its caller itself? */
export function routeReadsItsCaller(routeKey: string | undefined): boolean {
  return routeKey !== undefined && ROUTE_KEYS.has(routeKey);
}

/** What the users table holds about a user that decides what they may do. */
export interface StoredCaller {
  role: Role;
  areas: readonly string[];
  status: 'active' | 'disabled';
}

/**
 * The users table has the last word: a disabled user is refused, a changed role or areas hold at once.
 * A user it does not hold (made before it, or straight in the user pool) is as its token says. A role that
 * needs MFA (the table's, else the token's), signed in without it, is `mfaRequired`.
 */
export function settleCaller(token: TokenClaims, stored: StoredCaller | undefined): Extract<AuthorizerContext, { kind: 'user' | 'mfaRequired' | 'anonymous' }> {
  if (stored?.status === 'disabled') return { kind: 'anonymous', reason: 'disabled' };
  const { role, areas } = stored ?? token;
  if (requiresMfa(role) && !token.mfa) return { kind: 'mfaRequired', userId: token.userId, role };
  return { kind: 'user', userId: token.userId, role, areas: areas.join(',') };
}
