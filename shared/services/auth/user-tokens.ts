import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { setting } from '#shared/runtime/settings';
import { DependencyUnavailable } from '#shared/runtime/dependency-errors';
import { MFA_CLAIM, MFA_CLAIM_VALUE } from '#shared/model/access/identity';
import { Role } from '#shared/model/schemas/common';

/**
 * How long the key set may take to arrive: well inside the authorizer's 10 s (API Gateway's limit), with
 * room for the users table after it. Cognito answers in milliseconds.
 */
export const KEY_SET_TIMEOUT_MS = 3_000;

/**
 * The key set's fetch, told apart from a bad token: no answer, or a 5xx or 429, is the issuer being
 * down (`DependencyUnavailable`, so a 503); any other answer but 200 is a misconfigured JWKS_URL and stays
 * an error. jose turns a timeout while reading the body into JWKSTimeout.
 */
async function fetchKeySet(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new DependencyUnavailable(`the issuer's key set did not answer (${(error as Error).name})`, { cause: error });
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel().catch(() => undefined);
    throw new DependencyUnavailable(`the issuer's key set answered ${response.status}`);
  }
  return response;
}

/** After a refetch of the key set failed, how long the keys fetched before are used without asking again. */
export const KEY_SET_RETRY_AFTER_MS = 30_000;

/**
 * Signed-in users' ID tokens: Cognito's in AWS, the local issuer's on one machine. The key set is
 * fetched once and cached by jose for 10 minutes (refetched sooner when a token names a key it has not
 * seen). When a refetch fails, the keys fetched before are used meanwhile, and the issuer is not asked
 * again for `KEY_SET_RETRY_AFTER_MS` (so requests do not each wait out its timeout): only a container
 * that never had the keys depends on the issuer answering.
 */
const keySets = new Map<string, JWTVerifyGetKey>();
function keySetAt(url: string): JWTVerifyGetKey {
  let keySet = keySets.get(url);
  if (!keySet) {
    const remote = createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, timeoutDuration: KEY_SET_TIMEOUT_MS, [customFetch]: fetchKeySet });
    let knownOnlyUntil = 0;
    keySet = async (header, token) => {
      const known = remote.jwks();
      if (known && Date.now() < knownOnlyUntil) return createLocalJWKSet(known)(header, token);
      try {
        return await remote(header, token);
      } catch (error) {
        const unavailable = error instanceof DependencyUnavailable || error instanceof errors.JWKSTimeout;
        if (unavailable && known) {
          knownOnlyUntil = Date.now() + KEY_SET_RETRY_AFTER_MS;
          return createLocalJWKSet(known)(header, token);
        }
        if (error instanceof errors.JWKSTimeout) throw new DependencyUnavailable('the issuer\'s key set did not arrive in time', { cause: error });
        throw error;
      }
    };
    keySets.set(url, keySet);
  }
  return keySet;
}

/** When a user is in several groups, the broadest role wins. */
const ROLE_PRECEDENCE: Role[] = ['admin', 'national', 'commissioner', 'discharge', 'provider'];

export class TokenWithoutRole extends Error {}

export interface UserToken {
  userId: string;
  role: Role;
  areas: string[];
  /** Whether the user signed in with an authenticator app (the pre token generation trigger's claim). */
  mfa: boolean;
}

export async function verifyUserToken(token: string, now: Date): Promise<UserToken> {
  const { payload } = await jwtVerify(token, keySetAt(setting('JWKS_URL')), {
    issuer: setting('JWT_ISSUER'),
    audience: setting('JWT_AUDIENCE'),
    algorithms: ['RS256'],
    currentDate: now,
    requiredClaims: ['sub', 'exp'],
  });
  // Cognito access tokens carry no audience and would fail above; ID tokens say so explicitly.
  if (payload.token_use !== undefined && payload.token_use !== 'id') throw new TokenWithoutRole('not an ID token');
  const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'] : [];
  const role = ROLE_PRECEDENCE.find((candidate) => groups.includes(candidate));
  if (!role) throw new TokenWithoutRole('the token carries no role');
  const areas = typeof payload['custom:areas'] === 'string' ? payload['custom:areas'].split(',').map((a) => a.trim()).filter(Boolean) : [];
  return { userId: payload.sub!, role, areas, mfa: payload[MFA_CLAIM] === MFA_CLAIM_VALUE };
}
