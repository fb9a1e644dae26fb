import { createRemoteJWKSet, jwtVerify } from 'jose';
import { setting } from '#shared/runtime/settings';
import { Role } from '#shared/model/schemas/common';

/**
 * Signed-in users' ID tokens: Cognito's in AWS, the local issuer's on one machine. The key set is
 * fetched once and cached by jose (refetched when a token names a key it has not seen).
 */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function keySetAt(url: string): ReturnType<typeof createRemoteJWKSet> {
  let keySet = keySets.get(url);
  if (!keySet) keySets.set(url, (keySet = createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000 })));
  return keySet;
}

/** When a user is in several groups, the broadest role wins. */
const ROLE_PRECEDENCE: Role[] = ['admin', 'national', 'commissioner', 'discharge', 'provider'];

export class TokenWithoutRole extends Error {}

export async function verifyUserToken(token: string, now: Date): Promise<{ userId: string; role: Role; areas: string[] }> {
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
  return { userId: payload.sub!, role, areas };
}
