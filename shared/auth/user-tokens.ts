import { createRemoteJWKSet, jwtVerify } from 'jose';
import { requiredEnv } from '../runtime/config';
import { Role } from '../schemas/common';

/**
 * Signed-in users' ID tokens: Cognito's in AWS, the local issuer's on one machine. The key set is
 * fetched once and cached by jose (refetched when a token names a key it has not seen).
 */
const issuer = requiredEnv('JWT_ISSUER');
const audience = requiredEnv('JWT_AUDIENCE');
const keySet = createRemoteJWKSet(new URL(requiredEnv('JWKS_URL')), { cacheMaxAge: 10 * 60_000 });

/** When a user is in several groups, the broadest role wins. */
const ROLE_PRECEDENCE: Role[] = ['admin', 'national', 'commissioner', 'discharge', 'provider'];

export class TokenWithoutRole extends Error {}

export async function verifyUserToken(token: string, now: Date): Promise<{ userId: string; role: Role; areas: string[] }> {
  const { payload } = await jwtVerify(token, keySet, {
    issuer,
    audience,
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
  return { userId: payload.sub!, role, areas };
}
