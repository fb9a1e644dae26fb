import { decodeJwt, errors } from 'jose';
import { isUpdateLinkRevoked } from '#shared/repositories/revocations';
import { getUser } from '#shared/repositories/users';
import type { AuthorizerContext, UnauthenticatedReason } from '#shared/model/access/identity';
import { settleCaller } from '#shared/model/access/caller-check';
import { verifyUpdateLink } from '#shared/services/auth/update-links';
import { UPDATE_LINK_ISSUER } from '#shared/model/update-links';
import { TokenWithoutRole, verifyUserToken } from '#shared/services/auth/user-tokens';
import { isThrottled, isUnreachable } from '#shared/runtime/dependency-errors';
import { logger } from '#shared/runtime/powertools';

const unauthenticated = (reason: UnauthenticatedReason): AuthorizerContext => ({ kind: 'anonymous', reason });

/** A token that is simply wrong is the caller's problem (401); a failure to check it is ours (thrown). */
function reasonFor(error: unknown): UnauthenticatedReason | undefined {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof TokenWithoutRole) return 'invalid';
  if (
    error instanceof errors.JWTClaimValidationFailed ||
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'invalid';
  }
  return undefined;
}

/**
 * From an Authorization header to what the routes are told: a user (ID token from the issuer), an
 * update link (our own HS256 token, checked against revocations), or why neither. A user whose role needs
 * MFA (the users table's role when it holds them, else the token's) and whose token does not say they
 * signed in with an authenticator app is `mfaRequired`, whatever role the token names. When a service the
 * check needs does not answer (the tables, the issuer's key set, Secrets Manager) it is `unavailable`.
 *
 * `userReadByRoute`: the route reads the user record itself (`caller-check.ts`), so a genuine user token
 * is handed on as it is (`tokenUser`), for the route to settle against the users table.
 */
export async function authenticate(authorization: string | undefined, now: Date = new Date(), { userReadByRoute = false } = {}): Promise<AuthorizerContext> {
  if (!authorization) return unauthenticated('missing');
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(authorization.trim());
  if (!match?.[1]) return unauthenticated('malformed');
  const token = match[1];
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    return unauthenticated('malformed');
  }
  try {
    if (issuer === UPDATE_LINK_ISSUER) {
      const link = await verifyUpdateLink(token, now);
      if (await isUpdateLinkRevoked(link)) return unauthenticated('revoked');
      return { kind: 'updateLink', userId: `update-link:${link.tokenId}`, tokenId: link.tokenId, locationId: link.locationId };
    }
    const user = await verifyUserToken(token, now);
    if (userReadByRoute) return { kind: 'tokenUser', userId: user.userId, role: user.role, areas: user.areas.join(','), mfa: user.mfa ? 'true' : 'false' };
    return settleCaller(user, await getUser(user.userId));
  } catch (error) {
    const reason = reasonFor(error);
    if (reason) return unauthenticated(reason);
    if (error instanceof Error && (isUnreachable(error) || isThrottled(error))) {
      logger.warn('a service the token check needs did not answer', { errorName: error.name, errorMessage: error.message });
      return { kind: 'unavailable' };
    }
    throw error;
  }
}
