import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { Role } from '#shared/model/schemas/common';
import { LOCAL_USER_DIRECTORY } from '#shared/model/settings';
import { mfaClaims } from '#shared/model/access/identity';

/**
 * The local stand-in for Cognito: an RS256 key pair whose public half is served as a JWKS, signing ID
 * tokens shaped like Cognito's (`cognito:groups` for the role, `custom:areas`) with the MFA claim the
 * user pool's pre token generation trigger adds. Keys live under LOCAL_DATA_DIR/keys so tokens survive a
 * restart; in memory when there is no folder. Never used in AWS.
 */
export const LOCAL_ISSUER = 'capacity-tracker-local-issuer';
export const LOCAL_AUDIENCE = 'capacity-tracker-local';
export const JWKS_PATH = '/local/.well-known/jwks.json';
const KEY_ID = 'local-1';

export interface LocalIssuer {
  jwks: { keys: JWK[] };
  /** The update-link HMAC key, base64url, handed to the functions as UPDATE_LINK_SECRET. */
  updateLinkSecret: string;
  /**
   * `mfa`: whether the user signed in with an authenticator app, as the trigger marks it. By default yes:
   * every local user has set one up, so every role can act; `mfa: false` is the token of someone who has
   * not (an admin, national or commissioner is then refused). `audience` is there so tests can mint a
   * token meant for another service.
   */
  sign(claims: { sub: string; role: Role; areas?: readonly string[]; mfa?: boolean }, options?: { now?: Date; ttlSeconds?: number; audience?: string }): Promise<string>;
  /** The subject of a token this issuer signed that has not expired; undefined for any other. */
  subjectOf(token: string): Promise<string | undefined>;
}

function readOrCreate(file: string | undefined, create: () => Promise<string>): Promise<string> {
  if (file && existsSync(file)) return Promise.resolve(readFileSync(file, 'utf8'));
  return create().then((value) => {
    if (file) {
      writeFileSync(file, value);
      chmodSync(file, 0o600);
    }
    return value;
  });
}

export async function createLocalIssuer(keysDir?: string): Promise<LocalIssuer> {
  if (keysDir) mkdirSync(keysDir, { recursive: true });
  const privateJwk = JSON.parse(
    await readOrCreate(keysDir && join(keysDir, 'issuer.private.jwk.json'), async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      return JSON.stringify(await exportJWK(privateKey));
    }),
  ) as JWK;
  const updateLinkSecret = await readOrCreate(keysDir && join(keysDir, 'update-link.key'), async () => randomBytes(48).toString('base64url'));
  const privateKey = await importJWK(privateJwk, 'RS256');
  const { n, e, kty } = privateJwk;
  const publicKey = await importJWK({ kty, n, e }, 'RS256');
  return {
    jwks: { keys: [{ kty, n, e, alg: 'RS256', use: 'sig', kid: KEY_ID }] },
    updateLinkSecret,
    sign: (claims, options = {}) => {
      const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
      return new SignJWT({ 'cognito:groups': [claims.role], 'custom:areas': (claims.areas ?? []).join(','), token_use: 'id', ...mfaClaims(claims.mfa ?? true) })
        .setProtectedHeader({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(options.audience ?? LOCAL_AUDIENCE)
        .setSubject(claims.sub)
        .setIssuedAt(now)
        .setExpirationTime(now + (options.ttlSeconds ?? 12 * 3600))
        .sign(privateKey);
    },
    subjectOf: async (token) => {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
        return payload.sub;
      } catch {
        return undefined;
      }
    },
  };
}

/** Tell the authorizer (running in this process, as in AWS it runs in its own) whom to trust. */
export function exportIssuerSettings(issuer: LocalIssuer, gatewayUrl: string): void {
  process.env.JWT_ISSUER = LOCAL_ISSUER;
  process.env.JWT_AUDIENCE = LOCAL_AUDIENCE;
  process.env.JWKS_URL = `${gatewayUrl}${JWKS_PATH}`;
  process.env.UPDATE_LINK_SECRET = issuer.updateLinkSecret;
  // No user pool here: the users routes keep users in the users table alone, which the issuer signs for.
  process.env[LOCAL_USER_DIRECTORY] = 'users-table';
}
